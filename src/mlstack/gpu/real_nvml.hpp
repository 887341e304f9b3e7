// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/gpu/nvml.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlstack::gpu {

/// The name dlopen searches when no override is given: the driver's user-space NVML.
inline constexpr const char* k_default_nvml_library = "libnvidia-ml.so.1";

/// NVML loaded at run time with dlopen (no build-time dependency, no NVML headers: the few
/// types and constants come from the public API reference and are checked by static_assert).
///
/// Construction never fails. A library that does not load, lacks `nvmlInit_v2`, or is the
/// CUDA toolkit's link-time stub (a path with a `stubs` folder: it only returns errors and
/// prints a warning banner) gives an object whose `load_error()` says why; mlstack then
/// treats NVML as absent and never calls into the stub.
///
/// **Example**
/// ```
/// gpu::RealNvml nvml("libnvidia-ml.so.1");
/// if (!nvml.load_error() && nvml.init() == gpu::NvmlStatus::success) { ... nvml.shutdown(); }
/// ```
class RealNvml final : public Nvml {
 public:
  /// `library`: a file name searched as dlopen(3) searches, or a path (contains a `/`).
  explicit RealNvml(std::string library);
  ~RealNvml() override;
  RealNvml(const RealNvml&) = delete;
  RealNvml& operator=(const RealNvml&) = delete;
  RealNvml(RealNvml&&) = delete;
  RealNvml& operator=(RealNvml&&) = delete;

  [[nodiscard]] std::optional<std::string> load_error() const override;
  [[nodiscard]] std::string library_path() const override;
  [[nodiscard]] NvmlStatus init() const override;
  NvmlStatus shutdown() const override;
  [[nodiscard]] std::string error_string(NvmlStatus status) const override;
  [[nodiscard]] NvmlStatus system_driver_version(std::string& out) const override;
  [[nodiscard]] NvmlStatus system_cuda_driver_version(int& out) const override;
  [[nodiscard]] NvmlStatus system_nvml_version(std::string& out) const override;
  [[nodiscard]] NvmlStatus device_count(unsigned& out) const override;
  [[nodiscard]] NvmlStatus device_handle_by_index(unsigned index, NvmlDevice& out) const override;
  [[nodiscard]] NvmlStatus device_name(NvmlDevice device, std::string& out) const override;
  [[nodiscard]] NvmlStatus device_uuid(NvmlDevice device, std::string& out) const override;
  [[nodiscard]] NvmlStatus device_pci_bus_id(NvmlDevice device, std::string& out) const override;
  [[nodiscard]] NvmlStatus device_memory(NvmlDevice device, NvmlMemory& out) const override;
  [[nodiscard]] NvmlStatus device_cuda_compute_capability(NvmlDevice device, int& major,
                                                          int& minor) const override;
  [[nodiscard]] NvmlStatus device_mig_mode(NvmlDevice device, unsigned& current,
                                           unsigned& pending) const override;
  [[nodiscard]] NvmlStatus device_compute_running_processes(
      NvmlDevice device, std::vector<NvmlProcess>& out) const override;
  [[nodiscard]] NvmlStatus device_max_mig_device_count(NvmlDevice device,
                                                       unsigned& out) const override;
  [[nodiscard]] NvmlStatus device_mig_device_handle_by_index(NvmlDevice device, unsigned index,
                                                             NvmlDevice& out) const override;
  [[nodiscard]] NvmlStatus device_is_mig_device_handle(NvmlDevice device, bool& out) const override;
  [[nodiscard]] NvmlStatus device_gpu_instance_id(NvmlDevice device, unsigned& out) const override;
  [[nodiscard]] NvmlStatus device_compute_instance_id(NvmlDevice device,
                                                      unsigned& out) const override;

  struct Symbols;  // the dlsym'ed entry points (real_nvml.cpp)

 private:
  std::string m_library;
  std::string m_resolved_path;
  std::optional<std::string> m_load_error;
  void* m_handle = nullptr;
  std::unique_ptr<Symbols> m_symbols;
};

/// Whether `path` lies in a folder named `stubs` (`/usr/local/cuda/lib64/stubs/libnvidia-ml.so`,
/// `.../targets/x86_64-linux/lib/stubs/...`): the CUDA toolkit's link-time stubs, never a driver.
[[nodiscard]] bool is_toolkit_stub_path(const std::string& path);

}  // namespace mlstack::gpu
