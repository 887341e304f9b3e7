// SPDX-License-Identifier: MIT
#include "mlstack/tags/platform_tags.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mlstack::tags {
namespace {

using Strings = std::vector<std::string>;

facts::TagFacts linux_facts(std::string platform, std::string glibc) {
  facts::TagFacts f;
  f.system = "Linux";
  f.platform = std::move(platform);
  f.glibc_version = std::move(glibc);
  return f;
}

TEST(PlatformNormalize, ReplacesSeparators) {
  EXPECT_EQ(normalize_platform("macosx-10.9-x86_64"), "macosx_10_9_x86_64");
  EXPECT_EQ(normalize_platform("win-amd64"), "win_amd64");
  EXPECT_EQ(normalize_platform("a b"), "a_b");
}

TEST(PlatformManylinux, StopsAt217OutsideX86) {
  const Strings tags = linux_platforms(linux_facts("linux-aarch64", "2.18"));
  EXPECT_EQ(tags, (Strings{"linux_aarch64", "manylinux_2_18_aarch64", "manylinux_2_17_aarch64",
                           "manylinux2014_aarch64"}));
}

TEST(PlatformManylinux, ReachesManylinux1OnX86) {
  const Strings tags = manylinux_platforms({"x86_64"}, linux_facts("linux-x86_64", "2.12"));
  ASSERT_EQ(tags.size(), 10U);  // 2.12 ... 2.5, plus manylinux2010 and manylinux1
  EXPECT_EQ(tags[0], "manylinux_2_12_x86_64");
  EXPECT_EQ(tags[1], "manylinux2010_x86_64");
  EXPECT_EQ(tags.back(), "manylinux1_x86_64");
}

TEST(PlatformManylinux, NeedsKnownGlibcAndArch) {
  EXPECT_TRUE(manylinux_platforms({"x86_64"}, linux_facts("linux-x86_64", "")).empty());
  EXPECT_TRUE(manylinux_platforms({"mips64"}, linux_facts("linux-mips64", "2.35")).empty());
  // 32-bit x86 and ARM need the ELF header of the interpreter to agree.
  facts::TagFacts f = linux_facts("linux-x86_64", "2.17");
  f.is_32bit = true;
  EXPECT_EQ(linux_platforms(f), (Strings{"linux_i686"}));
  f.elf_i686 = true;
  EXPECT_EQ(linux_platforms(f).size(), 1U + 13U + 3U);
}

TEST(PlatformMusllinux, CountsMinorsDown) {
  facts::TagFacts f = linux_facts("linux-x86_64", "");
  f.musl_version = "1.2";
  EXPECT_EQ(linux_platforms(f), (Strings{"linux_x86_64", "musllinux_1_2_x86_64",
                                         "musllinux_1_1_x86_64", "musllinux_1_0_x86_64"}));
}

TEST(PlatformMac, IncludesUniversal2BeforeMacos11) {
  const Strings tags = mac_platforms(11, 0, "arm64");
  EXPECT_EQ(tags.front(), "macosx_11_0_arm64");
  EXPECT_EQ(tags[1], "macosx_11_0_universal2");
  EXPECT_EQ(tags[2], "macosx_10_16_universal2");
  EXPECT_EQ(tags.back(), "macosx_10_4_universal2");
}

TEST(PlatformOther, FollowsSystem) {
  facts::TagFacts f;
  f.system = "Windows";
  f.platform = "win-amd64";
  EXPECT_EQ(platform_tags(f), (Strings{"win_amd64"}));
  EXPECT_EQ(android_platforms(17, "arm64-v8a"),
            (Strings{"android_17_arm64_v8a", "android_16_arm64_v8a"}));
  EXPECT_TRUE(ios_platforms(11, 0, "arm64-iphoneos").empty());
  EXPECT_EQ(ios_platforms(12, 1, "arm64-iphoneos").size(), 2U);
}

}  // namespace
}  // namespace mlstack::tags
