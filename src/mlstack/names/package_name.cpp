// SPDX-License-Identifier: MIT
#include "mlstack/names/package_name.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/names/python_case.hpp"

#include <algorithm>

namespace mlstack::names {

std::string canonicalize(std::string_view name) {
  std::string lowered;
  if (std::any_of(name.begin(), name.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    // `name.lower()` first (its Final_Sigma context sees the `.` and `_`), then the runs;
    // ascii_lower below leaves the lowered text as it is.
    lowered = python_lower(name);
    name = lowered;
  }
  std::string out;
  out.reserve(name.size());
  bool in_run = false;
  for (const char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_run) {
        out += '-';
        in_run = true;
      }
      continue;
    }
    in_run = false;
    out += text::ascii_lower(c);
  }
  return out;
}

bool is_valid_project_name(std::string_view name) noexcept {
  if (name.empty()) {
    return false;
  }
  if (!text::is_ascii_alnum(name.front()) || !text::is_ascii_alnum(name.back())) {
    return false;
  }
  for (const char c : name) {
    if (!text::is_ascii_alnum(c) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace mlstack::names
