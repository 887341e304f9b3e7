// SPDX-License-Identifier: MIT
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlstack/base/result.hpp"

namespace mlstack::pep440 {

/// A PEP 440 version such as `1!2.3.0rc1.post2.dev3+cu121`, with the semantics of
/// `packaging.version.Version` (the reference; see docs/ARCHITECTURE.md for the version used).
// version = v? (epoch '!')? release pre? post? dev? local?   (case-insensitive, lenient
// separators, surrounding whitespace allowed) -- PEP 440 "Appendix B" regex, as packaging.
class Version {
 public:
  enum class PreKind : std::uint8_t { a, b, rc };
  struct Pre {
    PreKind kind;
    std::uint64_t number;
    friend auto operator<=>(const Pre&, const Pre&) = default;
  };
  /// One local segment: a number or a lowercase alphanumeric string.
  struct LocalSegment {
    bool is_number;
    std::uint64_t number;
    std::string text;
  };

  /// Parses as `packaging.version.Version(text)` does; error for what it rejects.
  [[nodiscard]] static Result<Version> parse(std::string_view text);

  [[nodiscard]] std::uint64_t epoch() const noexcept;
  [[nodiscard]] const std::vector<std::uint64_t>& release() const noexcept;
  [[nodiscard]] const std::optional<Pre>& pre() const noexcept;
  [[nodiscard]] std::optional<std::uint64_t> post() const noexcept;
  [[nodiscard]] std::optional<std::uint64_t> dev() const noexcept;
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

  /// Order by packaging's `_cmpkey`: trailing zeros of the release are ignored, so
  /// `1.0 == 1.0.0`.
  friend std::strong_ordering operator<=>(const Version& a, const Version& b) noexcept;
  friend bool operator==(const Version& a, const Version& b) noexcept;

 private:
  // implementation-defined members (see version.cpp)
  std::uint64_t m_epoch = 0;
  std::vector<std::uint64_t> m_release;
  std::optional<Pre> m_pre;
  std::optional<std::uint64_t> m_post;
  std::optional<std::uint64_t> m_dev;
  std::vector<LocalSegment> m_local;
};

}  // namespace mlstack::pep440
