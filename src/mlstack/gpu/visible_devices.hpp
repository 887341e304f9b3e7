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
/// 7. A `MIG-` list names MIG devices (compute instances), never whole GPUs: see
///    select_visible_mig_devices for how its entries are matched and how many of them CUDA
///    enumerates.
///
/// Not modelled: CUDA's default `CUDA_DEVICE_ORDER=FASTEST_FIRST` can number devices
/// differently from NVML's PCI bus order; gather reports that when it can matter (mixed GPU
/// models and ordinals). Which MIG devices CUDA picks on MIG-enabled GPUs when the variable is
/// unset or holds ordinals or GPU UUIDs.
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
/// the NVML devices by index. nullopt for MIG UUID lists (rule 7: they select no whole GPU).
///
/// **Example**: `CUDA_VISIBLE_DEVICES=2,0` on a 4-GPU machine → `{2, 0}`: NVML device 2 is
/// CUDA device 0, NVML device 0 is CUDA device 1.
[[nodiscard]] std::optional<std::vector<std::size_t>> select_visible_devices(
    const VisibleDevices& visible, const std::vector<std::string>& device_uuids);

/// A MIG device as the `MIG-` rules need it.
struct MigDeviceRef {
  std::size_t gpu = 0;  // its GPU: an index into `device_uuids`
  std::string uuid;     // `MIG-<uuid>`, as nvmlDeviceGetUUID gives it on the MIG handle
  unsigned gpu_instance_id = 0;
  unsigned compute_instance_id = 0;
};

/// How many MIG devices one CUDA process enumerates. NVIDIA Multi-Instance GPU User Guide,
/// "MIG Device Names" > "CUDA Device Enumeration"
/// (https://docs.nvidia.com/datacenter/tesla/mig-user-guide/mig-device-names.html):
enum class MigEnumeration : std::uint8_t {
  /// "With CUDA 11/R450 and CUDA 12/R525, ... a single CUDA process can only enumerate a
  /// single MIG device", and CUDA "will pick the first one available if several of them are
  /// visible". Drivers before R570.
  single_device,
  /// "Starting with CUDA 12/R570, enumeration of a single compute instance (CI) per GPU
  /// instance (GI) is supported", "at most 64 MIG instances across all GPUs"; with several
  /// CIs of one GI listed, "CUDA will pick one from the list" (which one is not said: the
  /// first listed is assumed). Drivers R570 and later.
  one_per_gpu_instance,
};

/// The rule of a driver branch (`550` of `550.54.15`): one_per_gpu_instance from R570 on.
/// A branch of 0 (unknown) gets single_device, the older and stricter rule.
[[nodiscard]] MigEnumeration mig_enumeration_of_driver(unsigned driver_branch);

/// CUDA supports at most this many MIG devices across all GPUs (R570+, same source).
inline constexpr std::size_t k_cuda_max_mig_devices = 64;

/// What a `MIG-` list selects.
struct MigSelection {
  /// The MIG devices CUDA enumerates, as indices into `mig_devices`, in CUDA ordinal order.
  std::vector<std::size_t> selected;
  /// Entries that matched a MIG device CUDA does not enumerate (past the enumeration limit),
  /// as indices into `mig_devices`, in list order.
  std::vector<std::size_t> ignored;
};

/// The MIG devices a `CUDA_VISIBLE_DEVICES=MIG-...` list selects (pure). Empty unless
/// `visible.kind` is mig_uuids.
///
/// Matching, as for GPU UUIDs (rules 4-5): each entry is a MIG device UUID or a unique prefix
/// of one, or the form of drivers before R470, `MIG-<GPU-UUID>/<GPU instance ID>/<compute
/// instance ID>` (the GPU UUID may be a unique prefix, the IDs are decimal); an entry matching
/// no MIG device or several ends the list; two entries naming one MIG device empty it. Then
/// `enumeration` keeps what CUDA enumerates (single_device: the first; one_per_gpu_instance:
/// the first of each GPU instance, up to k_cuda_max_mig_devices); the rest is `ignored`.
///
/// **Example**: on R550, `CUDA_VISIBLE_DEVICES=MIG-c6d4,MIG-cba6` → selected {the MIG device
/// `MIG-c6d4...`}, ignored {`MIG-cba6...`}: the process sees one CUDA device.
[[nodiscard]] MigSelection select_visible_mig_devices(const VisibleDevices& visible,
                                                      const std::vector<std::string>& device_uuids,
                                                      const std::vector<MigDeviceRef>& mig_devices,
                                                      MigEnumeration enumeration);

}  // namespace mlstack::gpu
