// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mlstack/base/result.hpp"
#include "mlstack/pep440/version.hpp"

namespace mlstack::pep440 {

/// How pre-releases are treated by `contains` (packaging's `prereleases` argument:
/// `None` → `by_default`, `True` → `allow`, `False` → `deny`).
enum class Prereleases { by_default, allow, deny };

enum class Operator { compatible, equal, not_equal, less_equal, greater_equal, less, greater,
                      arbitrary };

/// One PEP 440 version specifier such as `>=2.1`, `==1.*`, `~=3.8`, `===foo`,
/// with the semantics of `packaging.specifiers.Specifier`.
class Specifier {
 public:
  [[nodiscard]] static Result<Specifier> parse(std::string_view text);

  [[nodiscard]] Operator op() const noexcept;
  /// The version part as written (stripped), such as `1.*` or `2.0`.
  [[nodiscard]] const std::string& version_text() const noexcept;
  /// `str(Specifier)`: operator then version, no spaces.
  [[nodiscard]] std::string to_string() const;

  [[nodiscard]] bool contains(const Version& v,
                              Prereleases prereleases = Prereleases::by_default) const;
  /// `contains` on text: an invalid version is not contained (except by `===`), as packaging.
  [[nodiscard]] bool contains(std::string_view version_text,
                              Prereleases prereleases = Prereleases::by_default) const;

  /// Equality as packaging's `Specifier.__eq__` (canonical form).
  friend bool operator==(const Specifier& a, const Specifier& b);

 private:
  Operator m_op = Operator::equal;
  std::string m_version;  // as written, stripped
  // implementation may add members
};

/// A comma-separated set such as `>=1.0,!=1.3.*,<2`, as `packaging.specifiers.SpecifierSet`.
class SpecifierSet {
 public:
  [[nodiscard]] static Result<SpecifierSet> parse(std::string_view text);

  [[nodiscard]] bool empty() const noexcept { return m_specs.empty(); }
  [[nodiscard]] const std::vector<Specifier>& specifiers() const noexcept { return m_specs; }
  /// `str(SpecifierSet)`: the specifiers' strings, sorted, joined with `,`.
  [[nodiscard]] std::string to_string() const;

  [[nodiscard]] bool contains(const Version& v,
                              Prereleases prereleases = Prereleases::by_default) const;

  /// Equality as packaging (same set of canonical specifiers).
  friend bool operator==(const SpecifierSet& a, const SpecifierSet& b);

 private:
  std::vector<Specifier> m_specs;
};

}  // namespace mlstack::pep440
