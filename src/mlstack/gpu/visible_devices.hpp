// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// `CUDA_VISIBLE_DEVICES`: which GPUs a CUDA process sees, and in which order (pure).
///
/// The rules, as CUDA applies them (CUDA C++ Programming Guide, "CUDA Environment Variables",
/// and PyTorch's re-implementation used before CUDA is initialized,
/// `torch/cuda/__init__.py` `_parse_visible_devices` / `_transform_uuid_to_ordinals` /
/// `_device_count_nvml`):
///
/// 1. Unset: every device, in enumeration order.
/// 2. The value is split on `,`. If it begins with `GPU-` it is a list of GPU UUIDs; if it
///    begins with `MIG-`, a list of MIG device UUIDs; otherwise a list of ordinals.
/// 3. Ordinals are read as strtoul would after trimming whitespace: an optional sign, then the
///    leading digits (`1gpu2` reads as 1). An entry with no leading digits or a negative value
///    ends the list (`0,2,-1,1` → 0, 2). So does an ordinal >= the device count.
/// 4. In a UUID list, an entry that does not start with the list's prefix ends the list.
///    A GPU UUID may be abbreviated to any unique prefix (`GPU-8932f937`); one that matches no
///    device, or more than one, ends the list.
/// 5. A repeated entry (the same ordinal, UUID, or device) makes the whole list empty.
/// 6. The empty string (`CUDA_VISIBLE_DEVICES=`) therefore selects no device.
///
/// Not modelled: CUDA's default `CUDA_DEVICE_ORDER=FASTEST_FIRST` can number devices
/// differently from NVML's PCI bus order; gather reports that when it can matter (mixed GPU
/// models and ordinals). MIG UUIDs are kept as written; mapping them to MIG instances needs
/// the MIG device enumeration (nvmlDeviceGetMigDeviceHandleByIndex), which is not done yet.
namespace mlstack::gpu {

/// What `CUDA_VISIBLE_DEVICES` says, before it is matched to devices.
struct VisibleDevices {
  enum class Kind : std::uint8_t {
    all,        // unset
    ordinals,   // `0,2`
    gpu_uuids,  // `GPU-8932f937-...,GPU-...`
    mig_uuids,  // `MIG-...`
  };
  Kind kind = Kind::all;
  std::vector<std::uint64_t> ordinals;  // kind == ordinals
  std::vector<std::string> uuids;       // kind == gpu_uuids or mig_uuids, as written
};

/// Parses the variable's value (nullopt when unset) by rules 1-6 above, except those that
/// need the devices (an ordinal past the count, a UUID prefix that matches no device).
[[nodiscard]] VisibleDevices parse_cuda_visible_devices(std::optional<std::string_view> value);

/// The devices CUDA would see, as NVML indices in CUDA ordinal order, given the UUIDs of
/// the NVML devices by index. nullopt for MIG UUID lists (see above).
///
/// **Example**: `CUDA_VISIBLE_DEVICES=2,0` on a 4-GPU machine → `{2, 0}`: NVML device 2 is
/// CUDA device 0, NVML device 0 is CUDA device 1.
[[nodiscard]] std::optional<std::vector<std::size_t>> select_visible_devices(
    const VisibleDevices& visible, const std::vector<std::string>& device_uuids);

}  // namespace mlstack::gpu
