// SPDX-License-Identifier: MIT
#include "mlstack/report/health.hpp"

#include <fmt/format.h>

#include "mlstack/base/text.hpp"

namespace mlstack::report {
namespace {

// One line: control characters escaped, line breaks and tabs made spaces, runs of spaces
// kept (they are the finding's own text).
std::string one_line(std::string_view s) {
  std::string out = text::escape_controls(s);
  for (char& c : out) {
    if (c == '\n' || c == '\t') {
      c = ' ';
    }
  }
  return out;
}

// `s` cut to `max` bytes without splitting a UTF-8 sequence, `…` marking the cut.
std::string bounded(std::string s, std::size_t max) {
  if (s.size() <= max) {
    return s;
  }
  constexpr std::string_view k_ellipsis = "\xe2\x80\xa6";
  std::size_t cut = max - k_ellipsis.size();
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0U) == 0x80U) {
    --cut;  // a continuation byte: back to the start of its character
  }
  s.resize(cut);
  s += k_ellipsis;
  return s;
}

}  // namespace

HealthStatus health_status(const std::vector<rules::Finding>& findings, bool strict) {
  const rules::Finding* first_error = nullptr;
  const rules::Finding* first_warning = nullptr;
  int counted = 0;
  for (const rules::Finding& f : findings) {
    if (f.severity == rules::Severity::error) {
      first_error = first_error == nullptr ? &f : first_error;
      ++counted;
    } else if (f.severity == rules::Severity::warning && strict) {
      first_warning = first_warning == nullptr ? &f : first_warning;
      ++counted;
    }
  }
  const rules::Finding* first = first_error != nullptr ? first_error : first_warning;
  if (first == nullptr) {
    return {true, "healthy"};
  }
  std::string line = fmt::format("unhealthy: {} {}", one_line(first->id), one_line(first->title));
  const int more = counted - 1;
  const std::string tail =
      more > 0 ? fmt::format(" (+{} more {})", more, strict ? "problems" : "errors") : "";
  // The count stays visible when the title is cut.
  line = bounded(std::move(line), k_max_health_line - tail.size()) + tail;
  return {false, std::move(line)};
}

HealthStatus health_failure(std::string_view what) {
  return {false, bounded("unhealthy: " + one_line(what), k_max_health_line)};
}

}  // namespace mlstack::report
