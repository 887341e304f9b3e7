// SPDX-License-Identifier: MIT
#include "mlstack/gpu/real_nvml.hpp"

#include "mlstack/gpu/detail/process_list.hpp"

#include <array>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <string_view>

namespace mlstack::gpu {
namespace {

// The C ABI of the calls we make, declared from the NVML API reference
// (https://docs.nvidia.com/deploy/nvml-api/). nvmlReturn_t is a C enum (int-sized);
// nvmlDevice_t is an opaque pointer.
using NvmlReturn = int;
using NvmlDeviceT = void*;

// nvmlPciInfo_t (nvmlDeviceGetPciInfo_v2/_v3).
struct PciInfo {
  char bus_id_legacy[16];  // NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE
  unsigned domain;
  unsigned bus;
  unsigned device;
  unsigned pci_device_id;
  unsigned pci_sub_system_id;
  char bus_id[32];  // NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE
};
static_assert(sizeof(PciInfo) == 68 && offsetof(PciInfo, bus_id) == 36, "nvmlPciInfo_t ABI");

// nvmlMemory_t (nvmlDeviceGetMemoryInfo, the unversioned call).
struct MemoryInfo {
  unsigned long long total;  // NOLINT(google-runtime-int): the C ABI type
  unsigned long long free;   // NOLINT(google-runtime-int)
  unsigned long long used;   // NOLINT(google-runtime-int)
};
static_assert(sizeof(MemoryInfo) == 24, "nvmlMemory_t ABI");

// nvmlProcessInfo_v1_t: what the unsuffixed nvmlDeviceGetComputeRunningProcesses fills.
struct ProcessInfoV1 {
  unsigned pid;
  unsigned long long used_gpu_memory;  // NOLINT(google-runtime-int)
};
static_assert(sizeof(ProcessInfoV1) == 16 && offsetof(ProcessInfoV1, used_gpu_memory) == 8,
              "nvmlProcessInfo_v1_t ABI");

// nvmlProcessInfo_v2_t == nvmlProcessInfo_t: what the _v2 and _v3 calls fill. (Not
// nvmlProcessDetail_v1_t, which adds usedGpuCcProtectedMemory and belongs to
// nvmlDeviceGetRunningProcessDetailList; reading _v3 output with that 32-byte layout was the
// pynvml 11.5.0 bug.)
struct ProcessInfoV2 {
  unsigned pid;
  unsigned long long used_gpu_memory;  // NOLINT(google-runtime-int)
  unsigned gpu_instance_id;
  unsigned compute_instance_id;
};
static_assert(sizeof(ProcessInfoV2) == 24 && offsetof(ProcessInfoV2, gpu_instance_id) == 16,
              "nvmlProcessInfo_t ABI");

// Buffer sizes from the reference: NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE (80),
// NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE (80), NVML_DEVICE_NAME_V2_BUFFER_SIZE (96),
// NVML_DEVICE_UUID_V2_BUFFER_SIZE (96).
constexpr unsigned k_version_buffer = 80;
constexpr unsigned k_device_string_buffer = 96;

using InitFn = NvmlReturn (*)();
using ErrorStringFn = const char* (*)(NvmlReturn);
using StringFn = NvmlReturn (*)(char*, unsigned);
using IntFn = NvmlReturn (*)(int*);
using CountFn = NvmlReturn (*)(unsigned*);
using HandleFn = NvmlReturn (*)(unsigned, NvmlDeviceT*);
using DeviceStringFn = NvmlReturn (*)(NvmlDeviceT, char*, unsigned);
using PciFn = NvmlReturn (*)(NvmlDeviceT, PciInfo*);
using MemoryFn = NvmlReturn (*)(NvmlDeviceT, MemoryInfo*);
using CapabilityFn = NvmlReturn (*)(NvmlDeviceT, int*, int*);
using MigModeFn = NvmlReturn (*)(NvmlDeviceT, unsigned*, unsigned*);
using ProcessesV2Fn = NvmlReturn (*)(NvmlDeviceT, unsigned*, ProcessInfoV2*);
using ProcessesV1Fn = NvmlReturn (*)(NvmlDeviceT, unsigned*, ProcessInfoV1*);
using DeviceUintFn = NvmlReturn (*)(NvmlDeviceT, unsigned*);
using MigHandleFn = NvmlReturn (*)(NvmlDeviceT, unsigned, NvmlDeviceT*);

template <class F>
F lookup(void* handle, const char* name) {
  // POSIX guarantees that a dlsym result converts to a function pointer.
  return reinterpret_cast<F>(::dlsym(handle, name));
}

template <class F>
F lookup_first(void* handle, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (F f = lookup<F>(handle, name)) {
      return f;
    }
  }
  return nullptr;
}

NvmlStatus to_status(NvmlReturn rc) { return static_cast<NvmlStatus>(rc); }

template <std::size_t N>
std::string from_buffer(const std::array<char, N>& buffer) {
  return {buffer.data(), ::strnlen(buffer.data(), N)};
}

std::string dl_error_text() {
  const char* text = ::dlerror();
  return text != nullptr ? std::string(text) : std::string("unknown dlopen error");
}

}  // namespace

