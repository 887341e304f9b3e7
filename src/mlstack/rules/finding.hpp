// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mlstack::rules {

enum class Severity { error, warning, info };

[[nodiscard]] std::string_view to_string(Severity s) noexcept;

/// One problem (or notable fact) found in the inspected environment.
/// `id` is stable and documented in docs/rules.md (such as `PKG-MISSING`).
struct Finding {
  std::string id;
  Severity severity = Severity::error;
  std::string title;                  // one line: what is wrong
  std::vector<std::string> subjects;  // normalized names (or paths) it is about
  std::vector<std::string> evidence;  // files, versions, requirement strings
  std::string why;                    // why it matters (may be empty)
  std::string fix;                    // the command or change that fixes it
};

struct FindingCounts {
  int errors = 0;
  int warnings = 0;
  int infos = 0;
};

[[nodiscard]] FindingCounts count(const std::vector<Finding>& findings) noexcept;

}  // namespace mlstack::rules
