// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/pep440/detail/packed_text.hpp"
#include "mlstack/pep440/version.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::pep440 {

/// How pre-releases are treated by `contains` (packaging's `prereleases` argument:
/// `None` → `by_default`, `True` → `allow`, `False` → `deny`).
///
/// With packaging 26.x, `contains` on one version never rejects a pre-release by default
/// (a single candidate has no alternative, so PEP 440's "accept pre-releases when nothing
/// else matches" applies): `by_default` behaves as `allow` there, and only `deny` excludes.
enum class Prereleases { by_default, allow, deny };

enum class Operator : std::uint8_t {
  compatible,
  equal,
  not_equal,
  less_equal,
  greater_equal,
  less,
  greater,
  arbitrary
};

/// One PEP 440 version specifier such as `>=2.1`, `==1.*`, `~=3.8`, `===foo`,
/// with the semantics of `packaging.specifiers.Specifier` 26.3.
///
/// **Example**
/// ```
/// auto s = Specifier::parse(" == 1.0.* ");  // s->to_string() == "==1.0.*"
/// s->contains(Version::parse("1.0.3+local").value())  // true
/// ```
// specifier  = WS* ( '===' WS* [^WS;)]*
//                  | ('=='|'!=') WS* release ('.*' | pre? post? dev? ('+' local)?)
//                  | '~=' WS* release-with-at-least-two-parts pre? post? dev?
//                  | ('<='|'>='|'<'|'>') WS* release pre? post? dev? ) WS*
// where release = 'v'? (N '!')? N ('.' N)* and the parts are those of `Version`.
//
// A Specifier keeps only its operator, flags and text (16 bytes, no heap for versions of up to
// 14 characters) and parses the version where it is used, as packaging does: a
// `Requires-Dist` of a million specifiers stays within a small multiple of its size.
class Specifier {
 public:
  /// `==` with an empty version (what `parse` overwrites).
  Specifier() noexcept { set_flags(Operator::equal, false, false); }
  [[nodiscard]] static Result<Specifier> parse(std::string_view text);

  [[nodiscard]] Operator op() const noexcept;
  /// The version part as written (stripped), such as `1.*` or `2.0`.
  [[nodiscard]] std::string_view version_text() const noexcept;
  /// The parsed version (without a trailing `.*`), parsed on each call; empty for `===` on a
  /// string that is not a valid version, and where `exceeds_int_limit()`.
  [[nodiscard]] std::optional<Version> version() const;
  /// Whether the version has a number of more digits than Python's `int()` converts
  /// (`k_python_int_max_str_digits`): packaging accepts such a specifier but raises
  /// `ValueError` where it uses the version. `contains` is then false.
  [[nodiscard]] bool exceeds_int_limit() const noexcept;
  /// Whether the version ends in `.*` (only with `==` and `!=`).
  [[nodiscard]] bool has_wildcard() const noexcept;
  /// `str(Specifier)`: operator then version, no spaces.
  [[nodiscard]] std::string to_string() const;
  /// packaging's `Specifier.prereleases` when no override was given: `deny` for `!=` and
  /// `==V.*`, `allow` when the version names a pre-release, `by_default` for `===` on a
  /// non-version, `deny` otherwise.
  [[nodiscard]] Prereleases prereleases() const;

  [[nodiscard]] bool contains(const Version& v,
                              Prereleases prereleases = Prereleases::by_default) const;
  /// `contains` on text: an invalid version is not contained, except that `===` compares
  /// the text as given (not stripped; both sides lowercased by Python's `str.lower()`,
  /// `names/python_case.hpp`) whether or not it is a version.
  [[nodiscard]] bool contains(std::string_view version_text,
                              Prereleases prereleases = Prereleases::by_default) const;

  /// Equality as packaging's `Specifier.__eq__`: same operator and same canonical version
  /// (`==1.0` equals `==1.0.0`, `~=1.0` does not equal `~=1.0.0`).
  friend bool operator==(const Specifier& a, const Specifier& b);

 private:
  /// The version of a specifier other than `===` (validated by `parse`).
  [[nodiscard]] Version parsed() const;
  [[nodiscard]] bool matches(const Version& v, const Version& spec) const;
  [[nodiscard]] bool matches_equal(const Version& v, const Version& spec) const;
  /// packaging's `_canonical_spec` version part.
  [[nodiscard]] std::string canonical_version() const;
  friend class SpecifierSet;

  // The version as written (stripped); its spare byte holds the operator (bits 0-2), whether
  // it ends in `.*` (bit 3) and `exceeds_int_limit()` (bit 4).
  static constexpr std::uint8_t k_op_bits = 0x07;
  static constexpr std::uint8_t k_wildcard_bit = 0x08;
  static constexpr std::uint8_t k_too_long_bit = 0x10;
  void set_flags(Operator op, bool wildcard, bool too_long) noexcept;

  detail::PackedText m_version;
};

/// A comma-separated set such as `>=1.0,!=1.3.*,<2`, as `packaging.specifiers.SpecifierSet`.
/// Empty items are skipped, so `""` and `" , "` are the empty set, which contains everything.
class SpecifierSet {
 public:
  [[nodiscard]] static Result<SpecifierSet> parse(std::string_view text);

  [[nodiscard]] bool empty() const noexcept { return m_specs.empty(); }
  /// In the order written.
  [[nodiscard]] const std::vector<Specifier>& specifiers() const noexcept { return m_specs; }
  /// `str(SpecifierSet)`: the specifiers' strings, sorted, duplicates (by `==`) removed
  /// (the first in sorted order kept), joined with `,`.
  [[nodiscard]] std::string to_string() const;
  /// packaging's `SpecifierSet.prereleases` when no override was given: `allow` when one of
  /// the specifiers allows pre-releases, `by_default` otherwise.
  [[nodiscard]] Prereleases prereleases() const;
  /// Whether one of the specifiers `exceeds_int_limit()`: packaging raises `ValueError`
  /// where it compares a version with this set.
  [[nodiscard]] bool exceeds_int_limit() const noexcept;

  [[nodiscard]] bool contains(const Version& v,
                              Prereleases prereleases = Prereleases::by_default) const;
  /// `contains` on text: as packaging, an invalid version is contained only by the empty set
  /// and by sets made only of `===` specifiers that match it.
  [[nodiscard]] bool contains(std::string_view version_text,
                              Prereleases prereleases = Prereleases::by_default) const;

  /// Equality as packaging (same set of canonical specifiers).
  friend bool operator==(const SpecifierSet& a, const SpecifierSet& b);

 private:
  /// Indexes into the specifiers in packaging's canonical order: sorted by string, the
  /// first of equal ones (`Specifier::operator==`) kept.
  [[nodiscard]] std::vector<std::uint32_t> canonical_order() const;

  std::vector<Specifier> m_specs;
};

}  // namespace mlstack::pep440
