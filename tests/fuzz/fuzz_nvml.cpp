// SPDX-License-Identifier: MIT
// libFuzzer target: NVML's answers, and the driver files read beside them. A fake Nvml answers
// every call from the input (status, counts, strings, numbers), as a broken or hostile
// libnvidia-ml.so.1 could; the process lists go through the same two-call reader as the real
// library's (gpu/detail/process_list.hpp). The input starts with CUDA_VISIBLE_DEVICES and the
// /proc/driver/nvidia/version text, each up to a NUL byte. gather_gpu_facts must stay within
// its bounds (64 devices, 4,096 processes, 64 MIG slots) whatever the answers.
#include "mlstack/gpu/detail/process_list.hpp"
#include "mlstack/gpu/gather.hpp"
#include "mlstack/gpu/nvml.hpp"

#include "fuzz_check.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace {

using mlstack::gpu::NvmlDevice;
using mlstack::gpu::NvmlMemory;
using mlstack::gpu::NvmlProcess;
using mlstack::gpu::NvmlStatus;

// The input, read front to back; zeros once it is used up.
class Bytes {
 public:
  explicit Bytes(std::string_view s) : m_s(s) {}

  std::uint8_t u8() { return m_i < m_s.size() ? static_cast<std::uint8_t>(m_s[m_i++]) : 0; }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      v = (v << 8U) | u8();
    }
    return v;
  }
  std::uint64_t u64() { return (std::uint64_t{u32()} << 32U) | u32(); }
  // Up to `max` bytes, as NVML fills a buffer of that size.
  std::string text(std::size_t max) {
    const std::size_t n = std::min<std::size_t>(u8(), max);
    const std::size_t take = std::min(n, m_s.size() - std::min(m_i, m_s.size()));
    std::string out(m_s.substr(std::min(m_i, m_s.size()), take));
    m_i += take;
    return out;
  }
  // Most answers succeed; one in eight is a status from the input (any int NVML could return).
  NvmlStatus status() {
    const std::uint8_t b = u8();
    if ((b & 7U) != 0) {
      return NvmlStatus::success;
    }
    constexpr int k_codes[] = {1, 2, 3, 4, 6, 7, 9, 13, 15, 18, 999, -1};
    return static_cast<NvmlStatus>(k_codes[(b >> 3U) % std::size(k_codes)]);
  }

 private:
  std::string_view m_s;
  std::size_t m_i = 0;
};

// Handles are indexes + 1 into nothing: the fake never dereferences them.
NvmlDevice handle_of(std::uint32_t id) {
  NvmlDevice d;
  d.handle = reinterpret_cast<void*>(static_cast<std::uintptr_t>(id) + 1);  // NOLINT
  return d;
}

class FuzzNvml final : public mlstack::gpu::Nvml {
 public:
  explicit FuzzNvml(std::string_view answers) : m_in(answers) {}

  std::optional<std::string> load_error() const override { return std::nullopt; }
  std::string library_path() const override { return "/fuzz/libnvidia-ml.so.1"; }
  NvmlStatus init() const override { return m_in.status(); }
  NvmlStatus shutdown() const override { return NvmlStatus::success; }
  std::string error_string(NvmlStatus status) const override {
    return mlstack::gpu::nvml_status_name(status);
  }
  NvmlStatus system_driver_version(std::string& out) const override { return string(out, 80); }
  NvmlStatus system_cuda_driver_version(int& out) const override {
    return value(out, static_cast<int>(m_in.u32()));
  }
  NvmlStatus system_nvml_version(std::string& out) const override { return string(out, 80); }
  NvmlStatus device_count(unsigned& out) const override { return value(out, m_in.u32()); }
  NvmlStatus device_handle_by_index(unsigned index, NvmlDevice& out) const override {
    return value(out, handle_of(index));
  }
  NvmlStatus device_name(NvmlDevice, std::string& out) const override { return string(out, 96); }
  NvmlStatus device_uuid(NvmlDevice, std::string& out) const override { return string(out, 96); }
  NvmlStatus device_pci_bus_id(NvmlDevice, std::string& out) const override {
    return string(out, 32);
  }
  NvmlStatus device_memory(NvmlDevice, NvmlMemory& out) const override {
    return value(out, NvmlMemory{m_in.u64(), m_in.u64(), m_in.u64()});
  }
  NvmlStatus device_cuda_compute_capability(NvmlDevice, int& major, int& minor) const override {
    const NvmlStatus s = m_in.status();
    if (s == NvmlStatus::success) {
      major = static_cast<int>(m_in.u32());
      minor = static_cast<int>(m_in.u32());
    }
    return s;
  }
  NvmlStatus device_mig_mode(NvmlDevice, unsigned& current, unsigned& pending) const override {
    const NvmlStatus s = m_in.status();
    if (s == NvmlStatus::success) {
      current = m_in.u8() % 3;
      pending = m_in.u8() % 3;
    }
    return s;
  }
  // The real library's reader over a library that answers from the input: claimed counts of
  // any size, success with a count larger than the buffer, entries written up to the buffer.
  NvmlStatus device_compute_running_processes(NvmlDevice,
                                              std::vector<NvmlProcess>& out) const override {
    std::vector<NvmlProcess> infos;
    const NvmlStatus s = mlstack::gpu::detail::read_process_list<NvmlProcess>(
        [this](unsigned* count, NvmlProcess* buffer) {
          const NvmlStatus answer = m_in.status();
          // A selector byte: below 16, a 32-bit count follows; else the count is it - 16.
          const std::uint8_t selector = m_in.u8();
          const unsigned claimed = selector < 16 ? m_in.u32() : selector - 16U;
          if (buffer != nullptr) {
            const unsigned written = std::min(*count, claimed);
            for (unsigned i = 0; i < written; ++i) {
              buffer[i] = NvmlProcess{m_in.u32(), m_in.u64(), m_in.u32(), m_in.u32()};
            }
          }
          *count = claimed;
          if (answer == NvmlStatus::success && buffer == nullptr && claimed > 0) {
            return NvmlStatus::insufficient_size;
          }
          return answer;
        },
        infos);
    MLSTACK_FUZZ_CHECK(infos.size() <= mlstack::gpu::detail::k_max_nvml_processes);
    out = std::move(infos);
    return s;
  }
  NvmlStatus device_max_mig_device_count(NvmlDevice, unsigned& out) const override {
    return value(out, m_in.u32());
  }
  NvmlStatus device_mig_device_handle_by_index(NvmlDevice, unsigned index,
                                               NvmlDevice& out) const override {
    return value(out, handle_of(1000 + index));
  }
  NvmlStatus device_is_mig_device_handle(NvmlDevice, bool& out) const override {
    return value(out, (m_in.u8() & 1U) != 0);
  }
  NvmlStatus device_gpu_instance_id(NvmlDevice, unsigned& out) const override {
    return value(out, m_in.u32());
  }
  NvmlStatus device_compute_instance_id(NvmlDevice, unsigned& out) const override {
    return value(out, m_in.u32());
  }

