// SPDX-License-Identifier: MIT
#include "mlstack/pep440/specifier.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace mlstack::pep440 {
namespace {

Specifier spec(std::string_view text) {
  auto r = Specifier::parse(text);
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : render(r.error()));
  return r ? std::move(r).value() : Specifier::parse("==0").value();
}

SpecifierSet set(std::string_view text) {
  auto r = SpecifierSet::parse(text);
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : render(r.error()));
  return r ? std::move(r).value() : SpecifierSet::parse("").value();
}

Version ver(std::string_view text) { return Version::parse(text).value(); }

// From pypa/packaging tests/test_specifiers.py (test_specifiers, prereleases=True), abridged.
// https://github.com/pypa/packaging/blob/00d365f9d287bfc82062b0e7ed6b4161b0b2f611/tests/test_specifiers.py
TEST(SpecifierContains, MatchesPackagingTable) {
  struct Case {
    std::string_view version, specifier;
    bool expected;
  };
  constexpr Case k_cases[] = {
      {"2.0", "==2", true},
      {"2.0", "==2.0.0", true},
      {"2.0+deadbeef", "==2", true},
      {"2.0+deadbeef", "==2.0+deadbeef", true},
      {"2.0+deadbeef.0", "==2.0.0+deadbeef.00", true},
      {"2.dev1", "==2.*", true},
      {"2a1.post1", "==2.*", true},
      {"2c1.post1.dev1", "==2.0.*", true},
      {"2", "==2.0.0.*", true},
      {"2", "==0!2.*", true},
      {"2.0.0.0", "==2.0.*", true},
      {"2.1+local.version", "==2.1.*", true},
      {"2.1", "!=2", true},
      {"2.0", "!=2.0+deadbeef", true},
      {"2.1.0.0", "!=2.0.*", true},
      {"2.0.post1.dev1", ">=2", true},
      {"3.0.0a8", ">=3.0.0a7", true},
      {"2.0c1.post1.dev1", "<=2", true},
      {"3.0.0a7", "<=3.0.0a8", true},
      {"2.1.post1", ">2", true},
      {"2.1+local.version", ">2", true},
      {"2.0.dev0", "<2.1", true},
      {"1", "~=1.0", true},
      {"1.9999999", "~=1.0", true},
      {"1.1", "~=1.0a1", true},
      {"2022.01.01", "~=2022.01.01", true},
      {"2!1.0", "~=2!1.0", true},
      {"2!1.0.0", "==2!1.0.0.0.*", true},
      {"1.0", "<=2!0.1", true},
      {"2!1.0", ">2.0", true},
      {"2.0.5", ">2.0dev", true},
      {"1.0+local", ">1.0.dev1", true},
      {"4.1.0a2.dev1235+local", ">4.1.0a2.dev1234", true},
      {"1.0a2+local", ">1.0a1", true},
      {"1.0.post2+local", ">1.0.post1", true},
      {"1.0.post1.dev2+local", ">1.0.post1.dev1", true},
      {"2.1", "==2.0.0", false},
      {"2.0", "==2.0+deadbeef", false},
      {"2.1.0.0", "==2.0.*", false},
      {"2.0+deadbeef", "!=2.0", false},
      {"2.0+deadbeef.0", "!=2.0.0+deadbeef.00", false},
      {"2.dev1", "!=2.*", false},
      {"2.0.0.0", "!=2.0.*", false},
      {"2.0.dev1", ">=2", false},
      {"2.0c1.post1.dev1", ">=2", false},
      {"2.0.post1", "<=2", false},
      {"2.0.dev1", ">2", false},
      {"2.0.post1", ">2", false},
      {"2.0+local.version", ">2", false},
      {"4.1.0a2.dev1234+local", ">4.1.0a2.dev1234", false},
      {"1.0a1+local", ">1.0a1", false},
      {"1.0.post1+local", ">1.0.post1", false},
      {"1.0.post1.dev1+local", ">1.0.post1.dev1", false},
      {"2.0a1", "<2", false},
      {"2.0", "<2", false},
      {"2.post1", "<2", false},
      {"2.0", "~=1.0", false},
      {"1.1.post1", "~=1.0.0", false},
      {"2!1.0", "~=1.0", false},
      {"1.0", "==2!1.0.0.*", false},
      {"2!1.0", "!=2!1.0", false},
      // test_specifier_prereleases_set / the `<V.postN` and `>V.preN` rules (default policy).
      {"1.0a1.post0", ">1.0a1", false},
      {"1.0.post0", ">1.0a1", true},
      {"1.0.post1.dev0", "<1.0.post1", false},
      {"1.0.post0.dev0", "<1.0.post1", true},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(std::string(c.version) + " in " + std::string(c.specifier));
    const Specifier s = spec(c.specifier);
    EXPECT_EQ(s.contains(c.version, Prereleases::allow), c.expected);
    EXPECT_EQ(s.contains(ver(c.version), Prereleases::allow), c.expected);
    EXPECT_EQ(s.contains(ver(c.version)), c.expected);  // one candidate: no pre-release veto
  }
}

