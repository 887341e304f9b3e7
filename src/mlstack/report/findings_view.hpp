// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mlstack/rules/finding.hpp"

/// How the reports present findings, shared by the terminal report and the HTML page: the
/// groups findings are shown in, each group's one fix, and the merged `pip install` command.
/// Pure; the strings are not escaped (each renderer escapes for its medium).
namespace mlstack::report {

/// Findings with one id, severity and explanation shown as one: about the same subject (one
/// distribution's missing requirements) or, failing that, giving the same fix (one rule for
/// several frameworks). Groups stand where their first member is.
struct FindingGroup {
  std::vector<const rules::Finding*> members;
};

/// `findings` grouped; a finding that is alone is a group of one.
[[nodiscard]] std::vector<FindingGroup> group_findings(const std::vector<rules::Finding>& findings);

/// The one fix of a group: the members' pip installs merged when they all are installs of one
/// kind for one interpreter, the fix itself when they all give the same, else empty (each
/// member then shows its own).
[[nodiscard]] std::string group_fix(const FindingGroup& group);

/// Evidence every member of the group gives, in the first member's order, once each.
[[nodiscard]] std::vector<std::string_view> shared_evidence(const FindingGroup& group);

/// The `pip install` fixes of every finding, merged into one command per interpreter (as
/// words, `&&` a word); `installs` is how many findings gave one.
struct MergedFix {
  std::size_t installs = 0;
  std::vector<std::vector<std::string>> commands;
};
[[nodiscard]] MergedFix merged_fix(const std::vector<rules::Finding>& findings);

}  // namespace mlstack::report
