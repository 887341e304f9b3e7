// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The NVML calls mlstack needs, behind an interface (ninja's `DiskInterface`), so tests can
/// serve canned answers. The real one (`RealNvml`, real_nvml.hpp) dlopens `libnvidia-ml.so.1`.
///
/// The interface is status-level, as NVML is: each call returns the `NvmlStatus` the library
/// returned and fills its out-parameters only on success. Names and values follow the public
/// NVML API reference (https://docs.nvidia.com/deploy/nvml-api/), `nvmlReturn_t` and friends.
namespace mlstack::gpu {

/// `nvmlReturn_t`. Any other value the library returns is kept as is (the enum is open).
enum class NvmlStatus : int {
  success = 0,
  uninitialized = 1,
  invalid_argument = 2,
  not_supported = 3,
  no_permission = 4,
  already_initialized = 5,
  not_found = 6,
  insufficient_size = 7,
  insufficient_power = 8,
  driver_not_loaded = 9,
  timeout = 10,
  irq_issue = 11,
  library_not_found = 12,
  function_not_found = 13,
  corrupted_inforom = 14,
  gpu_is_lost = 15,
  reset_required = 16,
  operating_system = 17,
  lib_rm_version_mismatch = 18,
  in_use = 19,
  memory = 20,
  no_data = 21,
  vgpu_ecc_not_supported = 22,
  insufficient_resources = 23,
  freq_not_supported = 24,
  argument_version_mismatch = 25,
  deprecated = 26,
  not_ready = 27,
  gpu_not_found = 28,
  invalid_state = 29,
  unknown = 999,
};

/// The C name of a status, such as `NVML_ERROR_LIB_RM_VERSION_MISMATCH`; `NVML_ERROR_<n>` for a
/// value this table does not know.
[[nodiscard]] std::string nvml_status_name(NvmlStatus status);

/// An `nvmlDevice_t`: opaque, valid between a successful init and the matching shutdown.
struct NvmlDevice {
  void* handle = nullptr;
};

/// `nvmlMemory_t`, in bytes.
struct NvmlMemory {
  std::uint64_t total = 0;
  std::uint64_t free = 0;
  std::uint64_t used = 0;
};

/// One entry of `nvmlDeviceGetComputeRunningProcesses*`. `gpu_instance_id` and
/// `compute_instance_id` are 0xFFFFFFFF when MIG is off or the library is too old (v1 API).
struct NvmlProcess {
  std::uint32_t pid = 0;
  std::uint64_t used_gpu_memory = 0;  // bytes; k_nvml_value_not_available when unknown
  std::uint32_t gpu_instance_id = 0xFFFFFFFFU;
  std::uint32_t compute_instance_id = 0xFFFFFFFFU;
};

/// `NVML_VALUE_NOT_AVAILABLE`: `usedGpuMemory` when the driver cannot say (WDDM, some MIG cases).
inline constexpr std::uint64_t k_nvml_value_not_available = ~std::uint64_t{0};

/// `nvmlDeviceGetMigMode` modes.
inline constexpr unsigned k_nvml_mig_disable = 0;
inline constexpr unsigned k_nvml_mig_enable = 1;

/// The NVML calls mlstack makes. All methods are const: NVML's state (its reference-counted
/// init) lives in the library, not in this object. Implementations never throw.
class Nvml {
 public:
  Nvml() = default;
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;
  Nvml(Nvml&&) = delete;
  Nvml& operator=(Nvml&&) = delete;
  virtual ~Nvml() = default;

  /// Why the library cannot be used, such as "cannot load `libnvidia-ml.so.1`: ... No such
  /// file or directory" or "`/usr/local/cuda/lib64/stubs/libnvidia-ml.so` is the CUDA
  /// toolkit's link-time stub, not the driver's library"; nullopt when it loaded. When set,
  /// every other call returns `NvmlStatus::library_not_found`.
  [[nodiscard]] virtual std::optional<std::string> load_error() const = 0;

  /// Where the library was loaded from: the resolved path when it loaded, else the name asked.
  [[nodiscard]] virtual std::string library_path() const = 0;

  /// nvmlInit_v2 / nvmlShutdown (NVML reference-counts them).
  [[nodiscard]] virtual NvmlStatus init() const = 0;
  virtual NvmlStatus shutdown() const = 0;

  /// `nvmlErrorString`, such as `Driver/library version mismatch`; the C name when the library
  /// did not load.
  [[nodiscard]] virtual std::string error_string(NvmlStatus status) const = 0;

