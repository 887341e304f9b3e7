// SPDX-License-Identifier: MIT
#include "mlstack/pep440/number.hpp"

#include "mlstack/base/assert.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <utility>

namespace mlstack::pep440 {

std::string python_int_digits_error(std::size_t digits) {
  return "Exceeds the limit (" + std::to_string(k_python_int_max_str_digits) +
         " digits) for integer string conversion: value has " + std::to_string(digits) +
         " digits; use sys.set_int_max_str_digits() to increase the limit";
}

static_assert(sizeof(Number) == sizeof(std::uint64_t));
static_assert(alignof(std::string) >= 2, "the low bit of a string's address tags a big Number");
static_assert(sizeof(std::uintptr_t) <= sizeof(std::uint64_t));

Number::Number(std::uint64_t value) {
  if (value < k_inline_limit) {
    m_bits = value << 1U;
    return;
  }
  std::array<char, 24> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  static_cast<void>(ec);
  *this = make_big(std::string(buf.data(), end));
}

Number Number::from_long_digits(std::string_view digits) {
  std::size_t first = 0;
  while (first + 1 < digits.size() && digits[first] == '0') {
    ++first;  // int() semantics: `007` is 7, `000` is 0
  }
  digits.remove_prefix(first);
  MLSTACK_ASSERT(!digits.empty());
  if (digits.size() <= 19) {  // below 10^19 < 2^64
    std::uint64_t value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return Number(value);
  }
  return make_big(std::string(digits));
}

Number Number::make_big(std::string digits) {
  Number n;
  auto* heap = new std::string(std::move(digits));  // owned by n, freed in release()
  n.m_bits = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(heap)) | k_big_tag;
  return n;
}

const std::string& Number::digits() const noexcept {
  MLSTACK_DEBUG_ASSERT(is_big());
  return *reinterpret_cast<const std::string*>(static_cast<std::uintptr_t>(m_bits & ~k_big_tag));
}

void Number::release() noexcept {
  if (is_big()) {
    delete &digits();
  }
  m_bits = 0;
}

Number::Number(const Number& other) : m_bits(other.m_bits) {
  if (other.is_big()) {
    Number copy = make_big(other.digits());
    m_bits = std::exchange(copy.m_bits, 0);
  }
}

Number& Number::operator=(const Number& other) {
  if (this != &other) {
    Number copy(other);
    *this = std::move(copy);
  }
  return *this;
}

Number& Number::operator=(Number&& other) noexcept {
  if (this != &other) {
    release();
    m_bits = std::exchange(other.m_bits, 0);
  }
  return *this;
}

Number::~Number() { release(); }

std::optional<std::uint64_t> Number::to_uint64() const noexcept {
  if (!is_big()) {
    return m_bits >> 1U;
  }
  const std::string& d = digits();
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), value);
  if (ec != std::errc{} || end != d.data() + d.size()) {
    return std::nullopt;
  }
  return value;
}

std::uint64_t Number::saturated() const noexcept {
  return to_uint64().value_or(std::numeric_limits<std::uint64_t>::max());
}

void Number::append_to(std::string& out) const {
  if (is_big()) {
    out += digits();
    return;
  }
  std::array<char, 24> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), m_bits >> 1U);
  static_cast<void>(ec);
  out.append(buf.data(), end);
}

std::string Number::to_string() const {
  std::string out;
  append_to(out);
  return out;
}

std::strong_ordering Number::compare_slow(const Number& a, const Number& b) noexcept {
  if (a.is_big() != b.is_big()) {
    // Every big value is at least 2^63, above every inline one.
    return a.is_big() ? std::strong_ordering::greater : std::strong_ordering::less;
  }
  const std::string& x = a.digits();
  const std::string& y = b.digits();
  if (x.size() != y.size()) {
    return x.size() <=> y.size();
  }
  return x.compare(y) <=> 0;
}

}  // namespace mlstack::pep440
