// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string_view>

/// Python's notion of whitespace (`str.isspace()`, also what `re`'s `\s` matches on str),
/// on UTF-8 text: the ASCII set plus U+001C..U+001F, U+0085, U+00A0, U+1680,
/// U+2000..U+200A, U+2028, U+2029, U+202F, U+205F and U+3000.
namespace mlstack::pep440::detail {

/// Byte length of the whitespace character starting at `s[i]`, or 0 when there is none.
[[nodiscard]] std::size_t python_space_at(std::string_view s, std::size_t i) noexcept;
/// Byte length of the whitespace character ending just before `s[end]`, or 0.
[[nodiscard]] std::size_t python_space_before(std::string_view s, std::size_t end) noexcept;
/// `str.strip()` with no arguments.
[[nodiscard]] std::string_view python_strip(std::string_view s) noexcept;
/// Byte length of the UTF-8 character starting at `s[i]` (1 for a stray byte).
[[nodiscard]] std::size_t utf8_char_length(std::string_view s, std::size_t i) noexcept;

}  // namespace mlstack::pep440::detail
