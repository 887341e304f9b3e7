// SPDX-License-Identifier: MIT
#include "mlstack/metadata/header_section.hpp"

#include "mlstack/metadata/python_text.hpp"

#include <gtest/gtest.h>

namespace mlstack::metadata {
namespace {

TEST(HeaderSectionParse, KeepsOrderCaseAndRepeats) {
  const auto s = HeaderSection::parse("Name: a\nrequires-dist: x\nREQUIRES-DIST: y\n\nbody\n");
  ASSERT_EQ(s.headers().size(), 3U);
  EXPECT_EQ(s.headers()[1].name, "requires-dist");
  EXPECT_EQ(s.get_all("Requires-Dist"), (std::vector<std::string_view>{"x", "y"}));
  EXPECT_EQ(s.get("NAME"), "a");
  EXPECT_EQ(s.body(), "body\n");
  EXPECT_TRUE(s.defects().empty());
}

TEST(HeaderSectionParse, FoldsContinuationLinesVerbatim) {
  const auto s = HeaderSection::parse("Requires-Dist: foo\n  >=1.0\n\tbar\nName:\n  x\n");
  ASSERT_EQ(s.headers().size(), 2U);
  EXPECT_EQ(s.headers()[0].value, "foo\n  >=1.0\n\tbar");
  EXPECT_EQ(s.headers()[1].value, "\n  x");
  // The tab and the spaces share no margin, so nothing is removed (textwrap.dedent).
  EXPECT_EQ(importlib_redent(s.headers()[0].value), "        foo\n  >=1.0\n\tbar");
  EXPECT_EQ(importlib_redent(s.headers()[1].value), "\nx");
}

TEST(HeaderSectionParse, RecordsDefects) {
  struct Case {
    std::string_view input;
    HeaderDefect::Kind kind;
    std::size_t line;
    std::size_t headers;
  };
  const Case cases[] = {
      {"  cont\nName: y\n", HeaderDefect::Kind::first_line_is_continuation, 1, 1},
      {": v\nName: y\n", HeaderDefect::Kind::missing_header_name, 1, 1},
      {"Name: y\nFrom x\nVersion: 1\n", HeaderDefect::Kind::misplaced_envelope_header, 2, 2},
      {"Name: y\nno colon here\nVersion: 1\n", HeaderDefect::Kind::missing_body_separator, 2, 1},
      {"Bad Name: y\n", HeaderDefect::Kind::missing_body_separator, 1, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    const auto s = HeaderSection::parse(c.input);
    ASSERT_EQ(s.defects().size(), 1U);
    EXPECT_EQ(s.defects()[0].kind, c.kind);
    EXPECT_EQ(s.defects()[0].line, c.line);
    EXPECT_EQ(s.headers().size(), c.headers);
  }
  EXPECT_EQ(describe(HeaderSection::parse("Name: y\nno colon\n").defects()[0]),
            "line 2: not a header line: the header section ends here without a blank line");
}

TEST(HeaderSectionParse, HandlesUnixFromAndMissingFinalNewline) {
  const auto s = HeaderSection::parse("From me\nName: z\nVersion: 3");
  EXPECT_EQ(s.unixfrom(), "From me");
  EXPECT_EQ(s.get("Version"), "3");
  const auto last = HeaderSection::parse("Name: z\nFrom last\n");
  EXPECT_EQ(last.headers().size(), 1U);
  EXPECT_EQ(last.body(), "From last\n");
  EXPECT_TRUE(last.defects().empty());
}

TEST(PythonText, SplitsAndStripsAsPython) {
  EXPECT_EQ(python_splitlines("a\r\nb\rc\x1c"
                              "d\xc2\x85"
                              "e\xe2\x80\xa8"
                              "f\n"),
            (std::vector<std::string_view>{"a", "b", "c", "d", "e", "f"}));
  EXPECT_EQ(python_strip("\xc2\xa0 x y\t\xe3\x80\x80"), "x y");
  EXPECT_EQ(python_strip("\xe3\x80\x81"), "\xe3\x80\x81");
  std::string storage;
  EXPECT_EQ(translate_newlines("a\r\nb\rc\n", storage), "a\nb\nc\n");
  EXPECT_EQ(textwrap_dedent("    a\n  \n      b"), "a\n\n  b");
}

}  // namespace
}  // namespace mlstack::metadata
