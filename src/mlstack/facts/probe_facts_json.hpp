// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "mlstack/facts/probe_facts.hpp"

namespace mlstack::facts {

/// `"probes": {"python", "timeout_s", "jobs", "gpu", "environment", "wall_s", "cpu_s",
/// "results": [{"order", "status", "exit_code", "signal", "wall_s", "cpu_s", "versions",
/// "devices", "backends", "imports", "baseline", "mapped", "mapped_by_devices", "error", "stderr_tail",
/// "output_truncated", "notes"}]}` of the `mlstack.doctor/2` report (docs/doctor.schema.json,
/// docs/probe.md). Unknown strings are `null`; `signal` is `null` unless a signal ended the
/// probe, else its name (`SIGSEGV`), with its number in `signal_number`.
[[nodiscard]] nlohmann::ordered_json probes_to_json(const ProbeFacts& facts);

}  // namespace mlstack::facts
