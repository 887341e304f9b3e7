// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "mlstack/facts/build_facts.hpp"

namespace mlstack::facts {

/// `"frameworks": [{"name", "distributions", "version", "cuda", "cudnn", "nccl", "gpu_build",
/// "archs", "evidence", ...}]` of the `mlstack.doctor/2` report (docs/doctor.schema.json).
/// Each of cuda/cudnn/nccl is `{"value", "source"}`, or `null` when unknown; every unknown
/// string is `null`; `archs` is `null` when unknown, `[]` when the build has none by design.
[[nodiscard]] nlohmann::ordered_json frameworks_to_json(const BuildFacts& facts);

/// `"cuda_libraries": [{"name", "version", "version_source", "path", "origin", "package"}]`.
[[nodiscard]] nlohmann::ordered_json cuda_libraries_to_json(const BuildFacts& facts);

}  // namespace mlstack::facts
