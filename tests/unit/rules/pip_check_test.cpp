// SPDX-License-Identifier: MIT
#include "mlstack/rules/pip_check.hpp"

#include "mlstack/pep508/marker_environment.hpp"
#include "mlstack/tags/supported_tags.hpp"

#include "fixtures.hpp"
#include <gtest/gtest.h>

namespace mlstack::rules {
namespace {

using testing::dist;

std::vector<std::string> check_lines(const facts::Inventory& inv) {
  const facts::PythonFacts py = testing::linux_cp311();
  const pep508::MarkerEnvironment env(py.markers);
  const auto supported = tags::SupportedTags::from_facts(py.tags);
  EXPECT_TRUE(supported.has_value());
  const PackageSet set = build_package_set(inv, env);
  const PipCheckResult result = pip_check(set, inv, &*supported);
  return pip_check_lines(set, result);
}

TEST(PipCheckLines, ReportsNothingOnHealthyEnvironment) {
  facts::Inventory inv;
  inv.dists = {dist("a", "1.0", {"b>=1"}), dist("b", "1.2")};
  EXPECT_EQ(check_lines(inv), std::vector<std::string>{"No broken requirements found."});
}

TEST(PipCheckLines, ReportsMissingAndConflictingLikePip) {
  facts::Inventory inv;
  inv.dists = {dist("a", "1.0", {"B >=2", "zz; python_version >= '3'", "b[x] <3"}),
               dist("b", "1.0")};
  EXPECT_EQ(check_lines(inv), (std::vector<std::string>{
                                  "a 1.0 requires zz, which is not installed.",
                                  "a 1.0 has requirement B>=2, but you have b 1.0.",
                              }));
}

TEST(PipCheckLines, AcceptsPrereleasesAndSkipsFalseMarkers) {
  facts::Inventory inv;
  inv.dists = {dist("a", "1.0", {"b>=1", "c; sys_platform == 'win32'", "d; extra == 'x'"}),
               dist("b", "2.0rc1")};
  EXPECT_EQ(check_lines(inv), std::vector<std::string>{"No broken requirements found."});
}

TEST(PipCheckLines, LeavesOutDistributionsWithBadMetadata) {
  facts::Inventory inv;
  inv.dists = {dist("a", "1.0", {"b"}), dist("b", "1.0", {"c>="}), dist("c", "not-a-version")};
  const auto lines = check_lines(inv);
  // b and c are left out (pip: "Error parsing dependencies"), so a's b is missing.
  EXPECT_EQ(lines, std::vector<std::string>{"a 1.0 requires b, which is not installed."});
}

TEST(PipCheckLines, ReportsWheelsForOtherPlatforms) {
  facts::Inventory inv;
  inv.dists = {dist("a", "1.0"), dist("b", "2.0"), dist("c", "1.0")};
  inv.dists[0].wheel_tags = std::vector<std::string>{"cp311-cp311-win_amd64"};
  inv.dists[0].raw_name = "A";
  inv.dists[1].wheel_tags = std::vector<std::string>{"py2.py3-none-any"};
  inv.dists[2].wheel_tags = std::vector<std::string>{"cp310-cp310-manylinux_2_17_x86_64"};
  inv.dists[2].local = false;  // outside the venv: pip does not look
  EXPECT_EQ(check_lines(inv), std::vector<std::string>{"A 1.0 is not supported on this platform"});
}

TEST(PipCheckLines, DeduplicatesEqualRequirements) {
  facts::Inventory inv;
  inv.dists = {dist("a", "1.0", {"zz>=1.0", "ZZ >= 1.0", "zz>=1.0 ; python_version > '2'"})};
  EXPECT_EQ(check_lines(inv), (std::vector<std::string>{
                                  "a 1.0 requires zz, which is not installed.",
                                  "a 1.0 requires zz, which is not installed.",
                              }));
}

// pip stops with a RecursionError on a marker nested past packaging's recursion limit: it
// prints no line and no warning from that distribution on, and exits 2.
TEST(PipCrash, StopsOnMarkerNestedTooDeeply) {
  facts::Inventory inv;
  const std::string deep =
      "x; " + std::string(600, '(') + "os_name == 'posix'" + std::string(600, ')');
  inv.dists = {dist("a", "1.0", {"b>="}), dist("deep", "1.0", {deep}), dist("c", "1.0", {"d>="})};
  const facts::PythonFacts py = testing::linux_cp311();
  const pep508::MarkerEnvironment env(py.markers);
  const PackageSet set = build_package_set(inv, env);
  const PipCheckResult result = pip_check(set, inv, nullptr);
  EXPECT_EQ(pip_check_lines(set, result), std::vector<std::string>{});
  EXPECT_EQ(pip_check_warnings(set, inv),
            std::vector<std::string>{
                "Error parsing dependencies of a: Expected semicolon (after name with no "
                "version specifier) or end\n    b>=\n     ^"});
  EXPECT_EQ(pip_crash(set, result),
            "/venv/lib/python3.11/site-packages/deep-1.0.dist-info: Marker nested too deeply (488 "
            "parentheses; pip stops with RecursionError past 486)");
}

TEST(PipCheckLines, ComparesNumbersPast64Bits) {
  facts::Inventory inv;
  inv.dists = {
      dist("a", "1.0.18446744073709551616", {"b>=2.1234567890123456789012345678901234567891"}),
      dist("b", "2.1234567890123456789012345678901234567890+cu121",
           {"a==1.0.18446744073709551616.*", "a>1.0.18446744073709551615"})};
  EXPECT_EQ(check_lines(inv), (std::vector<std::string>{
                                  "a 1.0.18446744073709551616 has requirement "
                                  "b>=2.1234567890123456789012345678901234567891, but you have b "
                                  "2.1234567890123456789012345678901234567890+cu121.",
                              }));
}

// Past Python's int() limit (4,300 digits): a version leaves its distribution out with
// Python's ValueError; a specifier stops pip where packaging parses or hashes it.
TEST(PipCheckLines, FollowsPythonIntLimit) {
  const std::string long_number(4301, '5');
  facts::Inventory inv;
  inv.dists = {dist("a", "1.0", {"b"}), dist("b", "1." + long_number)};
  const facts::PythonFacts py = testing::linux_cp311();
  const pep508::MarkerEnvironment env(py.markers);
  const PackageSet set = build_package_set(inv, env);
  ASSERT_EQ(set.problems.size(), 1U);
  EXPECT_TRUE(set.problems[0].message.starts_with(
      "Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits"));
  EXPECT_EQ(check_lines(inv),
            std::vector<std::string>{"a 1.0 requires b, which is not installed."});

  struct Case {
    std::string requirement;
    bool pip_stops;
  };
  const Case k_cases[] = {
      {"b==1." + long_number, true},              // parsed by contains
      {"b==1." + long_number + ".*", true},       // the range path parses it
      {"b>=2,==1." + long_number + ".*", false},  // `>=2` fails first; a wildcard hashes as text
      {"b>=2,==1." + long_number, true},          // the conflict is hashed: parsed
      {"b===1.0,==1." + long_number, true},       // `===` sets test in order
      {"zz>=1." + long_number, true},             // missing: hashed
      {"zz==1." + long_number + ".*", false},     // missing: a wildcard hashes as text
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.requirement.substr(0, 12));
    facts::Inventory with;
    with.dists = {dist("a", "1.0", {c.requirement}), dist("b", "1.0")};
    const PackageSet s = build_package_set(with, env);
    const PipCheckResult result = pip_check(s, with, nullptr);
    EXPECT_EQ(pip_crash(s, result).has_value(), c.pip_stops);
    EXPECT_EQ(pip_check_lines(s, result).empty(), c.pip_stops);
  }
}

// Enough Requires-Dist strings that the package set is built on several threads: the dists,
// the name index (first of two equal names wins) and the problems keep discovery order.
TEST(BuildPackageSet, KeepsDiscoveryOrderWhenParsedOnThreads) {
  facts::Inventory inv;
  const std::vector<std::string> reqs(8, "dep>=1; python_version >= '3'");
  for (int i = 0; i < 1200; ++i) {
    const std::string name = "p" + std::to_string(i);
    if (i % 97 == 5) {
      inv.dists.push_back(dist(name, "1.0", {"bad>="}));
    } else if (i % 101 == 7) {
      inv.dists.push_back(dist(name, "not-a-version", reqs));
    } else {
      inv.dists.push_back(dist(name, "1." + std::to_string(i), reqs));
    }
  }
  inv.dists.push_back(dist("p10", "9.0"));  // a second p10: pip's package set keeps the first
  const facts::PythonFacts py = testing::linux_cp311();
  const pep508::MarkerEnvironment env(py.markers);
  const PackageSet set = build_package_set(inv, env);

  std::vector<std::string> expected_dists;
  std::vector<std::string> expected_problems;
  for (const facts::InstalledDist& d : inv.dists) {
    const bool bad =
        d.version_text == "not-a-version" || d.requires_dist == std::vector<std::string>{"bad>="};
    (bad ? expected_problems : expected_dists).push_back(d.canonical_name);
  }
  std::vector<std::string> dists;
  for (const CheckedDist& d : set.dists) {
    dists.push_back(d.dist->canonical_name);
    EXPECT_EQ(d.requirements.size(), d.dist->requires_dist.size());
    EXPECT_EQ(d.active.size(), d.requirements.size());
  }
  std::vector<std::string> problems;
  for (const auto& p : set.problems) {
    problems.push_back(p.dist->canonical_name);
  }
  EXPECT_EQ(dists, expected_dists);
  EXPECT_EQ(problems, expected_problems);
  ASSERT_NE(set.find("p10"), nullptr);
  EXPECT_EQ(set.find("p10")->version.to_string(), "1.10");
}

}  // namespace
}  // namespace mlstack::rules