struct RealNvml::Symbols {
  InitFn init = nullptr;
  InitFn shutdown = nullptr;
  ErrorStringFn error_string = nullptr;
  StringFn driver_version = nullptr;
  IntFn cuda_driver_version = nullptr;
  StringFn nvml_version = nullptr;
  CountFn device_count = nullptr;
  HandleFn handle_by_index = nullptr;
  DeviceStringFn name = nullptr;
  DeviceStringFn uuid = nullptr;
  PciFn pci_info = nullptr;
  MemoryFn memory = nullptr;
  CapabilityFn capability = nullptr;
  MigModeFn mig_mode = nullptr;
  ProcessesV2Fn processes_v2 = nullptr;  // _v3, else _v2: both fill nvmlProcessInfo_t
  ProcessesV1Fn processes_v1 = nullptr;
  DeviceUintFn max_mig_device_count = nullptr;
  MigHandleFn mig_device_handle_by_index = nullptr;
  DeviceUintFn is_mig_device_handle = nullptr;
  DeviceUintFn gpu_instance_id = nullptr;
  DeviceUintFn compute_instance_id = nullptr;
};

bool is_toolkit_stub_path(const std::string& path) {
  std::string_view rest = path;
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    if (part == "stubs" && slash != std::string_view::npos) {
      return true;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(slash + 1);
  }
  return false;
}

RealNvml::RealNvml(std::string library) : m_library(std::move(library)) {
  m_resolved_path = m_library;
  if (is_toolkit_stub_path(m_library)) {
    m_load_error =
        "`" + m_library + "` is the CUDA toolkit's link-time stub, not the driver's library";
    return;
  }
  ::dlerror();
  m_handle = ::dlopen(m_library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (m_handle == nullptr) {
    m_load_error = "cannot load `" + m_library + "`: " + dl_error_text();
    return;
  }
  // Where the dynamic loader found it (LD_LIBRARY_PATH, ld.so.cache, ...): evidence, and the
  // stub check for a stub that was copied or linked under the driver's name.
  link_map* map = nullptr;
  if (::dlinfo(m_handle, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr && map->l_name != nullptr &&
      map->l_name[0] != '\0') {
    m_resolved_path = map->l_name;
  }
  // A stub linked or copied under the driver's name: judge by where the file really is.
  std::string real = m_resolved_path;
  if (char* resolved = ::realpath(m_resolved_path.c_str(), nullptr)) {
    real = resolved;
    std::free(resolved);  // NOLINT(cppcoreguidelines-no-malloc): realpath(3) mallocs
  }
  if (is_toolkit_stub_path(m_resolved_path) || is_toolkit_stub_path(real)) {
    m_load_error = "`" + real + "` is the CUDA toolkit's link-time stub, not the driver's library";
    return;
  }
  auto symbols = std::make_unique<Symbols>();
  symbols->init = lookup<InitFn>(m_handle, "nvmlInit_v2");
  symbols->shutdown = lookup<InitFn>(m_handle, "nvmlShutdown");
  if (symbols->init == nullptr || symbols->shutdown == nullptr) {
    m_load_error = "`" + m_resolved_path + "` does not export `nvmlInit_v2` and `nvmlShutdown`";
    return;
  }
  symbols->error_string = lookup<ErrorStringFn>(m_handle, "nvmlErrorString");
  symbols->driver_version = lookup<StringFn>(m_handle, "nvmlSystemGetDriverVersion");
  symbols->cuda_driver_version = lookup_first<IntFn>(
      m_handle, {"nvmlSystemGetCudaDriverVersion_v2", "nvmlSystemGetCudaDriverVersion"});
  symbols->nvml_version = lookup<StringFn>(m_handle, "nvmlSystemGetNVMLVersion");
  symbols->device_count =
      lookup_first<CountFn>(m_handle, {"nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"});
  symbols->handle_by_index = lookup_first<HandleFn>(
      m_handle, {"nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"});
  symbols->name = lookup<DeviceStringFn>(m_handle, "nvmlDeviceGetName");
  symbols->uuid = lookup<DeviceStringFn>(m_handle, "nvmlDeviceGetUUID");
  // The unsuffixed nvmlDeviceGetPciInfo fills an older, shorter layout: not used.
  symbols->pci_info =
      lookup_first<PciFn>(m_handle, {"nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetPciInfo_v2"});
  symbols->memory = lookup<MemoryFn>(m_handle, "nvmlDeviceGetMemoryInfo");
  symbols->capability = lookup<CapabilityFn>(m_handle, "nvmlDeviceGetCudaComputeCapability");
  symbols->mig_mode = lookup<MigModeFn>(m_handle, "nvmlDeviceGetMigMode");
  symbols->processes_v2 = lookup_first<ProcessesV2Fn>(
      m_handle,
      {"nvmlDeviceGetComputeRunningProcesses_v3", "nvmlDeviceGetComputeRunningProcesses_v2"});
  symbols->processes_v1 = lookup<ProcessesV1Fn>(m_handle, "nvmlDeviceGetComputeRunningProcesses");
  // MIG (R450+). Absent from older libraries: the calls then answer function_not_found.
  symbols->max_mig_device_count = lookup<DeviceUintFn>(m_handle, "nvmlDeviceGetMaxMigDeviceCount");
  symbols->mig_device_handle_by_index =
      lookup<MigHandleFn>(m_handle, "nvmlDeviceGetMigDeviceHandleByIndex");
  symbols->is_mig_device_handle = lookup<DeviceUintFn>(m_handle, "nvmlDeviceIsMigDeviceHandle");
  symbols->gpu_instance_id = lookup<DeviceUintFn>(m_handle, "nvmlDeviceGetGpuInstanceId");
  symbols->compute_instance_id = lookup<DeviceUintFn>(m_handle, "nvmlDeviceGetComputeInstanceId");
  m_symbols = std::move(symbols);
}

RealNvml::~RealNvml() {
  if (m_handle != nullptr) {
    ::dlclose(m_handle);
  }
}

std::optional<std::string> RealNvml::load_error() const { return m_load_error; }

std::string RealNvml::library_path() const { return m_resolved_path; }

NvmlStatus RealNvml::init() const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  return to_status(m_symbols->init());
}

NvmlStatus RealNvml::shutdown() const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  return to_status(m_symbols->shutdown());
}

