// SPDX-License-Identifier: MIT
#include "mlstack/rules/finding.hpp"

namespace mlstack::rules {

std::string_view to_string(Severity s) noexcept {
  switch (s) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::info:
      return "info";
  }
  return "error";
}

FindingCounts count(const std::vector<Finding>& findings) noexcept {
  FindingCounts c;
  for (const Finding& f : findings) {
    switch (f.severity) {
      case Severity::error:
        ++c.errors;
        break;
      case Severity::warning:
        ++c.warnings;
        break;
      case Severity::info:
        ++c.infos;
        break;
    }
  }
  return c;
}

}  // namespace mlstack::rules