// From pypa/packaging tests/test_specifiers.py (test_arbitrary_equality*), abridged.
// https://github.com/pypa/packaging/blob/00d365f9d287bfc82062b0e7ed6b4161b0b2f611/tests/test_specifiers.py
TEST(SpecifierContains, ArbitraryComparesTextCaseInsensitively) {
  struct Case {
    std::string_view specifier, version;
    bool on_text, on_version;
  };
  constexpr Case k_cases[] = {
      {"===1.0", "1.0.0", false, false},
      {"===1.0", "1.0", true, true},
      {"===1.0", "1.0+downstream1", false, false},
      {"===foobar", "foobar", true, false},
      {"===lolwat", "LoLWaT", true, false},
      {"===1.0A1", "1.0a1", true, true},
      {"===1.1", "1.01", false, true},
      {"===1.01", "1.01", true, false},
      {"===1.a1", "1.a1", true, false},
      {"===1a1", "1.a1", false, true},
      {"===0!1.0", "0!1.0", true, false},
      {"===1.0.post1", "1.0-1", false, true},
      {"===1.0", " 1.0", false, true},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(std::string(c.version) + " in " + std::string(c.specifier));
    const Specifier s = spec(c.specifier);
    EXPECT_EQ(s.contains(c.version), c.on_text);
    if (const auto v = Version::parse(c.version)) {
      EXPECT_EQ(s.contains(*v), c.on_version);
    }
  }
}