std::string RealNvml::error_string(NvmlStatus status) const {
  if (m_symbols && m_symbols->error_string != nullptr) {
    if (const char* text = m_symbols->error_string(static_cast<NvmlReturn>(status))) {
      return text;
    }
  }
  return nvml_status_name(status);
}

namespace {

template <class F, class... Args>
NvmlStatus call(F f, Args... args) {
  if (f == nullptr) {
    return NvmlStatus::function_not_found;
  }
  return to_status(f(args...));
}

}  // namespace

NvmlStatus RealNvml::system_driver_version(std::string& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  std::array<char, k_version_buffer> buffer{};
  const NvmlStatus status = call(m_symbols->driver_version, buffer.data(), k_version_buffer);
  if (status == NvmlStatus::success) {
    out = from_buffer(buffer);
  }
  return status;
}

NvmlStatus RealNvml::system_cuda_driver_version(int& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  int version = 0;
  const NvmlStatus status = call(m_symbols->cuda_driver_version, &version);
  if (status == NvmlStatus::success) {
    out = version;
  }
  return status;
}

NvmlStatus RealNvml::system_nvml_version(std::string& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  std::array<char, k_version_buffer> buffer{};
  const NvmlStatus status = call(m_symbols->nvml_version, buffer.data(), k_version_buffer);
  if (status == NvmlStatus::success) {
    out = from_buffer(buffer);
  }
  return status;
}

NvmlStatus RealNvml::device_count(unsigned& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  unsigned count = 0;
  const NvmlStatus status = call(m_symbols->device_count, &count);
  if (status == NvmlStatus::success) {
    out = count;
  }
  return status;
}

NvmlStatus RealNvml::device_handle_by_index(unsigned index, NvmlDevice& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  NvmlDeviceT handle = nullptr;
  const NvmlStatus status = call(m_symbols->handle_by_index, index, &handle);
  if (status == NvmlStatus::success) {
    out.handle = handle;
  }
  return status;
}

NvmlStatus RealNvml::device_name(NvmlDevice device, std::string& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  std::array<char, k_device_string_buffer> buffer{};
  const NvmlStatus status =
      call(m_symbols->name, device.handle, buffer.data(), k_device_string_buffer);
  if (status == NvmlStatus::success) {
    out = from_buffer(buffer);
  }
  return status;
}

