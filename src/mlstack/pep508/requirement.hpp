// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/names/package_name.hpp"
#include "mlstack/pep440/specifier.hpp"
#include "mlstack/pep508/marker.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::pep508 {

/// A PEP 508 requirement such as `torch[cuda]>=2.1; sys_platform == "linux"`, with the
/// semantics of `packaging.requirements.Requirement` 26.3 (as vendored by pip 26.3).
// requirement         = WS? IDENTIFIER WS? extras WS? requirement_details END
// extras              = ('[' WS? (IDENTIFIER (WS? ',' WS? IDENTIFIER)*)? WS? ']')?
// requirement_details = '@' WS? URL ((WS (';' marker WS?)?)? | specifier WS? (';' marker WS?)?
// specifier           = '(' WS? version_many WS? ')' | WS? version_many WS?
// version_many        = (SPECIFIER (WS? ',' WS? SPECIFIER)*)?
// WS is only space and tab: a line break outside a specifier is an error, as in packaging.
class Requirement {
 public:
  /// Parses as `Requirement(text)`; the error is packaging's `InvalidRequirement`, such as
  /// ```
  /// expected semicolon (after name with no version specifier) or end, found `>=`
  ///     torch>=; python_version > "3.8"
  ///          ^
  /// ```
  [[nodiscard]] static Result<Requirement> parse(std::string_view text);

  /// The name as written, such as `Scikit_Learn`.
  [[nodiscard]] const std::string& name() const noexcept { return m_name; }
  /// The normalized name, such as `scikit-learn`.
  [[nodiscard]] names::PackageName package_name() const { return names::PackageName::from(m_name); }
  /// The extras as written, in order, without exact duplicates (packaging keeps a set).
  [[nodiscard]] const std::vector<std::string>& extras() const noexcept { return m_extras; }
  [[nodiscard]] const pep440::SpecifierSet& specifier() const noexcept { return m_specifier; }
  /// The URL after `@`, when there is one.
  [[nodiscard]] const std::optional<std::string>& url() const noexcept { return m_url; }
  [[nodiscard]] const std::optional<Marker>& marker() const noexcept { return m_marker; }

  /// `str(Requirement)`: name, sorted extras, `str(SpecifierSet)`, ` @ url`, `; marker`,
  /// such as `torch[cuda,dev]<3,>=2.1; sys_platform == "linux"`.
  [[nodiscard]] std::string to_string() const;

  /// `Requirement.__eq__`: normalized names, sets of normalized extras, equal specifier sets,
  /// URLs and markers.
  friend bool operator==(const Requirement& a, const Requirement& b);

  /// A hash consistent with `==`.
  [[nodiscard]] std::size_t hash() const;

 private:
  std::string m_name;
  std::vector<std::string> m_extras;
  pep440::SpecifierSet m_specifier;
  std::optional<std::string> m_url;
  std::optional<Marker> m_marker;
};

/// packaging's `str(InvalidRequirement)` / `str(InvalidMarker)` for a parse error of this
/// module: the packaging message, then the input and `~~~^` under it, indented by four
/// spaces, with columns counted in code points as Python does. pip prints this text.
[[nodiscard]] std::string packaging_error_text(const Error& error);

}  // namespace mlstack::pep508

template <>
struct std::hash<mlstack::pep508::Requirement> {
  std::size_t operator()(const mlstack::pep508::Requirement& r) const { return r.hash(); }
};
