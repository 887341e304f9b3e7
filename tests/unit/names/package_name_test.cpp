// SPDX-License-Identifier: MIT
#include "mlstack/names/package_name.hpp"

#include <gtest/gtest.h>

namespace mlstack::names {
namespace {

TEST(Canonicalize, CollapsesSeparatorRunsAndLowercases) {
  EXPECT_EQ(canonicalize("Foo.Bar_baz"), "foo-bar-baz");
  EXPECT_EQ(canonicalize("a--__..b"), "a-b");
  EXPECT_EQ(canonicalize("_lead"), "-lead");
  EXPECT_EQ(canonicalize(""), "");
}

TEST(Canonicalize, LowercasesAsPythonStrLower) {
  EXPECT_EQ(canonicalize("\u212Aelvin"), "kelvin");            // KELVIN SIGN
  EXPECT_EQ(canonicalize("\u0130stanbul"), "i\u0307stanbul");  // two code points
  EXPECT_EQ(canonicalize("STRA\u1E9EE"), "stra\u00DFe");       // capital sharp s
  EXPECT_EQ(canonicalize("\uFF26\uFF35\uFF2C\uFF2C"), "\uFF46\uFF55\uFF4C\uFF4C");  // fullwidth
  // Final sigma is decided before the separators are replaced: `.` is case-ignorable.
  EXPECT_EQ(canonicalize("\u039F\u03A3.\u039B"), "\u03BF\u03C3-\u03BB");
  EXPECT_EQ(canonicalize("\u039F\u03A3_\u039B"), "\u03BF\u03C2-\u03BB");
  EXPECT_EQ(PackageName::from("\u212Aelvin"), PackageName::from("KELVIN"));
}

TEST(IsValidProjectName, IsAsciiOnly) {
  EXPECT_TRUE(is_valid_project_name("a"));
  EXPECT_TRUE(is_valid_project_name("Foo.Bar-1_x"));
  EXPECT_FALSE(is_valid_project_name("-a"));
  EXPECT_FALSE(is_valid_project_name("a-"));
  EXPECT_FALSE(is_valid_project_name(""));
  EXPECT_FALSE(is_valid_project_name("\u212Aelvin"));  // packaging's re.ASCII
}

}  // namespace
}  // namespace mlstack::names
