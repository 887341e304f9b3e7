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

namespace mlstack::text {
namespace {

TEST(TextEditDistance, CountsEditsAndTranspositions) {
  EXPECT_EQ(edit_distance("check", "check"), 0U);
  EXPECT_EQ(edit_distance("checkk", "check"), 1U);
  EXPECT_EQ(edit_distance("chekc", "check"), 1U);
  EXPECT_EQ(edit_distance("dcotor", "doctor"), 1U);
  EXPECT_EQ(edit_distance("", "arch"), 4U);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
}

TEST(TextClosest, PicksTheNearestWithinTheLimit) {
  const std::vector<std::string_view> commands = {"check", "doctor", "archs"};
  EXPECT_EQ(closest("checkk", commands, 2), "check");
  EXPECT_EQ(closest("arch", commands, 2), "archs");
  EXPECT_EQ(closest("doc", commands, 2), "");
  EXPECT_EQ(closest("install", commands, 2), "");
}

TEST(TextEscapeControls, EscapesWhatDrivesATerminal) {
  EXPECT_EQ(escape_controls("plain text\twith tab\nand line"), "plain text\twith tab\nand line");
  EXPECT_EQ(escape_controls("\x1b]0;owned\x07title"), "\\x1b]0;owned\\x07title");
  EXPECT_EQ(escape_controls("over\rwrite"), "over\\rwrite");
  EXPECT_EQ(escape_controls(std::string_view("nul\0del\x7f", 8)), "nul\\x00del\\x7f");
  EXPECT_EQ(escape_controls("csi \xc2\x9b" "2J"), "csi \\x9b2J");
  EXPECT_EQ(escape_controls("caf\xc3\xa9 \xc2\xa0nbsp"), "caf\xc3\xa9 \xc2\xa0nbsp");
  EXPECT_EQ(escape_controls("trailing \xc2"), "trailing \xc2");
}

}  // namespace
}  // namespace mlstack::text
