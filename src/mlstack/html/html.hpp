// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlstack/report/report.hpp"

/// `doctor --html FILE`: the doctor report as one self-contained HTML page (docs/html.md).
/// Pure: the caller writes the page.
namespace mlstack::html {

/// The page: inline CSS, no script, nothing loaded from anywhere (a Content-Security-Policy
/// meta forbids it). Every string from the inspected environment is escaped: control
/// characters as the terminal report writes them (text::escape_controls), then `&<>"'` as
/// entities; invalid UTF-8 as U+FFFD.
void render_html(const report::Report& report, std::ostream& out);

/// `s` as HTML text or attribute value (see render_html).
[[nodiscard]] std::string escape(std::string_view s);

/// One requirement edge between two distributions, with what is installed.
struct Edge {
  std::string from;  // the distribution that requires (canonical name)
  std::string from_version;
  std::string requirement;  // as normalized: `numpy<2,>=1.23`
  std::string to;           // the required distribution (canonical name)
  std::string to_version;   // empty: not installed
  bool satisfied = false;   // installed, in a version the specifier contains (pre-releases too)
};

/// The dependency neighbourhood of a distribution a package finding is about: what requires
/// it, what it requires, and what requires its requirers (one level further up).
struct DependencyPath {
  std::string name;                      // canonical
  std::string version;                   // empty: not installed
  std::vector<std::string> finding_ids;  // the package findings about it, unique, in order
  std::vector<Edge> required_by;
  std::vector<Edge> requires_;
  // For each requirer in `required_by` (by name): who requires it; none: installed directly.
  std::vector<std::pair<std::string, std::vector<std::string>>> requirers_of;
};

/// One path per distribution a package finding (`PKG-*`) is about, in finding order: the
/// required package of a missing or conflicting requirement (the second subject), else the
/// finding's distribution. Built from Report::distributions' `depends`.
[[nodiscard]] std::vector<DependencyPath> dependency_paths(const report::Report& report);

}  // namespace mlstack::html
