// SPDX-License-Identifier: MIT
#include "mlstack/pep440/detail/python_space.hpp"

namespace mlstack::pep440::detail {
namespace {

constexpr unsigned char byte(std::string_view s, std::size_t i) noexcept {
  return static_cast<unsigned char>(s[i]);
}

constexpr bool is_ascii_space(unsigned char c) noexcept {
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
}

// Whether the complete UTF-8 sequence s[i, i + n) is a non-ASCII Python whitespace.
bool is_multibyte_space(std::string_view s, std::size_t i, std::size_t n) noexcept {
  if (n == 2) {
    return byte(s, i) == 0xc2 && (byte(s, i + 1) == 0x85 || byte(s, i + 1) == 0xa0);
  }
  const unsigned char b0 = byte(s, i);
  const unsigned char b1 = byte(s, i + 1);
  const unsigned char b2 = byte(s, i + 2);
  if (b0 == 0xe1) {
    return b1 == 0x9a && b2 == 0x80;  // U+1680
  }
  if (b0 == 0xe2 && b1 == 0x80) {
    return b2 <= 0x8a ? b2 >= 0x80 : (b2 == 0xa8 || b2 == 0xa9 || b2 == 0xaf);
  }
  if (b0 == 0xe2 && b1 == 0x81) {
    return b2 == 0x9f;  // U+205F
  }
  return b0 == 0xe3 && b1 == 0x80 && b2 == 0x80;  // U+3000
}

}  // namespace

std::size_t python_space_at(std::string_view s, std::size_t i) noexcept {
  if (i >= s.size()) {
    return 0;
  }
  const unsigned char c = byte(s, i);
  if (c < 0x80) {
    return is_ascii_space(c) ? 1 : 0;
  }
  for (const std::size_t n : {std::size_t{2}, std::size_t{3}}) {
    if (i + n <= s.size() && is_multibyte_space(s, i, n)) {
      return n;
    }
  }
  return 0;
}

std::size_t python_space_before(std::string_view s, std::size_t end) noexcept {
  if (end == 0 || end > s.size()) {
    return 0;
  }
  if (byte(s, end - 1) < 0x80) {
    return is_ascii_space(byte(s, end - 1)) ? 1 : 0;
  }
  for (const std::size_t n : {std::size_t{2}, std::size_t{3}}) {
    if (end >= n && is_multibyte_space(s, end - n, n)) {
      return n;
    }
  }
  return 0;
}

std::string_view python_strip(std::string_view s) noexcept {
  while (const std::size_t n = python_space_at(s, 0)) {
    s.remove_prefix(n);
  }
  while (const std::size_t n = python_space_before(s, s.size())) {
    s.remove_suffix(n);
  }
  return s;
}

std::size_t utf8_char_length(std::string_view s, std::size_t i) noexcept {
  const unsigned char c = byte(s, i);
  std::size_t n = 1;
  if (c >= 0xf0) {
    n = 4;
  } else if (c >= 0xe0) {
    n = 3;
  } else if (c >= 0xc0) {
    n = 2;
  }
  std::size_t len = 1;
  while (len < n && i + len < s.size() && (byte(s, i + len) & 0xc0) == 0x80) {
    ++len;
  }
  return len;
}

}  // namespace mlstack::pep440::detail
