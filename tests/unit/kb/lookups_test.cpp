// SPDX-License-Identifier: MIT
#include "mlstack/kb/detail/lookups.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mlstack::kb::detail {
namespace {

FrameworkRelease release(std::string versions, std::string variant,
                         std::vector<std::string> archs, std::string index_url = "") {
  FrameworkRelease r;
  r.framework = "torch";
  r.versions = pep440::SpecifierSet::parse(versions).value();
  r.variant = std::move(variant);
  r.archs = std::move(archs);
  r.index_url = std::move(index_url);
  return r;
}

pep440::Version version(std::string_view v) { return pep440::Version::parse(v).value(); }

// Rows as frameworks.toml keeps them: newest first, variants of one release in a row.
Kb releases() {
  Kb kb;
  kb.releases = {
      release("==2.9.*", "cu130", {"sm_75", "sm_80", "sm_90", "sm_100", "sm_120", "compute_120"},
              "https://download.pytorch.org/whl/cu130"),
      release("==2.9.*", "cu126", {"sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_90"},
              "https://download.pytorch.org/whl/cu126"),
      release("==2.5.*", "cu118", {"sm_37", "sm_50", "sm_60", "sm_70", "sm_80", "sm_90"}),
      release("==1.12.*", "cu102", {"sm_37", "sm_50", "sm_60", "sm_70"}),
  };
  return kb;
}

TEST(KbLookups, AnotherVariantOfTheInstalledReleaseFirst) {
  const Kb kb = releases();
  const auto installed = version("2.9.0+cu130");
  const FrameworkRelease* r =
      release_covering(kb, "torch", &installed, 7, 0, ArchCover::sass_or_ptx);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(release_requirement(*r), "torch==2.9.* (cu126, https://download.pytorch.org/whl/cu126)");
}

TEST(KbLookups, NewestReleaseOtherwise) {
  const Kb kb = releases();
  const auto installed = version("1.12.1");
  const FrameworkRelease* r =
      release_covering(kb, "torch", &installed, 8, 0, ArchCover::sass_or_ptx);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->variant, "cu130");  // the first 2.9 row in file order
  EXPECT_EQ(release_covering(kb, "torch", &installed, 3, 0, ArchCover::sass_or_ptx), nullptr);
  EXPECT_EQ(release_covering(kb, "jax", nullptr, 8, 0, ArchCover::sass_or_ptx), nullptr);
  EXPECT_EQ(release_requirement(kb.releases[2]), "torch==2.5.* (cu118)");
}

// 12.1 runs cu130's compute_120 by JIT compilation only: a machine-code search skips it.
TEST(KbLookups, MachineCodeOnly) {
  Kb kb = releases();
  kb.releases.erase(kb.releases.begin() + 1);
  EXPECT_NE(release_covering(kb, "torch", nullptr, 12, 1, ArchCover::sass_or_ptx), nullptr);
  EXPECT_NE(release_covering(kb, "torch", nullptr, 12, 1, ArchCover::sass), nullptr);  // sm_120
  EXPECT_EQ(release_covering(kb, "torch", nullptr, 13, 0, ArchCover::sass), nullptr);
  EXPECT_NE(release_covering(kb, "torch", nullptr, 13, 0, ArchCover::sass_or_ptx), nullptr);
}

TEST(KbLookups, ReleaseForACudaMajor) {
  Kb kb = releases();
  kb.releases[0].cuda = "13.0";
  kb.releases[1].cuda = "12.6";
  kb.releases[2].cuda = "11.8";
  const auto installed = version("2.15.0");
  const FrameworkRelease* r = release_for_cuda(kb, "torch", &installed, 12);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->variant, "cu126");
  EXPECT_EQ(release_for_cuda(kb, "torch", &installed, 10), nullptr);  // 1.12 cu102: no `cuda`
}

TEST(KbLookups, ToolkitRowIsTheUpdateAtOrBelow) {
  Kb kb;
  for (const auto& [toolkit, driver] : {std::pair{"12.4.0", "550.54.14"},
                                        std::pair{"12.4.1", "550.54.15"},
                                        std::pair{"12.5.0", "555.42.02"}}) {
    ToolkitDriver row;
    row.toolkit = {version(toolkit), toolkit};
    row.min_driver = {version(driver), driver};
    kb.toolkits.push_back(row);
  }
  EXPECT_EQ(toolkit_row(kb, version("12.4"))->min_driver.text, "550.54.14");
  EXPECT_EQ(toolkit_row(kb, version("12.4.1.5"))->min_driver.text, "550.54.15");
  EXPECT_EQ(toolkit_row(kb, version("12.5.1"))->min_driver.text, "555.42.02");
  EXPECT_EQ(toolkit_row(kb, version("12.3")), nullptr);
}

}  // namespace
}  // namespace mlstack::kb::detail
