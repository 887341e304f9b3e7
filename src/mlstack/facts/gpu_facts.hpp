// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlstack::facts {

/// A number and where it was read (`nvml:nvmlSystemGetDriverVersion`,
/// `/proc/driver/nvidia/version`, `nvidia/cudnn/lib/libcudnn.so.9 (soname)`, ...).
struct Sourced {
  std::string value;
  std::string source;
};

struct GpuProcess {
  std::uint32_t pid = 0;
  std::uint64_t used_memory_mib = 0;
  // Added by gpu: false when NVML reports NVML_VALUE_NOT_AVAILABLE (used_memory_mib is then 0).
  bool used_memory_known = true;
};

/// A MIG device of a MIG-enabled GPU: one compute instance in one GPU instance, which CUDA
/// sees as a device of its own (NVML: nvmlDeviceGetMigDeviceHandleByIndex).
struct MigDevice {
  int index = 0;     // the MIG device index on its GPU (nvidia-smi's "MIG Dev")
  std::string uuid;  // `MIG-<uuid>` (drivers >= R470)
  std::string name;  // `NVIDIA A100-SXM4-80GB MIG 3g.40gb`; empty when NVML did not say
  std::uint32_t gpu_instance_id = 0;
  std::uint32_t compute_instance_id = 0;
  std::uint64_t memory_total_mib = 0;  // the GPU instance's memory; 0 when unknown
  // The CUDA ordinal this MIG device gets under a `CUDA_VISIBLE_DEVICES=MIG-...` list; -1 when
  // CUDA would not enumerate it or when that is not known (the variable unset or ordinals).
  int cuda_ordinal = -1;
};

struct GpuDevice {
  int index = 0;  // NVML index (PCI bus order); the CUDA ordinal is `cuda_ordinal`
  std::string name;
  std::string uuid;
  std::string pci_bus_id;
  std::uint64_t memory_total_mib = 0;
  std::uint64_t memory_used_mib = 0;
  std::string compute_capability;  // `9.0`
  std::string mig;                 // `disabled`, `enabled`, `unsupported`
  std::vector<GpuProcess> compute_processes;
  std::vector<MigDevice> mig_devices;  // by MIG device index; empty unless `mig` is `enabled`
  // Added by gpu:
  // The CUDA ordinal this device gets under CUDA_VISIBLE_DEVICES (its position in the list),
  // equal to `index` when the variable is unset; -1 under a `MIG-<uuid>` list (the GPU itself is
  // then no CUDA device: its MIG devices are, see MigDevice::cuda_ordinal).
  int cuda_ordinal = -1;
};

/// The NVIDIA driver and GPUs of the machine mlstack runs on.
struct GpuFacts {
  bool driver_present = false;
  std::string driver_version;           // `580.159.04` (user-space NVML, else kernel module)
  std::string kernel_module_version;    // from /proc/driver/nvidia/version or /sys/module
  std::string cuda_driver_api_version;  // what the driver supports, `13.0`
  std::string nvml_version;
  std::string source;                // `nvml`, `proc`, `sysfs`, `none`
  std::string cuda_visible_devices;  // as set, empty when unset
  bool cuda_visible_devices_set = false;
  std::vector<GpuDevice> devices;
  std::vector<std::string> problems;  // NVML errors, mismatches, unreadable files
  // CUDA_VISIBLE_DEVICES / CUDA_DEVICE_ORDER: GPUs a CUDA process will not use or may number
  // differently from NVML (each `...; hint: ...`).
  std::vector<std::string> visibility_problems;
  // Added by gpu:
  std::string nvml_library;            // what was dlopen'ed (the resolved path when it loaded)
  std::string nvml_status;             // `ok`, `not loaded: ...`, `stub: ...`, `init failed: ...`
  std::string kernel_module_flavor;    // `proprietary` or `open` (from /proc), else empty
  std::size_t total_device_count = 0;  // devices NVML sees before CUDA_VISIBLE_DEVICES
};

}  // namespace mlstack::facts
