// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

/// Text helpers that know nothing about Python or GPUs.
namespace mlstack::text {

[[nodiscard]] constexpr bool is_ascii_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
[[nodiscard]] constexpr bool is_ascii_digit(char c) noexcept { return c >= '0' && c <= '9'; }
[[nodiscard]] constexpr bool is_ascii_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
[[nodiscard]] constexpr bool is_ascii_alnum(char c) noexcept {
  return is_ascii_digit(c) || is_ascii_alpha(c);
}

[[nodiscard]] std::string to_lower(std::string_view s);
[[nodiscard]] std::string_view trim(std::string_view s) noexcept;
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;
/// One strictly decoded UTF-8 sequence (no overlong forms, no surrogates, nothing past
/// U+10FFFF, as Python's decoder): its code point and byte length; length 0 when invalid.
struct Utf8Char {
  char32_t code_point = 0;
  std::size_t length = 0;
};
/// The UTF-8 sequence starting at `s[i]` (`i < s.size()`).
[[nodiscard]] Utf8Char decode_utf8(std::string_view s, std::size_t i) noexcept;

/// Splits on `sep`, keeping empty fields.
[[nodiscard]] std::vector<std::string_view> split(std::string_view s, char sep);
/// Python's `repr()` of a str: the quote it picks and the escapes it writes (ASCII-oriented).
[[nodiscard]] std::string python_repr(std::string_view s);
/// Python's `str.splitlines()` for the line breaks that occur in files.
[[nodiscard]] std::vector<std::string_view> split_lines(std::string_view s);

/// The optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions:
/// `chekc` is 1 from `check`), byte-wise.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate nearest to `word` by edit_distance, at most `max_distance` away (ties: the
/// first); empty when none is that near.
[[nodiscard]] std::string_view closest(std::string_view word,
                                       const std::vector<std::string_view>& candidates,
                                       std::size_t max_distance);

/// `s` safe to print on a terminal: control characters other than line feed and tab (C0,
/// DEL, and the C1 range U+0080-U+009F written in UTF-8) are written as Python's `repr()`
/// writes them (`\x1b`, `\r`, `\x9b`), so text read from an environment cannot move the
/// cursor, retitle or clear the terminal. Other bytes pass unchanged.
[[nodiscard]] std::string escape_controls(std::string_view s);

/// `s` less BEL, BS, VT, FF and CR: what rich (pip's console) drops from a str it prints
/// (`rich.control.strip_control_codes`); everything else, ESC included, is kept.
[[nodiscard]] std::string strip_controls_as_rich(std::string_view s);

/// The value of one hexadecimal digit (`0-9`, `a-f`, `A-F`), or -1 for any other byte.
[[nodiscard]] constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace mlstack::text