  /// nvmlSystemGetDriverVersion: `580.159.04`.
  [[nodiscard]] virtual NvmlStatus system_driver_version(std::string& out) const = 0;
  /// nvmlSystemGetCudaDriverVersion_v2 (nvmlSystemGetCudaDriverVersion on old libraries):
  /// `13000` for CUDA 13.0 (major * 1000 + minor * 10).
  [[nodiscard]] virtual NvmlStatus system_cuda_driver_version(int& out) const = 0;
  /// nvmlSystemGetNVMLVersion: `13.580.159.04`. NVML answers this one even when init fails.
  [[nodiscard]] virtual NvmlStatus system_nvml_version(std::string& out) const = 0;

  /// nvmlDeviceGetCount_v2.
  [[nodiscard]] virtual NvmlStatus device_count(unsigned& out) const = 0;
  /// nvmlDeviceGetHandleByIndex_v2.
  [[nodiscard]] virtual NvmlStatus device_handle_by_index(unsigned index,
                                                          NvmlDevice& out) const = 0;
  /// nvmlDeviceGetName: `NVIDIA H200`.
  [[nodiscard]] virtual NvmlStatus device_name(NvmlDevice device, std::string& out) const = 0;
  /// nvmlDeviceGetUUID: `GPU-<36 characters>`.
  [[nodiscard]] virtual NvmlStatus device_uuid(NvmlDevice device, std::string& out) const = 0;
  /// nvmlDeviceGetPciInfo_v3 `busId`: `00000000:18:00.0`.
  [[nodiscard]] virtual NvmlStatus device_pci_bus_id(NvmlDevice device, std::string& out) const = 0;
  /// nvmlDeviceGetMemoryInfo.
  [[nodiscard]] virtual NvmlStatus device_memory(NvmlDevice device, NvmlMemory& out) const = 0;
  /// nvmlDeviceGetCudaComputeCapability: 9, 0.
  [[nodiscard]] virtual NvmlStatus device_cuda_compute_capability(NvmlDevice device, int& major,
                                                                  int& minor) const = 0;
  /// nvmlDeviceGetMigMode: k_nvml_mig_disable or k_nvml_mig_enable.
  [[nodiscard]] virtual NvmlStatus device_mig_mode(NvmlDevice device, unsigned& current,
                                                   unsigned& pending) const = 0;
  /// nvmlDeviceGetComputeRunningProcesses_v3, else _v2, else the v1 call (older libraries).
  /// At most 4096 entries (detail/process_list.hpp): `insufficient_size` when the library
  /// claims more.
  [[nodiscard]] virtual NvmlStatus device_compute_running_processes(
      NvmlDevice device, std::vector<NvmlProcess>& out) const = 0;

  // MIG devices (R450 and later; `function_not_found` from libraries without the entry point).
  // A MIG device handle stands for one compute instance; device_name, device_uuid and
  // device_memory accept it as they accept a GPU's handle.

  /// nvmlDeviceGetMaxMigDeviceCount: how many MIG device slots `device` has; 0 when MIG is
  /// not supported or not enabled.
  [[nodiscard]] virtual NvmlStatus device_max_mig_device_count(NvmlDevice device,
                                                               unsigned& out) const = 0;
  /// nvmlDeviceGetMigDeviceHandleByIndex: the MIG device in slot `index` (< the max count);
  /// `not_found` for an empty slot, `not_supported` when MIG is not enabled.
  [[nodiscard]] virtual NvmlStatus device_mig_device_handle_by_index(NvmlDevice device,
                                                                     unsigned index,
                                                                     NvmlDevice& out) const = 0;
  /// nvmlDeviceIsMigDeviceHandle.
  [[nodiscard]] virtual NvmlStatus device_is_mig_device_handle(NvmlDevice device,
                                                               bool& out) const = 0;
  /// nvmlDeviceGetGpuInstanceId, for a MIG device handle (`not_supported` for a GPU's).
  [[nodiscard]] virtual NvmlStatus device_gpu_instance_id(NvmlDevice device,
                                                          unsigned& out) const = 0;
  /// nvmlDeviceGetComputeInstanceId, for a MIG device handle (`not_supported` for a GPU's).
  [[nodiscard]] virtual NvmlStatus device_compute_instance_id(NvmlDevice device,
                                                              unsigned& out) const = 0;
};

}  // namespace mlstack::gpu
