// SPDX-License-Identifier: MIT
#include "mlstack/pep440/version.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace mlstack::pep440 {
namespace {

Version v(std::string_view text) {
  auto r = Version::parse(text);
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : render(r.error()));
  return r ? std::move(r).value() : Version::parse("0").value();
}

// From pypa/packaging tests/test_version.py (VERSIONS): must stay in sorted order.
// https://github.com/pypa/packaging/blob/0345ccd3d1e5b0e14b84de4fb6bca0b82f7145e3/tests/test_version.py
constexpr std::string_view k_sorted[] = {
    "1.0.dev0",
    "1.0.dev456",
    "1.0.dev456+local",
    "1.0a0",
    "1.0a0.post0.dev0",
    "1.0a0.post0",
    "1.0a1.dev1",
    "1.0a1.dev1+local",
    "1.0a1",
    "1.0a1+local",
    "1.0b0",
    "1.0b1.dev456",
    "1.0b2",
    "1.0b2.post345.dev456",
    "1.0b2.post345",
    "1.0b2-346",
    "1.0rc0",
    "1.0rc1.dev1",
    "1.0c1",
    "1.0rc2",
    "1.0",
    "1.0.post0.dev0",
    "1.0.post0",
    "1.0.post456.dev34",
    "1.0.post456",
    "1.0.post456+local",
    "1.0.1.dev1",
    "1.0.1a1",
    "1.0.1",
    "1.0.1+local",
    "1.0.1.post1",
    "1.1.dev1",
    "1.2+a",
    "1.2+abc",
    "1.2+abcdef",
    "1.2+def",
    "1.2+0",
    "1.2+1",
    "1.2+1.abc",
    "1.2+1.1",
    "1.2+1.1.0",
    "1.2+2",
    "1.2+123",
    "1.2+123456",
    "1.2.r32+123456",
    "1.2.rev33+123456",
    // Explicit epoch of 1
    "1!1.0.dev0",
    "1!1.0.dev456",
    "1!1.0.dev456+local",
    "1!1.0a0",
    "1!1.0a0.post0.dev0",
    "1!1.0a0.post0",
    "1!1.0a1.dev1",
    "1!1.0a1.dev1+local",
    "1!1.0a1",
    "1!1.0a1+local",
    "1!1.0b0",
    "1!1.0b1.dev456",
    "1!1.0b2",
    "1!1.0b2.post345.dev456",
    "1!1.0b2.post345",
    "1!1.0b2-346",
    "1!1.0rc0",
    "1!1.0rc1.dev1",
    "1!1.0c1",
    "1!1.0rc2",
    "1!1.0",
    "1!1.0.post0.dev0",
    "1!1.0.post0",
    "1!1.0.post456.dev34",
    "1!1.0.post456",
    "1!1.0.post456+local",
    "1!1.0.1.dev1",
    "1!1.0.1a1",
    "1!1.0.1",
    "1!1.0.1+local",
    "1!1.0.1.post1",
    "1!1.1.dev1",
    "1!1.2+a",
    "1!1.2+abc",
    "1!1.2+abcdef",
    "1!1.2+def",
    "1!1.2+0",
    "1!1.2+1",
    "1!1.2+1.abc",
    "1!1.2+1.1",
    "1!1.2+1.1.0",
    "1!1.2+2",
    "1!1.2+123",
    "1!1.2+123456",
    "1!1.2.r32+123456",
    "1!1.2.rev33+123456",
};

TEST(VersionOrder, SortedListIsSorted) {
  std::vector<Version> versions;
  for (const auto text : k_sorted) {
    versions.push_back(v(text));
  }
  EXPECT_TRUE(std::ranges::is_sorted(versions));
  EXPECT_EQ(std::adjacent_find(versions.begin(), versions.end(),
                               [](const Version& a, const Version& b) { return !(a < b); }),
            versions.end());
  for (std::size_t i = 0; i < versions.size(); ++i) {
    for (std::size_t j = 0; j < versions.size(); ++j) {
      SCOPED_TRACE(std::string(k_sorted[i]) + " vs " + std::string(k_sorted[j]));
      EXPECT_EQ(versions[i] <=> versions[j], i <=> j);
      EXPECT_EQ(versions[i] == versions[j], i == j);
    }
  }
}