 private:
  template <class T>
  NvmlStatus value(T& out, T v) const {
    const NvmlStatus s = m_in.status();
    if (s == NvmlStatus::success) {
      out = v;
    }
    return s;
  }
  NvmlStatus string(std::string& out, std::size_t buffer) const {
    const NvmlStatus s = m_in.status();
    if (s == NvmlStatus::success) {
      out = m_in.text(buffer - 1);
    }
    return s;
  }

  mutable Bytes m_in;
};

// The two driver files, from the input; everything else is absent.
class FuzzFileSystem final : public mlstack::io::FileSystem {
 public:
  std::string proc_version;

  mlstack::io::IoStatus list_dir(const std::string&, mlstack::io::Follow,
                                 std::vector<mlstack::io::DirEntry>&) const override {
    return mlstack::io::IoStatus::from_errno(ENOENT);
  }
  mlstack::io::IoStatus read_file(const std::string& path, std::size_t max_bytes,
                                  std::string& out) const override {
    if (path == "/proc/driver/nvidia/version" || path == "/sys/module/nvidia/version") {
      if (proc_version.size() > max_bytes) {
        return {mlstack::io::IoStatus::Kind::too_large, 0};
      }
      out = proc_version;
      return {};
    }
    return mlstack::io::IoStatus::from_errno(ENOENT);
  }
  mlstack::io::IoStatus stat(const std::string&, mlstack::io::Follow,
                             mlstack::io::FileStat&) const override {
    return mlstack::io::IoStatus::from_errno(ENOENT);
  }
  mlstack::io::IoStatus realpath(const std::string&, std::string&) const override {
    return mlstack::io::IoStatus::from_errno(ENOENT);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = mlstack::fuzz::as_text(data, size);
  const auto take_part = [&in]() {
    const std::size_t nul = in.find('\0');
    const std::string_view part = in.substr(0, nul);
    in.remove_prefix(nul == std::string_view::npos ? in.size() : nul + 1);
    return part;
  };
  mlstack::gpu::GpuOptions options;
  const std::string_view visible = take_part();
  if (!visible.empty()) {
    options.cuda_visible_devices = std::string(visible.substr(1));  // `x` alone: set, empty
  }
  FuzzFileSystem fs;
  fs.proc_version = std::string(take_part());
  const FuzzNvml nvml(in);
  const mlstack::facts::GpuFacts facts = mlstack::gpu::gather_gpu_facts(&nvml, fs, options);
  MLSTACK_FUZZ_CHECK(facts.devices.size() <= 64);
  MLSTACK_FUZZ_CHECK(facts.total_device_count <= 64);
  for (const auto& d : facts.devices) {
    MLSTACK_FUZZ_CHECK(d.mig_devices.size() <= 64);
    MLSTACK_FUZZ_CHECK(d.compute_processes.size() <= mlstack::gpu::detail::k_max_nvml_processes);
  }
  return 0;
}
