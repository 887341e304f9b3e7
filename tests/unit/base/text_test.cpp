// SPDX-License-Identifier: MIT
#include "mlstack/base/text.hpp"

#include <gtest/gtest.h>

namespace mlstack::text {
namespace {

TEST(TextPythonRepr, PicksQuotesAsPython) {
  struct Case {
    std::string_view input, expected;
  };
  const Case cases[] = {
      {"abc", "'abc'"},
      {"a'b", "\"a'b\""},
      {"a\"b", "'a\"b'"},
      {"a'\"b", "'a\\'\"b'"},
      {"x\ny", "'x\\ny'"},
      {"back\\slash", "'back\\\\slash'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(python_repr(c.input), c.expected);
  }
}

TEST(TextSplitLines, DropsFinalEmptyLine) {
  const auto lines = split_lines("a\nb\r\nc\rd\n");
  ASSERT_EQ(lines.size(), 4U);
  EXPECT_EQ(lines[3], "d");
  EXPECT_TRUE(split_lines("").empty());
}

TEST(TextTrim, StripsAsciiWhitespace) {
  EXPECT_EQ(trim("  \t x y \n"), "x y");
}

}  // namespace
}  // namespace mlstack::text