TEST(VersionOrder, IgnoresTrailingZerosOfRelease) {
  struct Case {
    std::string_view a, b;
  };
  constexpr Case k_equal[] = {
      {"1", "1.0.0"},      {"1.0", "1.0.0.0"},     {"0", "0.0"},        {"1.0+abc", "1.0.0+ABC"},
      {"1.0rc1", "1.0c1"}, {"1!1.0", "1!1"},       {"1.0+0", "1.0+00"}, {"1.0a", "1.0a0"},
      {"0!1", "1"},        {"1.0-1", "1.0.post1"},
  };
  for (const auto& c : k_equal) {
    SCOPED_TRACE(std::string(c.a) + " == " + std::string(c.b));
    EXPECT_EQ(v(c.a), v(c.b));
    EXPECT_EQ(Version::compare_public(v(c.a), v(c.b)), std::strong_ordering::equal);
  }
  EXPECT_LT(v("1.0"), v("1.0+a"));
  EXPECT_EQ(Version::compare_public(v("1.0"), v("1.0+a")), std::strong_ordering::equal);
}

// From pypa/packaging tests/test_version.py (test_normalized_versions), abridged.
// https://github.com/pypa/packaging/blob/0345ccd3d1e5b0e14b84de4fb6bca0b82f7145e3/tests/test_version.py
TEST(VersionParse, NormalizesSpellings) {
  struct Case {
    std::string_view input, expected;
  };
  constexpr Case k_cases[] = {
      {"1.0dev", "1.0.dev0"},
      {"1.0.dev", "1.0.dev0"},
      {"1.0-dev1", "1.0.dev1"},
      {"1.0DEV", "1.0.dev0"},
      {"1.0.DEV1", "1.0.dev1"},
      {"1.0a", "1.0a0"},
      {"1.0.a1", "1.0a1"},
      {"1.0-alpha1", "1.0a1"},
      {"1.0ALPHA", "1.0a0"},
      {"1.0.B1", "1.0b1"},
      {"1.0beta", "1.0b0"},
      {"1.0c", "1.0rc0"},
      {"1.0-C1", "1.0rc1"},
      {"1.0.RC", "1.0rc0"},
      {"1.0post", "1.0.post0"},
      {"1.0-POST1", "1.0.post1"},
      {"1.0r", "1.0.post0"},
      {"1.0rev", "1.0.post0"},
      {"1.0.r1", "1.0.post1"},
      {"1.0-5", "1.0.post5"},
      {"1.0-r5", "1.0.post5"},
      {"1.0+AbC", "1.0+abc"},
      {"1.01", "1.1"},
      {"1.0a05", "1.0a5"},
      {"1.0c056", "1.0rc56"},
      {"1.0.post000", "1.0.post0"},
      {"1.1.dev09000", "1.1.dev9000"},
      {"00!1.2", "1.2"},
      {"0100!0.0", "100!0.0"},
      {"v1.0", "1.0"},
      {"   v1.0\t\n", "1.0"},
      // U+202F NARROW NO-BREAK SPACE and U+2029 PARAGRAPH SEPARATOR are Python whitespace.
      {"\u202f1.0\t\u2029\n ", "1.0"},
      // Not in packaging's table: separators and spellings this scanner must take greedily.
      {"1.0preview2", "1.0rc2"},
      {"1.0.pre.3", "1.0rc3"},
      {"1.0a-1", "1.0a1"},
      {"1.0a.-1", "1.0a0.post1"},
      {"1.0.post.dev", "1.0.post0.dev0"},
      {"1.0+Ubuntu-1_x.2", "1.0+ubuntu.1.x.2"},
      {"V1!2.0-ALPHA.2-3_DEV+Ab-1", "1!2.0a2.post3.dev0+ab.1"},
      {"18446744073709551615", "18446744073709551615"},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(v(c.input).to_string(), c.expected);
  }
}

