// SPDX-License-Identifier: MIT
#pragma once

namespace mlstack::cli {

/// Exit codes of every mlstack command (docs/MESSAGES.md).
enum class ExitCode : int {
  healthy = 0,         // nothing wrong found
  problems_found = 1,  // the inspected environment has problems
  usage_error = 2,     // bad command line, unreadable input, unusable target
  internal_error = 3,  // a bug in mlstack
  no_plan = 4,         // `plan`: the spec's constraints collide, no plan exists
  not_resolved = 5,    // `plan`: a variant could not be resolved (no resolver, index unreachable)
};

}  // namespace mlstack::cli
