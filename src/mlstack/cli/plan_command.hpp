// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "mlstack/cli/exit_code.hpp"
#include "mlstack/plan/plan.hpp"

namespace mlstack::cli {

struct PlanOptions {
  std::string spec;         // the mlstack.toml path
  bool json = false;        // `--json`: the mlstack.plan/1 document
  bool no_resolve = false;  // `--no-resolve`: stop after the framework choice
  // Passed through to the resolver (`uv pip compile` / pip), beside the plan's own indexes.
  std::string index_url;
  std::vector<std::string> extra_index_urls;
  std::vector<std::string> find_links;
  bool no_index = false;  // `--no-index`: only the find-links locations
};

/// The spec at `path` read, parsed and planned against the embedded KB, with or without
/// collisions (`Plan::ok()`); none when the spec cannot be read or is invalid (`code` =
/// usage_error) or the KB does not load (internal_error), the error printed on `err`. Shared
/// by `plan` and `image`.
[[nodiscard]] std::optional<plan::Plan> read_spec_plan(const std::string& path, std::ostream& err,
                                                       ExitCode& code);

/// `mlstack plan`: the plan on `out`, each variant resolved (unless `--no-resolve`); exit 0
/// with a plan whose variants all resolved cleanly, `problems_found` when the package checks
/// find problems in a resolution, `no_plan` when constraints collide (the plan's or the
/// resolver's), `not_resolved` when a variant could not be resolved (no resolver, an index
/// unreachable), `usage_error` for an unreadable or invalid spec.
[[nodiscard]] ExitCode run_plan(const PlanOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mlstack::cli
