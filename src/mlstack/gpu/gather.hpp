// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/gpu_facts.hpp"
#include "mlstack/gpu/nvml.hpp"
#include "mlstack/io/file_system.hpp"

#include <functional>
#include <optional>
#include <string>

/// GpuFacts of the machine mlstack runs on: the NVIDIA driver and its GPUs.
///
/// Probe order (docs/gpu.md), first that answers wins; each later one still runs when it adds
/// evidence:
/// 1. NVML (`libnvidia-ml.so.1`, or `GpuOptions::nvml_library`), when it loads, is not the
///    toolkit's stub, and `nvmlInit_v2` succeeds → `source = "nvml"`: driver, CUDA driver API
///    version, NVML version, devices. `/proc/driver/nvidia/version` is read as well, to compare
///    the kernel module with the user-space driver.
/// 2. `/proc/driver/nvidia/version` → `source = "proc"` (kernel module version and flavor).
/// 3. `/sys/module/nvidia/version` → `source = "sysfs"`.
/// 4. None → `driver_present = false`, `source = "none"`: a fact, not a problem.
/// Problems (never exceptions): NVML errors, `NVML_ERROR_LIB_RM_VERSION_MISMATCH`, a kernel
/// module whose version differs from NVML's driver version, a kernel module without a usable
/// NVML, unreadable or unparsable version files.
namespace mlstack::gpu {

/// What the GPU probe needs from outside: passed explicitly, no globals.
struct GpuOptions {
  /// The NVML library to dlopen: a file name searched as dlopen does, or a path. Empty means
  /// `libnvidia-ml.so.1`. From `--nvml-library PATH` or `MLSTACK_NVML_LIBRARY`.
  std::string nvml_library;
  /// `CUDA_VISIBLE_DEVICES`; nullopt when unset (empty when set to the empty string).
  std::optional<std::string> cuda_visible_devices;
  /// `CUDA_DEVICE_ORDER` (`FASTEST_FIRST`, the default, or `PCI_BUS_ID`); nullopt when unset.
  std::optional<std::string> cuda_device_order;
  std::string proc_driver_version_path = "/proc/driver/nvidia/version";
  std::string sys_module_version_path = "/sys/module/nvidia/version";
};

/// Reads an environment variable: its value, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

/// GpuOptions from `MLSTACK_NVML_LIBRARY`, `CUDA_VISIBLE_DEVICES` and `CUDA_DEVICE_ORDER`.
[[nodiscard]] GpuOptions gpu_options_from_environment(const EnvLookup& lookup);
/// The same, from the process environment (getenv).
[[nodiscard]] GpuOptions gpu_options_from_environment();

/// `options.nvml_library`, or `libnvidia-ml.so.1` when empty.
[[nodiscard]] std::string nvml_library_to_load(const GpuOptions& options);

/// Runs the probe order above. `nvml` may be null: NVML is then not tried (`nvml_status` is
/// `not used`), as for an inspected root file system that is not the running machine.
/// Calls nvml->init() and, when it succeeded, nvml->shutdown() before returning.
[[nodiscard]] facts::GpuFacts gather_gpu_facts(const Nvml* nvml, const io::FileSystem& fs,
                                               const GpuOptions& options);

/// gather_gpu_facts with a RealNvml loading nvml_library_to_load(options).
[[nodiscard]] facts::GpuFacts gather_gpu_facts(const io::FileSystem& fs, const GpuOptions& options);

}  // namespace mlstack::gpu
