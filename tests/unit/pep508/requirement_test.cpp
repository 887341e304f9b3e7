// SPDX-License-Identifier: MIT
#include "mlstack/pep508/requirement.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace mlstack::pep508 {
namespace {

struct Case {
  std::string_view input;
  std::string_view expected;
};

TEST(RequirementParse, PrintsAsPackaging) {
  // Expected values from packaging 26.3 (`str(Requirement(input))`).
  constexpr Case k_cases[] = {
      {"foo", "foo"},
      {"  Foo_Bar  ", "Foo_Bar"},
      {"foo[b,A]>=1.0,<2", "foo[A,b]<2,>=1.0"},
      {"foo (>=1.0)", "foo>=1.0"},
      {"foo ( == 1.0 )", "foo==1.0"},
      {"foo[]", "foo"},
      {"foo()", "foo"},
      {"foo===1.0 ; os_name=='nt'", "foo===1.0; os_name == \"nt\""},
      {"foo @ https://x/y.zip", "foo @ https://x/y.zip"},
      {"foo@u;x", "foo @ u;x"},
      {"foo @ u ; extra=='A_B'", "foo @ u ; extra == \"a-b\""},
      {"foo>=1.0,", "foo>=1.0"},
      {"foo==\n1.0", "foo==1.0"},
      {"foo ;python_version=='3'and os_name=='x'",
       "foo; python_version == \"3\" and os_name == \"x\""},
      {"foo[a,a]", "foo[a]"},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.input);
    const auto r = Requirement::parse(c.input);
    ASSERT_TRUE(r) << render(r.error());
    EXPECT_EQ(r->to_string(), c.expected);
  }
}

TEST(RequirementParse, ExposesParts) {
  const auto r = Requirement::parse("Scikit_Learn[Extra1, b] (>=1.0) ; python_version < '4'");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name(), "Scikit_Learn");
  EXPECT_EQ(r->package_name().str(), "scikit-learn");
  EXPECT_EQ(r->extras(), (std::vector<std::string>{"Extra1", "b"}));
  EXPECT_EQ(r->specifier().to_string(), ">=1.0");
  EXPECT_FALSE(r->url());
  ASSERT_TRUE(r->marker());
  EXPECT_EQ(r->marker()->to_string(), "python_version < \"4\"");
}

// Inputs from pypa/packaging tests/test_requirements.py (TestRequirementParsing, error
// cases) @
// https://github.com/pypa/packaging/blob/d86e4362e873b3cf9dffb963034a6aaa6c3a491b/tests/test_requirements.py
// Expected text regenerated with packaging 26.3, whose wording differs from that commit
// ("... or end" instead of "end or ...").
TEST(RequirementParse, ErrorTextIsPackagings) {
  constexpr Case k_cases[] = {
      {"", "Expected package name at the start of dependency specifier\n    \n    ^"},
      {"==0.0", "Expected package name at the start of dependency specifier\n    ==0.0\n    ^"},
      {"name[bar baz]", "Expected comma between extra names\n    name[bar baz]\n             ^"},
      {"name[bar, baz,]",
       "Expected extra name after comma\n    name[bar, baz,]\n                  ^"},
      {"name (>= 1.0",
       "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier\n"
       "    name (>= 1.0\n         ~~~~~~~^"},
      {"black (>=20.*) ; extra == 'format'",
       ".* suffix can only be used with `==` or `!=` operators\n"
       "    black (>=20.*) ; extra == 'format'\n           ~~~~~^"},
      {"name[bar, baz >= 1.0",
       "Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras\n"
       "    name[bar, baz >= 1.0\n        ~~~~~~~~~~^"},
      {"name @ https://example.com/; extra == 'example'",
       "Expected semicolon (after URL and whitespace) or end\n"
       "    name @ https://example.com/; extra == 'example'\n"
       "           ~~~~~~~~~~~~~~~~~~~~~~^"},
      {"name; (extra == 'example'",
       "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression\n"
       "    name; (extra == 'example'\n          ~~~~~~~~~~~~~~~~~~~^"},
      {"name @ ", "Expected URL after @\n    name @ \n           ^"},
      {"name; invalid_name",
       "Expected a marker variable or quoted string\n    name; invalid_name\n          ^"},
      {"name; '3.6'inpython_version",
       "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in\n"
       "    name; '3.6'inpython_version\n               ^"},
      {"name; '3.7' not python_version",
       "Expected 'in' after 'not'\n    name; '3.7' not python_version\n                    ^"},
      {"name==1.0.org1",
       "Expected comma (within version specifier), semicolon (after version specifier) or "
       "end\n    name==1.0.org1\n        ~~~~~^"},
      {"name 1.0",
       "Expected semicolon (after name with no version specifier) or end\n    name 1.0\n"
       "         ^"},
      {"foo===1,x", "Invalid specifier: 'x'"},
      {"foo===1,x , ===2", "Invalid specifier: 'x'"},
      {"foo===1,x,", "Invalid specifier: 'x'"},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.input);
    const auto r = Requirement::parse(c.input);
    ASSERT_FALSE(r);
    EXPECT_EQ(packaging_error_text(r.error()), c.expected);
  }
}