TEST(SpecifierContains, InvalidTextIsNotContained) {
  for (const auto text : {"==1.0", "==1.*", ">=1.0", ">1.0", "<=1.0", "<1.0", "~=1.0", "!=1.0",
                          "!=1.*", "===foobar"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(spec(text).contains(std::string_view("not a valid version")));
  }
  EXPECT_TRUE(spec("===invalid").contains(std::string_view("invalid"), Prereleases::deny));
}

TEST(SpecifierContains, DenyRejectsPrereleasesOnly) {
  EXPECT_TRUE(spec(">=1.0").contains(ver("2.0a1")));
  EXPECT_TRUE(spec(">=1.0").contains(ver("2.0a1"), Prereleases::allow));
  EXPECT_FALSE(spec(">=1.0").contains(ver("2.0a1"), Prereleases::deny));
  EXPECT_TRUE(spec(">=1.0").contains(ver("2.0"), Prereleases::deny));
  EXPECT_FALSE(spec("===1.0a1").contains(std::string_view("1.0a1"), Prereleases::deny));
}

// From pypa/packaging tests/test_specifiers.py (test_specifier_prereleases_detection).
// https://github.com/pypa/packaging/blob/00d365f9d287bfc82062b0e7ed6b4161b0b2f611/tests/test_specifiers.py
TEST(SpecifierPrereleases, DetectsFromVersion) {
  struct Case {
    std::string_view specifier;
    Prereleases expected;
  };
  constexpr Case k_cases[] = {
      {"==1.0", Prereleases::deny},        {">=1.0", Prereleases::deny},
      {"<1.0.dev1", Prereleases::allow},   {">1.0.dev1", Prereleases::allow},
      {"!=1.0.dev1", Prereleases::deny},   {"==1.0.*", Prereleases::deny},
      {"==1.0.dev1", Prereleases::allow},  {"~=1.0.dev1", Prereleases::allow},
      {"===foo", Prereleases::by_default}, {"===1.0a1", Prereleases::allow},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(c.specifier);
    EXPECT_EQ(spec(c.specifier).prereleases(), c.expected);
  }
  EXPECT_EQ(set(">=1.0,<2.0a1").prereleases(), Prereleases::allow);
  EXPECT_EQ(set(">=1.0,!=1.5a1").prereleases(), Prereleases::by_default);
  EXPECT_EQ(set("").prereleases(), Prereleases::by_default);
}

TEST(SpecifierFormat, StripsSpacesKeepsVersionAsWritten) {
  struct Case {
    std::string_view input, expected;
  };
  constexpr Case k_cases[] = {
      {"< 2", "<2"},
      {" >= 1.0 ", ">=1.0"},
      {"==v1.0", "==v1.0"},
      {"== 1.0.*", "==1.0.*"},
      {"===", "==="},
      {"=== Foo", "===Foo"},
      {"~=1.0.POST1", "~=1.0.POST1"},
      {"\t!=\u30002.0\n", "!=2.0"},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(spec(c.input).to_string(), c.expected);
  }
  EXPECT_EQ(spec("==1.*").op(), Operator::equal);
  EXPECT_TRUE(spec("==1.*").has_wildcard());
  EXPECT_EQ(spec("==1.*").version_text(), "1.*");
}

TEST(SpecifierEquality, ComparesCanonicalForm) {
  struct Case {
    std::string_view a, b;
    bool equal;
  };
  constexpr Case k_cases[] = {
      {"==2.8.0", "==2.8", true},
      {"==1.2.3", "== 1.2.3.0", true},
      {"==01.0", "==1", true},
      {"~=1.0", "~=1.0.0", false},
      {"==1.0", "~=1.0", false},
      {"===1.0", "===1.0.0", false},
      {"===foo", "===FOO", false},
      {"==1.0.*", "==1.*", false},
      {"==v1.0", "==1.0", true},
      {"==1.0+ABC", "==1.0.0+abc", true},
      {">=1.0a1", ">=1.0.0alpha1", true},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(std::string(c.a) + " vs " + std::string(c.b));
    EXPECT_EQ(spec(c.a) == spec(c.b), c.equal);
  }
}

TEST(SpecifierParseError, RendersCaret) {
  struct Case {
    std::string_view input, expected;
  };
  constexpr Case k_cases[] = {
      {"=>2.0",
       "expected comparison operator (`==`, `!=`, `<=`, `>=`, `<`, `>`, `~=`, `===`), found `=`\n"
       "    =>2.0\n"
       "    ^"},
      {">=",
       "expected version after `>=`, found end of input\n"
       "    >=\n"
       "      ^"},
      {">=1.0+abc",
       "expected end of specifier, found `+abc` (a local version needs `==` or `!=`)\n"
       "    >=1.0+abc\n"
       "         ^^^^"},
      {"<1.0.*",
       "expected end of specifier, found `.*` (a wildcard needs `==` or `!=`)\n"
       "    <1.0.*\n"
       "        ^^"},
      {"==1.0a1.*",
       "expected end of specifier, found `.*` (a wildcard can only follow a release such as "
       "`1.2`)\n"
       "    ==1.0a1.*\n"
       "           ^^"},
      {"~=1",
       "expected a release with at least two parts after `~=`, found `1`\n"
       "    ~=1\n"
       "      ^"},
      {"== 1.0 foo",
       "expected end of version, found ` `\n"
       "    == 1.0 foo\n"
       "          ^"},
      {"===a;b",
       "expected end of specifier, found `;`\n"
       "    ===a;b\n"
       "        ^"},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(c.input);
    const auto r = Specifier::parse(c.input);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(render(r.error()), c.expected);
  }
}

TEST(SpecifierSetParseError, PointsIntoWholeSet) {
  const auto r = SpecifierSet::parse(">=1.0, ~=1");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(render(r.error()),
            "expected a release with at least two parts after `~=`, found `1`\n"
            "    >=1.0, ~=1\n"
            "             ^");
}

TEST(SpecifierSetFormat, SortsAndDeduplicates) {
  struct Case {
    std::string_view input, expected;
  };
  constexpr Case k_cases[] = {
      {"", ""},
      {" , ,", ""},
      {">=1.0.0,!=1.0.1", "!=1.0.1,>=1.0.0"},
      {" < 2.0 , >= 1.0 ,", "<2.0,>=1.0"},
      {">=1.0,>=1.0.0,>=1.00", ">=1.0"},
      {"==1.0.0,==1", "==1"},
      {"===foo,===FOO", "===FOO,===foo"},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(set(c.input).to_string(), c.expected);
  }
  EXPECT_EQ(set(">=1.0,<2").specifiers().size(), 2U);
  EXPECT_TRUE(set(" ").empty());
}

TEST(SpecifierSetEquality, IgnoresOrderAndDuplicates) {
  EXPECT_EQ(set(">=1.0,!=1.0.1"), set("!=1.0.1 , >=1.0.0"));
  EXPECT_EQ(set(">=1.0,>=1.0"), set(">=1.0"));
  EXPECT_FALSE(set(">=1.0,!=1.0.1") == set(">=1.0"));
  EXPECT_EQ(set(""), set(","));
}

TEST(SpecifierSetContains, FollowsPackaging) {
  struct Case {
    std::string_view set, version;
    Prereleases prereleases;
    bool expected;
  };
  constexpr Case k_cases[] = {
      {">=1.0.0,!=1.0.1", "1.2.3", Prereleases::by_default, true},
      {">=1.0.0,!=1.0.1", "1.0.1", Prereleases::by_default, false},
      {">=1.0.0,!=1.0.1", "1.3.0a1", Prereleases::by_default, true},
      {">=1.0.0,!=1.0.1", "1.3.0a1", Prereleases::deny, false},
      {"", "1.5a1", Prereleases::by_default, true},
      {"", "1.5a1", Prereleases::deny, false},
      {"", "not a version", Prereleases::deny, true},  // the empty set contains anything
      {">=1.0", "not a version", Prereleases::allow, false},
      {"===foo", "FOO", Prereleases::deny, true},
      {"===foo,>=1", "foo", Prereleases::allow, false},
      {"===1.0,>=1", "1.0", Prereleases::allow, true},
      {"===1.0,>=1", "1.0.0", Prereleases::allow, false},
      {">=1.0,<2", "1.5+local", Prereleases::allow, true},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(std::string(c.version) + " in " + std::string(c.set));
    EXPECT_EQ(set(c.set).contains(c.version, c.prereleases), c.expected);
  }
  EXPECT_TRUE(set("===1.0,>=1").contains(ver("1.0.0")) == false);
  EXPECT_TRUE(set(">=1.0,<2").contains(ver("1.5"), Prereleases::allow));
}

// packaging: `str(item).lower() == spec.lower()`, Python's full Unicode lowercase.
TEST(SpecifierContains, ArbitraryEqualityLowersAsPython) {
  const auto kelvin = Specifier::parse("===1.0+\u212A").value();  // KELVIN SIGN
  EXPECT_TRUE(kelvin.contains(Version::parse("1.0+k").value()));
  EXPECT_TRUE(kelvin.contains(std::string_view("1.0+K")));
  const auto dotted = Specifier::parse("===1.0+\u0130").value();  // lowers to `i` + U+0307
  EXPECT_FALSE(dotted.contains(Version::parse("1.0+i").value()));
  EXPECT_TRUE(dotted.contains(std::string_view("1.0+i\u0307")));
  EXPECT_TRUE(Specifier::parse("===\u00C9").value().contains(std::string_view("\u00E9")));
}

}  // namespace
}  // namespace mlstack::pep440
