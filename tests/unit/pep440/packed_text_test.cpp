// SPDX-License-Identifier: MIT
#include "mlstack/pep440/detail/packed_text.hpp"

#include "mlstack/pep440/specifier.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace mlstack::pep440 {
namespace {

using detail::PackedText;

TEST(PackedText, HoldsShortAndLongTextsWithTheSpareByte) {
  for (const std::string& text : {std::string(), std::string("1.0"), std::string(14, 'x'),
                                  std::string(15, 'y'), std::string(5000, 'z')}) {
    SCOPED_TRACE(text.size());
    PackedText a(text);
    a.set_spare(0xA5);
    EXPECT_EQ(a.view(), text);
    PackedText b = a;  // a deep copy
    EXPECT_EQ(b.view(), text);
    EXPECT_EQ(b.spare(), 0xA5);
    PackedText c = std::move(a);
    EXPECT_EQ(c.view(), text);
    EXPECT_EQ(c.spare(), 0xA5);
    PackedText d("other");
    d = c;
    EXPECT_EQ(d.view(), text);
    const PackedText& alias = d;
    d = alias;  // self-assignment keeps the text
    EXPECT_EQ(d.view(), text);
    d = PackedText("short");
    EXPECT_EQ(d.view(), "short");
    EXPECT_EQ(c.view(), text);
  }
  EXPECT_EQ(sizeof(PackedText), 16U);
}

TEST(SpecifierSize, IsSixteenBytes) {
  // A Requires-Dist of a million specifiers takes 16 MB of Specifiers.
  EXPECT_EQ(sizeof(Specifier), 16U);
  std::vector<Specifier> many;
  for (int i = 0; i < 100; ++i) {
    many.push_back(Specifier::parse(i % 2 == 0 ? "==1.0" : "~=1.2.3.4.5.6.7.8.9.10").value());
  }
  many.resize(50);
  EXPECT_EQ(many[48].to_string(), "==1.0");
  EXPECT_EQ(many[49].to_string(), "~=1.2.3.4.5.6.7.8.9.10");
  EXPECT_EQ(many[49].op(), Operator::compatible);
  EXPECT_FALSE(many[49].has_wildcard());
}

}  // namespace
}  // namespace mlstack::pep440