TEST(RequirementParse, ErrorRendersInHouseStyle) {
  constexpr Case k_cases[] = {
      {"torch>=; python_version > \"3.8\"",
       "expected semicolon (after name with no version specifier) or end, found `>`\n"
       "    torch>=; python_version > \"3.8\"\n"
       "         ^"},
      {"name (>= 1.0",
       "expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier, "
       "found end of input\n"
       "    name (>= 1.0\n"
       "         ^^^^^^^^"},
      {"foo; os_name == 'nt' junk",
       "expected end of dependency specifier, found `junk`\n"
       "    foo; os_name == 'nt' junk\n"
       "                         ^"},
      {"foo ; os_name == 'a\\x4'",
       "invalid quoted string\n"
       "    foo ; os_name == 'a\\x4'\n"
       "                     ^^^^^^^"},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.input);
    const auto r = Requirement::parse(c.input);
    ASSERT_FALSE(r);
    EXPECT_EQ(render(r.error()), c.expected);
  }
}

TEST(RequirementParse, RejectsLineBreakOutsideSpecifier) {
  const auto r = Requirement::parse("foo\n; os_name == 'nt'");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "expected semicolon (after name with no version specifier) or end, found a line "
            "break");
}

// From pypa/packaging tests/test_requirements.py EQUAL_DEPENDENCIES / DIFFERENT_DEPENDENCIES
// @
// https://github.com/pypa/packaging/blob/d86e4362e873b3cf9dffb963034a6aaa6c3a491b/tests/test_requirements.py
TEST(RequirementEquality, MatchesPackaging) {
  constexpr std::pair<std::string_view, std::string_view> k_equal[] = {
      {"packaging>20.1", "packaging>20.1"},
      {"requests[security, tests]>=2.8.1,==2.8.*;python_version<\"2.7\"",
       "requests [security,tests] >= 2.8.1, == 2.8.* ; python_version < \"2.7\""},
      {"importlib-metadata; python_version<\"3.8\"", "importlib-metadata; python_version<'3.8'"},
      {"appdirs>=1.4.4,<2; os_name==\"posix\" and extra==\"testing\"",
       "appdirs>=1.4.4,<2; os_name == 'posix' and extra == 'testing'"},
  };
  constexpr std::pair<std::string_view, std::string_view> k_different[] = {
      {"package_one", "package_two"},
      {"packaging>20.1", "packaging>=20.1"},
      {"packaging>20.1", "packaging>21.1"},
      {"packaging>20.1", "package>20.1"},
      {"requests[security,tests]>=2.8.1,==2.8.*;python_version<\"2.7\"",
       "requests [security,tests] >= 2.8.1 ; python_version < \"2.7\""},
      {"importlib-metadata; python_version<\"3.8\"", "importlib-metadata; python_version<'3.7'"},
      {"appdirs>=1.4.4,<2; os_name==\"posix\" and extra==\"testing\"",
       "appdirs>=1.4.4,<2; os_name == 'posix' and extra == 'docs'"},
  };
  for (const auto& [a, b] : k_equal) {
    SCOPED_TRACE(a);
    const auto ra = Requirement::parse(a);
    const auto rb = Requirement::parse(b);
    ASSERT_TRUE(ra && rb);
    EXPECT_EQ(*ra, *rb);
    EXPECT_EQ(ra->hash(), rb->hash());
  }
  for (const auto& [a, b] : k_different) {
    SCOPED_TRACE(a);
    const auto ra = Requirement::parse(a);
    const auto rb = Requirement::parse(b);
    ASSERT_TRUE(ra && rb);
    EXPECT_NE(*ra, *rb);
  }
}