NvmlStatus RealNvml::device_uuid(NvmlDevice device, std::string& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  std::array<char, k_device_string_buffer> buffer{};
  const NvmlStatus status =
      call(m_symbols->uuid, device.handle, buffer.data(), k_device_string_buffer);
  if (status == NvmlStatus::success) {
    out = from_buffer(buffer);
  }
  return status;
}

NvmlStatus RealNvml::device_pci_bus_id(NvmlDevice device, std::string& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  PciInfo info{};
  const NvmlStatus status = call(m_symbols->pci_info, device.handle, &info);
  if (status == NvmlStatus::success) {
    out.assign(info.bus_id, ::strnlen(info.bus_id, sizeof(info.bus_id)));
  }
  return status;
}

NvmlStatus RealNvml::device_memory(NvmlDevice device, NvmlMemory& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  MemoryInfo info{};
  const NvmlStatus status = call(m_symbols->memory, device.handle, &info);
  if (status == NvmlStatus::success) {
    out = NvmlMemory{info.total, info.free, info.used};
  }
  return status;
}

NvmlStatus RealNvml::device_cuda_compute_capability(NvmlDevice device, int& major,
                                                    int& minor) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  int ma = 0;
  int mi = 0;
  const NvmlStatus status = call(m_symbols->capability, device.handle, &ma, &mi);
  if (status == NvmlStatus::success) {
    major = ma;
    minor = mi;
  }
  return status;
}

NvmlStatus RealNvml::device_mig_mode(NvmlDevice device, unsigned& current,
                                     unsigned& pending) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  unsigned cur = 0;
  unsigned pend = 0;
  const NvmlStatus status = call(m_symbols->mig_mode, device.handle, &cur, &pend);
  if (status == NvmlStatus::success) {
    current = cur;
    pending = pend;
  }
  return status;
}

namespace {

template <class Info, class F>
NvmlStatus read_processes(F f, NvmlDeviceT device, std::vector<Info>& out) {
  return detail::read_process_list<Info>(
      [&](unsigned* count, Info* infos) { return to_status(f(device, count, infos)); }, out);
}

}  // namespace

namespace {

// A call that fills one `unsigned int` of a device.
NvmlStatus device_uint(const DeviceUintFn f, NvmlDevice device, unsigned& out) {
  unsigned value = 0;
  const NvmlStatus status = call(f, device.handle, &value);
  if (status == NvmlStatus::success) {
    out = value;
  }
  return status;
}

}  // namespace

NvmlStatus RealNvml::device_max_mig_device_count(NvmlDevice device, unsigned& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  return device_uint(m_symbols->max_mig_device_count, device, out);
}

NvmlStatus RealNvml::device_mig_device_handle_by_index(NvmlDevice device, unsigned index,
                                                       NvmlDevice& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  NvmlDeviceT handle = nullptr;
  const NvmlStatus status =
      call(m_symbols->mig_device_handle_by_index, device.handle, index, &handle);
  if (status == NvmlStatus::success) {
    out.handle = handle;
  }
  return status;
}

NvmlStatus RealNvml::device_is_mig_device_handle(NvmlDevice device, bool& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  unsigned is_mig = 0;
  const NvmlStatus status = device_uint(m_symbols->is_mig_device_handle, device, is_mig);
  if (status == NvmlStatus::success) {
    out = is_mig != 0;
  }
  return status;
}

NvmlStatus RealNvml::device_gpu_instance_id(NvmlDevice device, unsigned& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  return device_uint(m_symbols->gpu_instance_id, device, out);
}

NvmlStatus RealNvml::device_compute_instance_id(NvmlDevice device, unsigned& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  return device_uint(m_symbols->compute_instance_id, device, out);
}

NvmlStatus RealNvml::device_compute_running_processes(NvmlDevice device,
                                                      std::vector<NvmlProcess>& out) const {
  if (!m_symbols) {
    return NvmlStatus::library_not_found;
  }
  out.clear();
  if (m_symbols->processes_v2 != nullptr) {
    std::vector<ProcessInfoV2> infos;
    const NvmlStatus status = read_processes(m_symbols->processes_v2, device.handle, infos);
    for (const ProcessInfoV2& info : infos) {
      out.push_back(NvmlProcess{info.pid, info.used_gpu_memory, info.gpu_instance_id,
                                info.compute_instance_id});
    }
    return status;
  }
  if (m_symbols->processes_v1 != nullptr) {
    std::vector<ProcessInfoV1> infos;
    const NvmlStatus status = read_processes(m_symbols->processes_v1, device.handle, infos);
    for (const ProcessInfoV1& info : infos) {
      out.push_back(NvmlProcess{info.pid, info.used_gpu_memory});
    }
    return status;
  }
  return NvmlStatus::function_not_found;
}

}  // namespace mlstack::gpu
