// SPDX-License-Identifier: MIT
#include "mlstack/tags/tag.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace mlstack::tags {
namespace {

std::vector<std::string> strings(const std::vector<Tag>& tags) {
  std::vector<std::string> out;
  for (const Tag& tag : tags) {
    out.push_back(to_string(tag));
  }
  return out;
}

TEST(TagParse, ExpandsCompressedSets) {
  struct Case {
    std::string_view input;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {"py3-none-any", {"py3-none-any"}},
      {"py2.py3-none-any", {"py2-none-any", "py3-none-any"}},
      {"cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
       {"cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"}},
      {"cp38.cp39-abi3.none-win32.win_amd64",
       {"cp38-abi3-win32", "cp38-abi3-win_amd64", "cp38-none-win32", "cp38-none-win_amd64",
        "cp39-abi3-win32", "cp39-abi3-win_amd64", "cp39-none-win32", "cp39-none-win_amd64"}},
      // Lowercased as packaging.tags.Tag does, and a set: repeats collapse.
      {"CP311-CP311-Win_AMD64", {"cp311-cp311-win_amd64"}},
      {"py3.PY3-none-any", {"py3-none-any"}},
      {"_x9-none-any", {"_x9-none-any"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    const auto tags = parse_tag(c.input);
    ASSERT_TRUE(tags) << render(tags.error());
    EXPECT_EQ(strings(*tags), c.expected);
  }
}

TEST(TagParse, RejectsMalformedTags) {
  struct Case {
    std::string_view input, expected;
  };
  const Case cases[] = {
      {"py3-none",
       "expected 3 `-`-separated components (interpreter-abi-platform) in wheel tag, found 2\n"
       "    py3-none\n"
       "    ^^^^^^^^"},
      {"py3-none-any-extra",
       "expected 3 `-`-separated components (interpreter-abi-platform) in wheel tag, found 4\n"
       "    py3-none-any-extra\n"
       "    ^^^^^^^^^^^^^^^^^^"},
      {"",
       "expected a wheel tag component, found an empty one\n"
       "    \n"
       "    ^"},
      {"py3--any",
       "expected a wheel tag component, found an empty one\n"
       "    py3--any\n"
       "        ^"},
      // Empty members are reported before the component count, as packaging does.
      {"py2.-none",
       "expected a name in wheel tag component `py2.`, found an empty one\n"
       "    py2.-none\n"
       "        ^"},
      {"py3-none.-any",
       "expected a name in wheel tag component `none.`, found an empty one\n"
       "    py3-none.-any\n"
       "             ^"},
      {"py2.3py-none-any",
       "expected a Python identifier as wheel tag interpreter, found `3py`\n"
       "    py2.3py-none-any\n"
       "        ^^^"},
      {"py+3-none-any",
       "expected a Python identifier as wheel tag interpreter, found `py+3`\n"
       "    py+3-none-any\n"
       "    ^^^^"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    const auto tags = parse_tag(c.input);
    ASSERT_FALSE(tags);
    EXPECT_EQ(tags.error().code, ErrorCode::parse);
    EXPECT_EQ(render(tags.error()), c.expected);
  }
}

TEST(TagMake, LowercasesEachPart) {
  const Tag tag = Tag::make("CP311", "Abi3", "MacOSX_14_0_ARM64");
  EXPECT_EQ(to_string(tag), "cp311-abi3-macosx_14_0_arm64");
  EXPECT_EQ(tag, (Tag{"cp311", "abi3", "macosx_14_0_arm64"}));
}

TEST(TagHash, FindsEqualTags) {
  const std::unordered_set<Tag, TagHash> set{Tag{"py3", "none", "any"},
                                             Tag{"cp311", "abi3", "linux_x86_64"}};
  EXPECT_TRUE(set.contains(Tag::make("PY3", "none", "any")));
  EXPECT_FALSE(set.contains(Tag{"py3", "any", "none"}));
}

}  // namespace
}  // namespace mlstack::tags