TEST(RequirementHash, DedupesEqualRequirements) {
  std::unordered_set<Requirement> set;
  for (const std::string_view s : {"Foo_Bar[A]==1.0", "foo-bar[a]==1.0.0", "foo.bar [a] (==1.0)"}) {
    set.insert(Requirement::parse(s).value());
  }
  EXPECT_EQ(set.size(), 1U);
}

TEST(RequirementParse, RoundTrips) {
  for (const std::string_view s :
       {"foo[b,a]>=1,<2; os_name == 'nt' or (extra == 'x' and python_version < '3')",
        "foo @ https://x ; extra == 'y'", "foo===bar"}) {
    SCOPED_TRACE(s);
    const auto r = Requirement::parse(s);
    ASSERT_TRUE(r);
    const auto again = Requirement::parse(r->to_string());
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *r);
    EXPECT_EQ(again->to_string(), r->to_string());
  }
}

std::string nested(std::size_t depth, std::string_view inner, bool closed = true) {
  std::string out = "a; ";
  out.append(depth, '(');
  out += inner;
  if (closed) {
    out.append(depth, ')');
  }
  return out;
}

// Where pip 26.3 (the `pip` console script, Python 3.11) stops with a RecursionError, measured
// with `pip check` on a METADATA holding each input (see marker_parser.cpp): 486 groups parse;
// a quoted string inside 487 does not; a 488th group never does. Other errors inside 487
// groups stay syntax errors.
TEST(RequirementParse, StopsWhereRecursionErrorStopsPip) {
  struct DepthCase {
    std::size_t depth;
    std::string_view inner;
    bool closed;
    std::optional<ErrorCode> error;
  };
  const DepthCase k_cases[] = {
      {486, "python_version > \"1\"", true, std::nullopt},
      {487, "python_version > \"1\"", true, ErrorCode::limit},
      {487, "\"1\" < python_version", true, ErrorCode::limit},
      {487, "python_version > python_version", true, std::nullopt},
      {488, "python_version > python_version", true, ErrorCode::limit},
      {487, "python_version ?", false, ErrorCode::parse},
      {488, "python_version ?", false, ErrorCode::limit},
      {487, "", false, ErrorCode::parse},
      {488, "", false, ErrorCode::limit},
      {7500, "os_name == 'x'", true, ErrorCode::limit},
  };
  for (const DepthCase& c : k_cases) {
    const std::string text = nested(c.depth, c.inner, c.closed);
    SCOPED_TRACE(std::to_string(c.depth) + " " + std::string(c.inner));
    const auto r = Requirement::parse(text);
    if (!c.error) {
      ASSERT_TRUE(r) << render(r.error());
      // Every walk over the deepest tree works: printing, comparing, evaluating.
      EXPECT_EQ(Requirement::parse(r->to_string()).value(), *r);
      EXPECT_FALSE(r->marker()->try_evaluate(MarkerEnvironment(), "").has_value());
      continue;
    }
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, *c.error) << render(r.error());
  }
  const auto deep = Requirement::parse(nested(488, "os_name == 'x'"));
  ASSERT_FALSE(deep);
  EXPECT_EQ(packaging_error_text(deep.error()),
            "Marker nested too deeply (488 parentheses; pip stops with RecursionError past 486)");
}

}  // namespace
}  // namespace mlstack::pep508
