// SPDX-License-Identifier: MIT
#include "mlstack/pep508/marker.hpp"

#include "mlstack/pep508/requirement.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>

namespace mlstack::pep508 {
namespace {

MarkerEnvironment linux_cp311() {
  return MarkerEnvironment(std::map<std::string, std::string>{
      {"implementation_name", "cpython"},
      {"implementation_version", "3.11.7"},
      {"os_name", "posix"},
      {"platform_machine", "x86_64"},
      {"platform_release", "6.1.0-18-amd64"},
      {"platform_system", "Linux"},
      {"platform_version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1"},
      {"python_full_version", "3.11.7"},
      {"platform_python_implementation", "CPython"},
      {"python_version", "3.11"},
      {"sys_platform", "linux"},
  });
}

struct FormatCase {
  std::string_view input;
  std::string_view expected;
};

// From pypa/packaging tests/test_markers.py (TestMarker.test_str_repr_eq_hash and friends)
// @
// https://github.com/pypa/packaging/blob/d384dfe30e6bbebaccbe41b178294b8dc38fffae/tests/test_markers.py
// with `str()` from packaging 26.3.
TEST(MarkerFormat, NormalizesAsPackaging) {
  constexpr FormatCase k_cases[] = {
      {"python_version>'3.6'", "python_version > \"3.6\""},
      {"(python_version>'3.6')", "python_version > \"3.6\""},
      {"((python_version>'3.6'))", "python_version > \"3.6\""},
      {"os.name == 'posix'", "os_name == \"posix\""},
      {"python_implementation == 'CPython'", "platform_python_implementation == \"CPython\""},
      {"os_name == 'po\"six'", "os_name == 'po\"six'"},
      {"extra == 'Test_Extra'", "extra == \"test-extra\""},
      {"'Test.Extra' == extra", "\"test-extra\" == extra"},
      {"'Foo' in extras", "\"foo\" in extras"},
      {"os_name == 'a' or os_name == 'b' and os_name == 'c'",
       "os_name == \"a\" or os_name == \"b\" and os_name == \"c\""},
      {"(os_name == 'a' or os_name == 'b') and os_name == 'c'",
       "(os_name == \"a\" or os_name == \"b\") and os_name == \"c\""},
      {"os_name == 'a' and ((os_name == 'b'))", "os_name == \"a\" and os_name == \"b\""},
      {"((os_name == 'a' or os_name == 'b'))", "os_name == \"a\" or os_name == \"b\""},
      {"'8' not in platform.version", "\"8\" not in platform_version"},
      {"os_name == '\\x41'", "os_name == \"A\""},
  };
  for (const FormatCase& c : k_cases) {
    SCOPED_TRACE(c.input);
    const auto m = Marker::parse(c.input);
    ASSERT_TRUE(m) << render(m.error());
    EXPECT_EQ(m->to_string(), c.expected);
  }
}

struct EvalCase {
  std::string_view marker;
  std::string_view extra;
  bool expected;
};

TEST(MarkerEvaluate, MatchesPackaging) {
  // Expected values from packaging 26.3 `Marker(m).evaluate({**env, "extra": extra})`.
  constexpr EvalCase k_cases[] = {
      {"python_version >= '3.8'", "", true},
      {"python_version < '3.10'", "", false},
      {"python_version == '3.*'", "", true},
      {"python_full_version >= '3.11.4'", "", true},
      {"python_version < 'foo'", "", false},   // invalid specifier: string `<` is False
      {"python_version == 'foo'", "", false},  // invalid specifier: string equality
      {"python_version in '3.10 3.11'", "", true},
      {"'lin' in sys_platform", "", true},
      {"os_name < 'posix'", "", false},
      {"os_name <= 'posix'", "", true},
      {"extra == 'test'", "", false},
      {"extra == 'Test_Extra'", "test-extra", true},
      {"extra == 'test.extra'", "TEST_EXTRA", true},
      {"'posix' == 'os_name'", "", true},  // two literals: the right one names the variable
      {"os_name == sys_platform", "", false},
      {"sys_platform == 'sys_platform'", "", false},
      {"os_name == 'nt' and os_name == 'x' or extra == 'test'", "test", true},
      {"python_version >= '3.8' and (extra == 'a' or extra == 'b')", "B", true},
      {"platform_release >= '5.0'", "", false},  // `6.1.0-18-amd64` is no PEP 440 version
      {"implementation_version >= '3.11.0a1'", "", true},
  };
  const MarkerEnvironment env = linux_cp311();
  for (const EvalCase& c : k_cases) {
    SCOPED_TRACE(std::string(c.marker) + " extra=" + std::string(c.extra));
    const auto m = Marker::parse(c.marker);
    ASSERT_TRUE(m) << render(m.error());
    const auto r = m->try_evaluate(env, c.extra);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, c.expected);
    EXPECT_EQ(m->evaluate(env, c.extra), c.expected);
  }
}

TEST(MarkerEvaluate, RepairsPlusSuffixedFullVersion) {
  MarkerEnvironment env = linux_cp311();
  ASSERT_TRUE(env.set("python_full_version", "3.13.0+"));
  const auto m = Marker::parse("python_full_version == '3.13.0+local'");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->evaluate(env, ""));
  // The repaired value is computed once per evaluation and read by every comparison.
  const auto twice = Marker::parse(
      "python_full_version >= '3.13' and '3.13.0+local' == python_full_version and "
      "python_full_version < '3.14'");
  ASSERT_TRUE(twice);
  EXPECT_TRUE(twice->evaluate(env, ""));
  ASSERT_TRUE(env.set("python_full_version", "3.12.1"));
  EXPECT_FALSE(twice->evaluate(env, ""));
}

