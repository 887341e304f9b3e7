// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/gpu_facts.hpp"

#include <nlohmann/json_fwd.hpp>

namespace mlstack::facts {

/// GpuFacts as the `gpu` object of `doctor --json`, keys in this order:
/// `{"driver_version": "580.159.04", "cuda_driver_version": "13.0", "source": "nvml",
///   "kernel_module_version": "580.159.04", "nvml_version": "13.580.159.04",
///   "devices": [{"index": 0, "name": "NVIDIA H200", "uuid": "GPU-...",
///                "memory_total_mib": 143771, "compute_capability": "9.0", "mig": "disabled",
///                "processes": [{"pid": 4242, "used_memory_mib": 107927}],
///                "mig_devices": []}],
///   "problems": []}`.
/// Each device ends with `"mig_devices"`: `[]` unless MIG is enabled, else
/// `[{"index": 0, "uuid": "MIG-...", "name": "NVIDIA A100-SXM4-80GB MIG 3g.40gb",
///    "gpu_instance_id": 2, "compute_instance_id": 0, "memory_total_mib": 40192,
///    "cuda_ordinal": 0}]` (`cuda_ordinal` is `null` unless a `CUDA_VISIBLE_DEVICES=MIG-...` list
/// makes that MIG device a CUDA device).
/// A string mlstack could not read (empty in GpuFacts) is written as `null`; `source` is
/// `"none"` when no driver was found. A process whose memory NVML could not report has
/// `"used_memory_mib": null`. Keys are only ever added to this schema.
[[nodiscard]] nlohmann::ordered_json gpu_facts_to_json(const GpuFacts& facts);

}  // namespace mlstack::facts
