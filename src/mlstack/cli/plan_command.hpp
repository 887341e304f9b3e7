// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>

#include "mlstack/cli/exit_code.hpp"

namespace mlstack::cli {

struct PlanOptions {
  std::string spec;         // the mlstack.toml path
  bool json = false;        // `--json`: the mlstack.plan/1 document
  bool no_resolve = false;  // `--no-resolve`: stop after the framework choice
};

/// `mlstack plan`: the plan on `out`; exit 0 with a plan, `no_plan` when constraints collide,
/// `usage_error` for an unreadable or invalid spec.
[[nodiscard]] ExitCode run_plan(const PlanOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mlstack::cli