TEST(MarkerEvaluate, ReportsPackagingErrors) {
  struct Case {
    std::string_view marker;
    ErrorCode code;
    std::string_view message;
  };
  constexpr Case k_cases[] = {
      {"os_name ~= 'posix'", ErrorCode::invalid_data,
       "Undefined <Op('~=')> on 'posix' and 'posix'."},
      {"python_version ~= '3'", ErrorCode::invalid_data, "Undefined <Op('~=')> on '3.11' and '3'."},
      {"'a' in extras", ErrorCode::not_found, "'extras'"},
      {"'foo' == 'bar'", ErrorCode::not_found, "'bar'"},
      // No short-circuit: the error of a later item surfaces, as in packaging.
      {"os_name == 'posix' or os_name === 'x'", ErrorCode::invalid_data,
       "Undefined <Op('===')> on 'posix' and 'x'."},
  };
  const MarkerEnvironment env = linux_cp311();
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.marker);
    const auto m = Marker::parse(c.marker);
    ASSERT_TRUE(m);
    const auto r = m->try_evaluate(env, "");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, c.code);
    EXPECT_EQ(r.error().message, c.message);
    EXPECT_FALSE(m->evaluate(env, ""));
  }
}

TEST(MarkerParse, ErrorRendersWithCaret) {
  struct Case {
    std::string_view input;
    std::string_view rendered;
  };
  constexpr Case k_cases[] = {
      {"os_name = 'nt'",
       "expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in, found `=`\n"
       "    os_name = 'nt'\n"
       "            ^"},
      {"os_name == 'nt' and",
       "expected a marker variable or quoted string, found end of input\n"
       "    os_name == 'nt' and\n"
       "                       ^"},
      {"osname == 'nt'",
       "expected a marker variable or quoted string, found `osname`\n"
       "    osname == 'nt'\n"
       "    ^"},
      {"os_name == 'nt')",
       "expected end of marker expression, found `)`\n"
       "    os_name == 'nt')\n"
       "                   ^"},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.input);
    const auto m = Marker::parse(c.input);
    ASSERT_FALSE(m);
    EXPECT_EQ(render(m.error()), c.rendered);
  }
}

TEST(MarkerMentionsExtra, FindsExtraAnywhere) {
  EXPECT_TRUE(
      Marker::parse("os_name == 'a' or (python_version < '3' and extra == 'x')")->mentions_extra());
  EXPECT_TRUE(Marker::parse("'x' == extra")->mentions_extra());
  EXPECT_FALSE(Marker::parse("'x' in extras")->mentions_extra());
  EXPECT_FALSE(Marker::parse("os_name == 'extra'")->mentions_extra());
}

TEST(MarkerEquality, ComparesPrintedForms) {
  EXPECT_EQ(*Marker::parse("(os_name=='a')"), *Marker::parse("os_name == \"a\""));
  EXPECT_EQ(*Marker::parse("extra == 'A_B'"), *Marker::parse("extra=='a-b'"));
  EXPECT_NE(*Marker::parse("os_name == 'a'"), *Marker::parse("'a' == os_name"));
  EXPECT_EQ(std::hash<Marker>{}(*Marker::parse("os.name=='a'")),
            std::hash<Marker>{}(*Marker::parse("os_name == 'a'")));
}

}  // namespace
}  // namespace mlstack::pep508
