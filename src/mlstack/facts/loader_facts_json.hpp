// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "mlstack/facts/loader_facts.hpp"

namespace mlstack::facts {

/// `"loader"` of the `mlstack.doctor/2` report (docs/doctor.schema.json): `emulated`,
/// `skipped`, `settings` (`interpreter`, `ld_library_path`, `cache`, `default_dirs`),
/// `scenarios` (`order`, `libraries` with `library`, `path`, `real_path`, `soname`, `version`
/// `{"value", "source"}`, `origin`, `package`, `rule`, `why`, `loaded_by`, `when`; `missing`,
/// `missing_versions`, `problems`), `gpu_code` and `problems`. Unknown strings are `null`.
[[nodiscard]] nlohmann::ordered_json loader_facts_to_json(const LoaderFacts& facts);

}  // namespace mlstack::facts
