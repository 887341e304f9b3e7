// SPDX-License-Identifier: MIT
#include "mlstack/pep440/number.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mlstack::pep440 {
namespace {

constexpr std::uint64_t k_max = UINT64_MAX;

TEST(NumberFromDigits, DropsLeadingZerosAsPythonInt) {
  EXPECT_EQ(Number::from_digits("0").to_string(), "0");
  EXPECT_EQ(Number::from_digits("0000").to_string(), "0");
  EXPECT_EQ(Number::from_digits("007").to_string(), "7");
  EXPECT_EQ(Number::from_digits("000018446744073709551616").to_string(), "18446744073709551616");
  EXPECT_TRUE(Number::from_digits("000").is_zero());
  EXPECT_FALSE(Number::from_digits("99999999999999999999999").is_zero());
}

TEST(NumberValue, ConvertsAtTheBoundaries) {
  // Inline below 2^63, on the heap from 2^63: both sides of both limits.
  for (const std::uint64_t value :
       {std::uint64_t{0}, std::uint64_t{1}, (std::uint64_t{1} << 63) - 1, std::uint64_t{1} << 63,
        k_max - 1, k_max}) {
    SCOPED_TRACE(value);
    const Number n(value);
    EXPECT_EQ(n.to_uint64(), value);
    EXPECT_EQ(n.saturated(), value);
    EXPECT_EQ(n.to_string(), std::to_string(value));
    EXPECT_EQ(Number::from_digits(std::to_string(value)), n);
  }
  const Number past = Number::from_digits("18446744073709551616");  // 2^64
  EXPECT_FALSE(past.to_uint64().has_value());
  EXPECT_EQ(past.saturated(), k_max);
  EXPECT_EQ(sizeof(Number), sizeof(std::uint64_t));
}

TEST(NumberOrder, ComparesAsIntegers) {
  const std::vector<Number> ascending = {
      Number(0),
      Number(9),
      Number(10),
      Number((std::uint64_t{1} << 63) - 1),
      Number(std::uint64_t{1} << 63),
      Number(k_max),
      Number::from_digits("18446744073709551616"),
      Number::from_digits("18446744073709551617"),
      Number::from_digits("99999999999999999999"),
      Number::from_digits("100000000000000000000"),
      Number::from_digits(std::string(4300, '9')),
  };
  for (std::size_t i = 0; i < ascending.size(); ++i) {
    for (std::size_t j = 0; j < ascending.size(); ++j) {
      EXPECT_EQ(ascending[i] <=> ascending[j], i <=> j) << i << " vs " << j;
      EXPECT_EQ(ascending[i] == ascending[j], i == j) << i << " vs " << j;
    }
  }
}

TEST(NumberCopy, KeepsHeapValuesApart) {
  Number a = Number::from_digits("123456789012345678901234567890");
  Number b = a;  // a deep copy
  EXPECT_EQ(a, b);
  b = Number(5);
  EXPECT_EQ(a.to_string(), "123456789012345678901234567890");
  Number c = std::move(a);
  EXPECT_EQ(c.to_string(), "123456789012345678901234567890");
  const Number& alias = c;
  c = alias;  // self-assignment keeps the value
  EXPECT_EQ(c.to_string(), "123456789012345678901234567890");
  Number d;
  d = c;
  c = Number::from_digits("98765432109876543210987654321");
  EXPECT_EQ(d.to_string(), "123456789012345678901234567890");
  std::vector<Number> many(100, d);
  many.resize(1000, c);
  EXPECT_EQ(many[50], d);
  EXPECT_EQ(many[500], c);
}

}  // namespace
}  // namespace mlstack::pep440
