// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/pep508/detail/marker_tree.hpp"
#include "mlstack/pep508/marker_environment.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace mlstack::pep508 {

/// A PEP 508 environment marker such as `python_version >= "3.9" and extra == "gpu"`, with the
/// semantics of `packaging.markers.Marker` 26.3 (as vendored by pip 26.3).
// marker      = marker_atom (BOOLOP marker_atom)*
// marker_atom = WS? '(' WS? marker WS? ')' WS? | WS? marker_var WS? marker_op WS? marker_var WS?
// marker_var  = VARIABLE | QUOTED_STRING       marker_op = 'in' | 'not' WS 'in' | OP
class Marker {
 public:
  /// Parses as `Marker(text)`; the error is packaging's `InvalidMarker`, such as
  /// ```
  /// expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in, found `=`
  ///     os_name = "nt"
  ///             ^
  /// ```
  [[nodiscard]] static Result<Marker> parse(std::string_view text);

  /// `Marker.evaluate({"extra": extra})` as pip calls it, on the interpreter described by
  /// `environment`. Where packaging raises (`UndefinedComparison` such as `os_name ~= "1"`,
  /// `UndefinedEnvironmentName` such as `"a" in extras`), the error has packaging's `str(e)`
  /// as message: `invalid_data` for the first, `not_found` for the second.
  [[nodiscard]] Result<bool> try_evaluate(const MarkerEnvironment& environment,
                                          std::string_view extra) const;
  /// `try_evaluate`, with false where packaging raises.
  [[nodiscard]] bool evaluate(const MarkerEnvironment& environment, std::string_view extra) const;

  /// `str(Marker)`: double quotes (single where the value holds `"`), one space around
  /// operators, parentheses as packaging prints them. Such as `os_name == "nt" or (a and b)`.
  [[nodiscard]] std::string to_string() const { return detail::format_marker(m_markers); }

  /// True when the marker refers to the `extra` variable.
  [[nodiscard]] bool mentions_extra() const;

  /// The parsed tree, in packaging's `_markers` shape.
  [[nodiscard]] const detail::MarkerList& markers() const noexcept { return m_markers; }

  /// `Marker.__eq__`: equal printed forms.
  friend bool operator==(const Marker& a, const Marker& b) {
    return a.to_string() == b.to_string();
  }

  /// Builds a marker from an already parsed and normalized list (used by `Requirement`).
  [[nodiscard]] static Marker from_markers(detail::MarkerList markers) {
    Marker m;
    m.m_markers = std::move(markers);
    return m;
  }

 private:
  detail::MarkerList m_markers;
};

}  // namespace mlstack::pep508

/// `hash(Marker)`: hash of the printed form.
template <>
struct std::hash<mlstack::pep508::Marker> {
  std::size_t operator()(const mlstack::pep508::Marker& m) const {
    return std::hash<std::string>{}(m.to_string());
  }
};
