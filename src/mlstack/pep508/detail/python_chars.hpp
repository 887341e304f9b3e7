// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

/// Python `re` character classes on UTF-8 text (pattern strings are `str`, so Unicode-aware).
namespace mlstack::pep508::detail {

/// Decodes the code point at `pos` (invalid UTF-8 decodes as the single byte). Sets `*length`.
[[nodiscard]] std::uint32_t decode_utf8(std::string_view s, std::size_t pos, std::size_t* length);
/// The code point that ends right before `pos`.
[[nodiscard]] std::uint32_t decode_utf8_before(std::string_view s, std::size_t pos);

/// Python's `\w` for `str` patterns (Unicode database of the reference Python, 3.11).
[[nodiscard]] bool is_python_word(std::uint32_t cp) noexcept;
/// Python's `\s` / `str.isspace()`.
[[nodiscard]] bool is_python_space(std::uint32_t cp) noexcept;

/// Python's `\w` on an ASCII character.
[[nodiscard]] constexpr bool is_ascii_word(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// `\b` at byte position `pos` of `s`. Inline for the ASCII neighbours (nearly always): the
/// tokenizer asks at every word it reads.
[[nodiscard]] inline bool is_word_boundary(std::string_view s, std::size_t pos) {
  bool before = false;
  if (pos > 0) {
    const auto b = static_cast<unsigned char>(s[pos - 1]);
    before = b < 0x80U ? is_ascii_word(b) : is_python_word(decode_utf8_before(s, pos));
  }
  bool after = false;
  if (pos < s.size()) {
    const auto b = static_cast<unsigned char>(s[pos]);
    std::size_t length = 0;
    after = b < 0x80U ? is_ascii_word(b) : is_python_word(decode_utf8(s, pos, &length));
  }
  return before != after;
}
/// Number of code points in `s[0, pos)`, as Python indexes strings.
[[nodiscard]] std::size_t code_point_offset(std::string_view s, std::size_t pos);

}  // namespace mlstack::pep508::detail