// From pypa/packaging tests/test_version.py (test_invalid_versions).
// https://github.com/pypa/packaging/blob/0345ccd3d1e5b0e14b84de4fb6bca0b82f7145e3/tests/test_version.py
TEST(VersionParse, RejectsInvalid) {
  constexpr std::string_view k_invalid[] = {
      "french toast",
      "1.0+a+",
      "1.0++",
      "1.0+_foobar",
      "1.0+foo&asd",
      "1.0+1+1",
      "1. 0",
      "1 .0",
      "1. 0a1",
      "1 .0a1",
      "1.0 a1",
      "1.0a 1",
      "\u0660\u0661\u0662.\u0663",
      ".",
      "..",
      "1..0",
      "1.0.",
      ".1.0",
      "1..2.3",
      "1.0+\u0130",
      "",
      "v",
      "1!",
      "1.0-",
      "1.0+a.",
  };
  for (const auto text : k_invalid) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(Version::parse(text).has_value());
  }
}

TEST(VersionParts, ExposesSegments) {
  const Version x = v("2!1.2.3rc4.post5.dev6+Ubuntu.7");
  EXPECT_EQ(x.epoch(), 2U);
  EXPECT_EQ(x.release(), (std::vector<Number>{1, 2, 3}));
  EXPECT_EQ(x.release_part(2), 3U);
  EXPECT_EQ(x.release_part(3), 0U);
  ASSERT_TRUE(x.pre().has_value());
  EXPECT_EQ(x.pre()->kind, Version::PreKind::rc);
  EXPECT_EQ(x.pre()->number, 4U);
  EXPECT_EQ(x.post(), 5U);
  EXPECT_EQ(x.dev(), 6U);
  ASSERT_EQ(x.local().size(), 2U);
  EXPECT_FALSE(x.local()[0].is_number);
  EXPECT_EQ(x.local()[0].text, "ubuntu");
  EXPECT_TRUE(x.local()[1].is_number);
  EXPECT_EQ(x.local()[1].number, 7U);
  EXPECT_TRUE(x.is_prerelease());
  EXPECT_TRUE(x.is_postrelease());
  EXPECT_TRUE(x.is_devrelease());
  EXPECT_EQ(x.base_version(), "2!1.2.3");
  EXPECT_EQ(x.public_version(), "2!1.2.3rc4.post5.dev6");
  EXPECT_EQ(x.local_string(), "ubuntu.7");
  EXPECT_EQ(v("1.0.0+abc").canonical_string(), "1+abc");
  EXPECT_EQ(v("0.0").canonical_string(), "0");
}

TEST(VersionParse, RoundTripsThroughToString) {
  for (const auto text : k_sorted) {
    SCOPED_TRACE(text);
    const Version x = v(text);
    EXPECT_EQ(v(x.to_string()), x);
    EXPECT_EQ(v(x.to_string()).to_string(), x.to_string());
  }
}

TEST(VersionParseError, RendersCaret) {
  struct Case {
    std::string input, expected;
  };
  const Case k_cases[] = {
      {"1.0foo",
       "expected end of version, found `f`\n"
       "    1.0foo\n"
       "       ^"},
      {"",
       "expected version, found end of input\n"
       "    \n"
       "    ^"},
      {"  lolwat",
       "expected version number, found `l`\n"
       "      lolwat\n"
       "      ^"},
      {"1.0+",
       "expected local version segment after `+`, found end of input\n"
       "    1.0+\n"
       "        ^"},
      {"1.0+a..b",
       "expected local version segment after `.`, found `.`\n"
       "    1.0+a..b\n"
       "          ^"},
      {"1!",
       "expected release number after `!`, found end of input\n"
       "    1!\n"
       "      ^"},
      {"1.0+" + std::string(4301, '7'),
       "Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; "
       "use sys.set_int_max_str_digits() to increase the limit\n"
       "    1.0+" +
           std::string(4301, '7') +
           "\n"
           "        " +
           std::string(4301, '^')},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(c.input);
    const auto r = Version::parse(c.input);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(render(r.error()), c.expected);
  }
}

