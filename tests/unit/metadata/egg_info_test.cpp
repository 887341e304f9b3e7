// SPDX-License-Identifier: MIT
#include "mlstack/metadata/egg_info.hpp"

#include <gtest/gtest.h>

namespace mlstack::metadata {
namespace {

TEST(EggInfoRequires, ConvertsSectionsToMarkers) {
  const auto entries = parse_requires_txt(
      "a\n# c\n\n[Test_Extra]\npytest\n[:python_version < \"3.8\"]\nimportlib-metadata\n"
      "[win:sys_platform == 'win32']\npywin32\n");
  EXPECT_EQ(egg_info_requires_dist(entries),
            (std::vector<std::string>{"a", "pytest ; extra == \"test-extra\"",
                                      "importlib-metadata ; python_version < \"3.8\"",
                                      "pywin32 ; (sys_platform == 'win32') and extra == \"win\""}));
  EXPECT_EQ(egg_info_provides_extra(entries), (std::vector<std::string>{"test-extra", "win"}));
}

TEST(EggInfoRequires, AppliesOnlyToMissingFields) {
  CoreMetadata m;
  m.requires_dist = {"kept"};
  add_egg_info_requires(m, "x\n[e]\ny\n");
  EXPECT_EQ(m.requires_dist, (std::vector<std::string>{"kept"}));
  EXPECT_EQ(m.provides_extra, (std::vector<std::string>{"e"}));
  CoreMetadata full;
  full.requires_dist = {"a"};
  full.provides_extra = {"b"};
  EXPECT_FALSE(needs_egg_info_requires(full));
}

}  // namespace
}  // namespace mlstack::metadata
