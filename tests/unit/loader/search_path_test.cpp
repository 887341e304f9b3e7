// SPDX-License-Identifier: MIT
#include "mlstack/loader/search_path.hpp"

#include <gtest/gtest.h>

namespace mlstack::loader {
namespace {

const DstValues k_values{"/o", "lib/x86_64-linux-gnu", "x86_64"};

TEST(ExpandTokens, ReplacesTheThreeTokensInBothSpellings) {
  EXPECT_EQ(expand_tokens("$ORIGIN/../lib", k_values), "/o/../lib");
  EXPECT_EQ(expand_tokens("${ORIGIN}/x", k_values), "/o/x");
  EXPECT_EQ(expand_tokens("/usr/$LIB/$PLATFORM", k_values), "/usr/lib/x86_64-linux-gnu/x86_64");
  EXPECT_EQ(expand_tokens("/a${LIB}b", k_values), "/alib/x86_64-linux-gnub");
}

TEST(ExpandTokens, KeepsWhatIsNoToken) {
  // A token must end where a name cannot go on (glibc's is_dst).
  EXPECT_EQ(expand_tokens("$ORIGINAL/x", k_values), "$ORIGINAL/x");
  EXPECT_EQ(expand_tokens("/a/$HOME", k_values), "/a/$HOME");
  EXPECT_EQ(expand_tokens("${ORIGIN", k_values), "${ORIGIN");
  EXPECT_EQ(expand_tokens("$", k_values), "$");
}

TEST(ExpandTokens, DropsAnEntryWhoseTokenHasNoValue) {
  EXPECT_EQ(expand_tokens("$ORIGIN/x", DstValues{"", "lib", "x86_64"}), std::nullopt);
  EXPECT_EQ(expand_tokens("/plain", DstValues{}), "/plain");
}

TEST(SplitSearchPath, SplitsExpandsAndDeduplicates) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split_search_path("$ORIGIN:/b/:/b:$ORIGIN/", k_values, false), (V{"/o", "/b"}));
  // An empty entry is the current folder; `;` separates only in LD_LIBRARY_PATH.
  EXPECT_EQ(split_search_path("/a::/c", k_values, false), (V{"/a", ".", "/c"}));
  EXPECT_EQ(split_search_path("/a;/b", k_values, true), (V{"/a", "/b"}));
  EXPECT_EQ(split_search_path("/a;/b", k_values, false), (V{"/a;/b"}));
  EXPECT_EQ(split_search_path("$ORIGIN:/x", DstValues{}, false), (V{"/x"}));
}

TEST(ParentFolder, IsLexical) {
  EXPECT_EQ(parent_folder("/a/b/libx.so"), "/a/b");
  EXPECT_EQ(parent_folder("/libx.so"), "/");
  EXPECT_EQ(parent_folder("libx.so"), ".");
}

}  // namespace
}  // namespace mlstack::loader
