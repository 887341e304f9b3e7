// SPDX-License-Identifier: MIT
#pragma once

#include <compare>
#include <string>
#include <string_view>

namespace mlstack::names {

/// PEP 503 normalization, as `packaging.utils.canonicalize_name`: the name lowercased as
/// Python's `str.lower()` does (`python_case.hpp`: full Unicode, `Kelvin` with U+212A KELVIN
/// SIGN is `kelvin`), then runs of `-`, `_` and `.` become one `-`. Such as `Foo.Bar_baz` →
/// `foo-bar-baz`. All-ASCII names never leave the ASCII fast path.
[[nodiscard]] std::string canonicalize(std::string_view name);

/// True when `name` is a valid project name per PEP 508 / core metadata:
/// `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, ASCII case-insensitive (packaging's
/// `re.IGNORECASE | re.ASCII`). pip's check of installed names is Unicode case-insensitive:
/// `matches_pip_name_pattern` in `python_case.hpp`.
[[nodiscard]] bool is_valid_project_name(std::string_view name) noexcept;

/// A normalized distribution name such as `scikit-learn`. Compares by the normalized form.
class PackageName {
 public:
  PackageName() = default;
  /// Normalizes any spelling; validity is checked by the parsers that produce names.
  [[nodiscard]] static PackageName from(std::string_view any_spelling) {
    return PackageName(canonicalize(any_spelling));
  }
  [[nodiscard]] const std::string& str() const noexcept { return m_name; }
  [[nodiscard]] bool empty() const noexcept { return m_name.empty(); }

  friend auto operator<=>(const PackageName&, const PackageName&) = default;
  friend bool operator==(const PackageName&, const PackageName&) = default;

 private:
  explicit PackageName(std::string n) : m_name(std::move(n)) {}
  std::string m_name;
};

/// An extra name, normalized the same way (PEP 685).
using ExtraName = PackageName;

}  // namespace mlstack::names

template <>
struct std::hash<mlstack::names::PackageName> {
  std::size_t operator()(const mlstack::names::PackageName& n) const noexcept {
    return std::hash<std::string>{}(n.str());
  }
};