// Numbers of any size, as Python's int (no 64-bit limit); expectations from packaging 26.3.
TEST(VersionParse, AcceptsNumbersPast64Bits) {
  struct Case {
    std::string_view input, expected;
  };
  constexpr Case k_cases[] = {
      {"18446744073709551616", "18446744073709551616"},
      {"1.0.18446744073709551616", "1.0.18446744073709551616"},
      {"1.0.post18446744073709551616", "1.0.post18446744073709551616"},
      {"1.0+18446744073709551616", "1.0+18446744073709551616"},
      {"18446744073709551616!1.0", "18446744073709551616!1.0"},
      {"1.0a0018446744073709551616", "1.0a18446744073709551616"},
      {"1.0.dev99999999999999999999999", "1.0.dev99999999999999999999999"},
      {"2.1234567890123456789012345678901234567890+cu121",
       "2.1234567890123456789012345678901234567890+cu121"},
      {"1.0000000000000000000000000000000000000000001", "1.1"},
      {"1.9223372036854775808", "1.9223372036854775808"},  // 2^63, the first heap value
      {"1.9223372036854775807", "1.9223372036854775807"},  // 2^63 - 1, the last inline one
      {"1.0+abc.0000000000000000000000042", "1.0+abc.42"},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(v(c.input).to_string(), c.expected);
  }
  EXPECT_EQ(v("1.0.18446744073709551616").release()[2].to_string(), "18446744073709551616");
  EXPECT_FALSE(v("1.0.18446744073709551616").release()[2].to_uint64().has_value());
  EXPECT_EQ(v("1.18446744073709551616").release_part(1), UINT64_MAX);  // saturates
  EXPECT_EQ(v("1." + std::string(4300, '9')).release()[1].to_string(), std::string(4300, '9'));
  EXPECT_EQ(v("1.0+" + std::string(4300, '0')).local_string(), "0");
}

TEST(VersionOrder, OrdersNumbersPast64Bits) {
  constexpr std::string_view k_ascending[] = {
      "1.9223372036854775807",
      "1.9223372036854775808",
      "1.18446744073709551615",
      "1.18446744073709551616.dev0",
      "1.18446744073709551616a1",
      "1.18446744073709551616",
      "1.18446744073709551616+abc",
      "1.18446744073709551616+18446744073709551616",
      "1.18446744073709551616+18446744073709551617",
      "1.18446744073709551616+99999999999999999999999",
      "1.18446744073709551616.post3",
      "1.18446744073709551616.post18446744073709551616",
      "1.18446744073709551617",
      "1.99999999999999999999",
      "1.100000000000000000000",
      "18446744073709551616",
      "1!0",
      "18446744073709551616!0",
  };
  for (std::size_t i = 0; i < std::size(k_ascending); ++i) {
    for (std::size_t j = 0; j < std::size(k_ascending); ++j) {
      EXPECT_EQ(v(k_ascending[i]) <=> v(k_ascending[j]), i <=> j)
          << k_ascending[i] << " vs " << k_ascending[j];
    }
  }
  EXPECT_EQ(v("1.18446744073709551616.0"), v("1.018446744073709551616"));
}

TEST(VersionParse, RejectsNumbersPastPythonIntLimit) {
  // Python's int() converts at most 4,300 digits (leading zeros counted); packaging then
  // raises ValueError, but only once its regex has matched the whole version.
  const std::string long_number(4301, '1');
  for (const std::string& text :
       {"1." + long_number, long_number + "!1", "1.0a" + long_number, "1.0-" + long_number,
        "1.0.dev" + long_number, "1.0+a." + long_number, "1.0+" + std::string(4301, '0'),
        " 1." + long_number + " "}) {
    SCOPED_TRACE(text.substr(0, 12));
    const auto r = Version::parse(text);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::unsupported);
    EXPECT_TRUE(r.error().message.starts_with("Exceeds the limit (4300 digits)"));
  }
  // Not a version at all: packaging's regex fails first (InvalidVersion).
  const auto r = Version::parse("1." + long_number + "x");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::parse);
}

}  // namespace
}  // namespace mlstack::pep440
