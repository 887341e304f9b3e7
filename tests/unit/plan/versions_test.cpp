// SPDX-License-Identifier: MIT
#include "mlstack/plan/versions.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace mlstack::plan::detail {
namespace {

pep440::SpecifierSet set(std::string_view s) { return pep440::SpecifierSet::parse(s).value(); }

TEST(PlanVersions, OverlapDecidesTheSetsOfTheKnowledgeBase) {
  struct Case {
    std::string_view a, b;
    bool expected;
  };
  const Case cases[] = {
      {"==2.9.*", ">=2.9.1,<2.10", true},  {"==2.9.*", "==2.9.0", true},
      {"==2.9.0", ">=2.9.1,<2.10", false}, {"==1.12.*", "==1.12.1", true},
      {"==1.13.*", "==1.12.1", false},     {"<2.18", "==2.9.*,>=2.9.1", true},
      {"<2.3", "==1.12.1", true},          {">=2.3", "==1.12.1", false},
      {"", "==1.12.1", true},              {"~=2.9.1", "==2.9.0", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.a) + " & " + std::string(c.b));
    EXPECT_EQ(overlap(set(c.a), set(c.b)), c.expected);
    EXPECT_EQ(overlap(set(c.b), set(c.a)), c.expected);
  }
}

TEST(PlanVersions, SatisfiableFindsEmptyIntersections) {
  struct Case {
    std::string_view text;
    bool expected;
  };
  const Case cases[] = {
      {"<3.20,>=3.9.2", true}, {"<2,>=1.20", true}, {"<2,>=2", false},
      {"<2", true},            {">=2.1,<2.1", false}, {"==1.26.*,<1.26", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(satisfiable(set(c.text)), c.expected);
  }
}

TEST(PlanVersions, IntersectWritesOneSet) {
  const auto a = set(">=3.9.2");
  const auto b = set("<3.20");
  const auto c = set("<3.20,>=3.9.2");
  EXPECT_EQ(intersect({&a, &b, &c}).to_string(), "<3.20,>=3.9.2");
  EXPECT_EQ(exact_pin(set("==1.12.1")).value_or(""), "1.12.1");
  EXPECT_FALSE(exact_pin(set("==1.12.*")));
  EXPECT_FALSE(exact_pin(set("==1.12.1,<2")));
  EXPECT_EQ(major_minor("11.3.1"), "11.3");
  EXPECT_EQ(major_minor("11"), "11");
  EXPECT_EQ(major("11.3"), 11U);
  EXPECT_EQ(major("12.x"), 12U);
  EXPECT_EQ(major("x"), 0U);
}

}  // namespace
}  // namespace mlstack::plan::detail
