// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/pep440/number.hpp"

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::pep440 {

class Version;

namespace detail {
/// Parses `text` (already stripped, no surrounding whitespace allowed) as a whole version.
/// Error spans point into `input`, where `text` starts at byte `offset`. Shared with the
/// specifier parser so its errors point into the specifier. With `too_long` given, a number
/// past Python's `int()` limit is no error: `*too_long` is set and the number is 0.
[[nodiscard]] Result<Version> parse_version_exact(std::string_view text, std::string_view input,
                                                  std::size_t offset, bool* too_long = nullptr);
}  // namespace detail

/// A PEP 440 version such as `1!2.3.0rc1.post2.dev3+cu121`, with the semantics of
/// `packaging.version.Version` 26.3 as vendored by pip 26.3 (the reference).
///
/// **Example**
/// ```
/// Version::parse(" V1.0-ALPHA.2-3_DEV+Ubuntu-1 ")->to_string() == "1.0a2.post3.dev0+ubuntu.1"
/// ```
///
/// Numbers (epoch, release, pre, post, dev and numeric local segments) have any size, as
/// Python's `int`, up to Python's default limit on converting digits to an `int`:
/// a number of more than 4,300 digits makes packaging raise `ValueError` (not
/// `InvalidVersion`), and is an error with code `ErrorCode::unsupported` and Python's message.
// Grammar (PEP 440 appendix B as packaging writes it; case-insensitive, ASCII only):
//   version = WS* 'v'? (N '!')? N ('.' N)* pre? post? dev? ('+' local)? WS*
//   pre     = SEP? ('alpha'|'a'|'beta'|'b'|'preview'|'pre'|'c'|'rc') SEP? N?
//   post    = '-' N | SEP? ('post'|'rev'|'r') SEP? N?
//   dev     = SEP? 'dev' SEP? N?
//   local   = ALNUM+ (SEP ALNUM+)*          SEP = '.' | '_' | '-'    N = [0-9]+
// WS is Python's `str.isspace()` set, Unicode included (decoded from UTF-8).
class Version {
 public:
  enum class PreKind : std::uint8_t { a, b, rc };
  struct Pre {
    PreKind kind;
    Number number;
    friend auto operator<=>(const Pre&, const Pre&) = default;
  };
  /// One local segment: a number or a lowercase alphanumeric string.
  struct LocalSegment {
    bool is_number;
    Number number;
    std::string text;
  };

  /// Parses as `packaging.version.Version(text)` does; error for what it rejects.
  [[nodiscard]] static Result<Version> parse(std::string_view text);

  [[nodiscard]] const Number& epoch() const noexcept;
  [[nodiscard]] const std::vector<Number>& release() const noexcept;
  /// Release part `i`, 0 past the end (`1.2` has part 2 = 0), as a machine integer that
  /// saturates at `UINT64_MAX` (for callers that only rank releases, such as the KB).
  [[nodiscard]] std::uint64_t release_part(std::size_t i) const noexcept;
  [[nodiscard]] const std::optional<Pre>& pre() const noexcept;
  [[nodiscard]] const std::optional<Number>& post() const noexcept;
  [[nodiscard]] const std::optional<Number>& dev() const noexcept;
  [[nodiscard]] const std::vector<LocalSegment>& local() const noexcept;

  [[nodiscard]] bool is_prerelease() const noexcept;  // has pre or dev
  [[nodiscard]] bool is_postrelease() const noexcept;
  [[nodiscard]] bool is_devrelease() const noexcept;

  /// Normalized text, equal to `str(packaging.version.Version(text))`.
  [[nodiscard]] std::string to_string() const;
  /// `1!2.0` of `1!2.0rc1+local` (packaging `base_version`).
  [[nodiscard]] std::string base_version() const;
  /// Without the local part (packaging `public`).
  [[nodiscard]] std::string public_version() const;
  /// The local label as written in normalized form (`cu121`), empty when none.
  [[nodiscard]] std::string local_string() const;
  /// `to_string()` with trailing zeros of the release removed, keeping at least one
  /// component: packaging's `canonicalize_version(v)` (`1.0.0` → `1`, `0.0` → `0`).
  [[nodiscard]] std::string canonical_string() const;

  /// A copy with the dev-release number set and the local label dropped, such as
  /// `1.0.post1.dev0` from `1.0.post1+abc` (packaging `__replace__(dev=n, local=None)`).
  [[nodiscard]] Version with_dev(std::uint64_t dev) const;

  /// Compares as `operator<=>` but ignores the local label, so `1.0+a` is equivalent to
  /// `1.0`: the PEP 440 "public version" comparison the specifiers use.
  [[nodiscard]] static std::strong_ordering compare_public(const Version& a,
                                                           const Version& b) noexcept;

  /// Order by packaging's `_cmpkey`: trailing zeros of the release are ignored, so
  /// `1.0 == 1.0.0`.
  // Key, compared lexicographically: (epoch, release padded with zeros, suffix, local) where
  // suffix = (pre_rank, pre_n, post_rank, post_n, dev_rank, dev_n) with pre_rank -1 for a
  // dev-only release, 0/1/2 for a/b/rc, 3 for none; post_rank 0 none / 1 some; dev_rank
  // 0 some / 1 none. No local sorts first; local segments: a string sorts before any number,
  // strings by bytes, numbers by value, a prefix before a longer label.
  friend std::strong_ordering operator<=>(const Version& a, const Version& b) noexcept;
  friend bool operator==(const Version& a, const Version& b) noexcept;

 private:
  friend Result<Version> detail::parse_version_exact(std::string_view text, std::string_view input,
                                                     std::size_t offset, bool* too_long);

  Number m_epoch;
  std::vector<Number> m_release;
  std::optional<Pre> m_pre;
  std::optional<Number> m_post;
  std::optional<Number> m_dev;
  std::vector<LocalSegment> m_local;
};

}  // namespace mlstack::pep440
