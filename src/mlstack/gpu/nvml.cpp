// SPDX-License-Identifier: MIT
#include "mlstack/gpu/nvml.hpp"

namespace mlstack::gpu {

std::string nvml_status_name(NvmlStatus status) {
  switch (status) {
    case NvmlStatus::success:
      return "NVML_SUCCESS";
    case NvmlStatus::uninitialized:
      return "NVML_ERROR_UNINITIALIZED";
    case NvmlStatus::invalid_argument:
      return "NVML_ERROR_INVALID_ARGUMENT";
    case NvmlStatus::not_supported:
      return "NVML_ERROR_NOT_SUPPORTED";
    case NvmlStatus::no_permission:
      return "NVML_ERROR_NO_PERMISSION";
    case NvmlStatus::already_initialized:
      return "NVML_ERROR_ALREADY_INITIALIZED";
    case NvmlStatus::not_found:
      return "NVML_ERROR_NOT_FOUND";
    case NvmlStatus::insufficient_size:
      return "NVML_ERROR_INSUFFICIENT_SIZE";
    case NvmlStatus::insufficient_power:
      return "NVML_ERROR_INSUFFICIENT_POWER";
    case NvmlStatus::driver_not_loaded:
      return "NVML_ERROR_DRIVER_NOT_LOADED";
    case NvmlStatus::timeout:
      return "NVML_ERROR_TIMEOUT";
    case NvmlStatus::irq_issue:
      return "NVML_ERROR_IRQ_ISSUE";
    case NvmlStatus::library_not_found:
      return "NVML_ERROR_LIBRARY_NOT_FOUND";
    case NvmlStatus::function_not_found:
      return "NVML_ERROR_FUNCTION_NOT_FOUND";
    case NvmlStatus::corrupted_inforom:
      return "NVML_ERROR_CORRUPTED_INFOROM";
    case NvmlStatus::gpu_is_lost:
      return "NVML_ERROR_GPU_IS_LOST";
    case NvmlStatus::reset_required:
      return "NVML_ERROR_RESET_REQUIRED";
    case NvmlStatus::operating_system:
      return "NVML_ERROR_OPERATING_SYSTEM";
    case NvmlStatus::lib_rm_version_mismatch:
      return "NVML_ERROR_LIB_RM_VERSION_MISMATCH";
    case NvmlStatus::in_use:
      return "NVML_ERROR_IN_USE";
    case NvmlStatus::memory:
      return "NVML_ERROR_MEMORY";
    case NvmlStatus::no_data:
      return "NVML_ERROR_NO_DATA";
    case NvmlStatus::vgpu_ecc_not_supported:
      return "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED";
    case NvmlStatus::insufficient_resources:
      return "NVML_ERROR_INSUFFICIENT_RESOURCES";
    case NvmlStatus::freq_not_supported:
      return "NVML_ERROR_FREQ_NOT_SUPPORTED";
    case NvmlStatus::argument_version_mismatch:
      return "NVML_ERROR_ARGUMENT_VERSION_MISMATCH";
    case NvmlStatus::deprecated:
      return "NVML_ERROR_DEPRECATED";
    case NvmlStatus::not_ready:
      return "NVML_ERROR_NOT_READY";
    case NvmlStatus::gpu_not_found:
      return "NVML_ERROR_GPU_NOT_FOUND";
    case NvmlStatus::invalid_state:
      return "NVML_ERROR_INVALID_STATE";
    case NvmlStatus::unknown:
      return "NVML_ERROR_UNKNOWN";
  }
  return "NVML_ERROR_" + std::to_string(static_cast<int>(status));
}

}  // namespace mlstack::gpu
