// SPDX-License-Identifier: MIT
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mlstack::pep440 {

/// Python's default `sys.get_int_max_str_digits()`: `int()` of more digits (leading zeros
/// counted) raises `ValueError`, so packaging cannot parse a version with such a number.
inline constexpr std::size_t k_python_int_max_str_digits = 4300;

/// Python's `ValueError` message for `int()` of `digits` digits above the limit.
[[nodiscard]] std::string python_int_digits_error(std::size_t digits);

/// A non-negative integer of any size: a number of a version (epoch, release part, pre, post,
/// dev, numeric local segment), which packaging holds as a Python `int`.
///
/// **Example**
/// ```
/// Number::from_digits("0018446744073709551616").to_string() == "18446744073709551616"
/// Number(7) < Number::from_digits("18446744073709551616")
/// ```
///
/// As small as a `std::uint64_t` (8 bytes) and as fast for the common case: a value below
/// 2^63 is held inline; a larger one as its decimal digits (no leading zeros) on the heap.
/// Values are ordered as integers: by digit count, then digit by digit.
class Number {
 public:
  Number() noexcept = default;
  /// A machine integer is a Number (implicit, as an `int` is a Python `int`).
  Number(std::uint64_t value);  // NOLINT(google-explicit-constructor)
  /// The value of one or more ASCII digits, leading zeros allowed (Python's `int(digits)`).
  [[nodiscard]] static Number from_digits(std::string_view digits) {
    if (digits.size() <= 18) {  // below 10^18 < 2^63: inline, the common case
      std::uint64_t value = 0;
      for (const char c : digits) {
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
      }
      Number n;
      n.m_bits = value << 1U;
      return n;
    }
    return from_long_digits(digits);
  }

  Number(const Number& other);
  Number(Number&& other) noexcept : m_bits(other.m_bits) { other.m_bits = 0; }
  Number& operator=(const Number& other);
  Number& operator=(Number&& other) noexcept;
  ~Number();

  [[nodiscard]] bool is_zero() const noexcept { return m_bits == 0; }
  /// The value as a machine integer; empty when it is 2^64 or more.
  [[nodiscard]] std::optional<std::uint64_t> to_uint64() const noexcept;
  /// The value, or `UINT64_MAX` when it is larger (for callers that only rank numbers).
  [[nodiscard]] std::uint64_t saturated() const noexcept;
  /// Decimal digits, no leading zeros (Python's `str(int)`).
  [[nodiscard]] std::string to_string() const;
  void append_to(std::string& out) const;

  friend std::strong_ordering operator<=>(const Number& a, const Number& b) noexcept {
    if (((a.m_bits | b.m_bits) & k_big_tag) == 0) {
      return a.m_bits <=> b.m_bits;  // both inline: the shifted values order as the values
    }
    return compare_slow(a, b);
  }
  friend bool operator==(const Number& a, const Number& b) noexcept {
    if (a.m_bits == b.m_bits) {
      return true;
    }
    return ((a.m_bits & b.m_bits) & k_big_tag) != 0 && compare_slow(a, b) == 0;
  }

 private:
  // Inline: the value shifted left by one (the low bit 0). Big: the address of a heap
  // `std::string` of digits with the low bit set (a string is at least 2-aligned).
  static constexpr std::uint64_t k_big_tag = 1;
  static constexpr std::uint64_t k_inline_limit = std::uint64_t{1} << 63;

  [[nodiscard]] bool is_big() const noexcept { return (m_bits & k_big_tag) != 0; }
  [[nodiscard]] const std::string& digits() const noexcept;
  static Number make_big(std::string digits);
  static Number from_long_digits(std::string_view digits);
  static std::strong_ordering compare_slow(const Number& a, const Number& b) noexcept;
  void release() noexcept;

  std::uint64_t m_bits = 0;
};

}  // namespace mlstack::pep440
