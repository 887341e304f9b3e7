// SPDX-License-Identifier: MIT
#include "mlstack/tags/supported_tags.hpp"

#include "mlstack/facts/tag_facts_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace mlstack::tags {
namespace {

using nlohmann::json;

// tests/data/tags/*.json come from tools/gen_tags_vectors.py, which runs pip 26.3's
// compatibility_tags.get_supported() (see there for how synthetic machines are modelled).
json load(const std::string& name) {
  std::ifstream in(std::string(MLSTACK_TEST_DATA_DIR) + "/tags/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

std::vector<std::string> strings(const std::vector<Tag>& tags) {
  std::vector<std::string> out;
  for (const Tag& tag : tags) {
    out.push_back(to_string(tag));
  }
  return out;
}

// get_supported() as a list without repeats, first occurrence kept.
std::vector<std::string> unique_in_order(const json& list) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const json& item : list) {
    if (seen.insert(item.get<std::string>()).second) {
      out.push_back(item.get<std::string>());
    }
  }
  return out;
}

void expect_matches_pip(const json& vector) {
  const auto facts = facts::tag_facts_from_json(vector.at("facts"));
  ASSERT_TRUE(facts) << to_string(facts.error());
  const auto supported = SupportedTags::from_facts(*facts);
  ASSERT_TRUE(supported) << to_string(supported.error());
  const std::vector<std::string> expected = unique_in_order(vector.at("supported"));
  const std::vector<std::string> actual = strings(supported->ordered());
  // The set first, so that a failure names the tags that differ.
  const std::set<std::string> expected_set(expected.begin(), expected.end());
  const std::set<std::string> actual_set(actual.begin(), actual.end());
  std::vector<std::string> missing, extra;
  std::set_difference(expected_set.begin(), expected_set.end(), actual_set.begin(),
                      actual_set.end(), std::back_inserter(missing));
  std::set_difference(actual_set.begin(), actual_set.end(), expected_set.begin(),
                      expected_set.end(), std::back_inserter(extra));
  EXPECT_TRUE(missing.empty()) << missing.size() << " missing, first " << missing.front();
  EXPECT_TRUE(extra.empty()) << extra.size() << " extra, first " << extra.front();
  EXPECT_EQ(actual, expected);
  // contains() answers from groups, not from the list: it must say yes exactly for pip's
  // tags, over every recombination of their interpreters, ABIs and platforms.
  std::set<std::string> interpreters, abis, platforms;
  for (const std::string& tag : expected) {
    const auto parsed = parse_tag(tag);
    ASSERT_TRUE(parsed);
    interpreters.insert(parsed->front().interpreter);
    abis.insert(parsed->front().abi);
    platforms.insert(parsed->front().platform);
  }
  platforms.insert("win_amd64");
  for (const std::string& i : interpreters) {
    for (const std::string& a : abis) {
      for (const std::string& p : platforms) {
        const Tag tag = Tag::make(i, a, p);
        ASSERT_EQ(supported->contains(tag), expected_set.contains(to_string(tag))) << to_string(tag);
      }
    }
  }
}

TEST(SupportedTagsDiff, MatchesPipOnThisMachine) { expect_matches_pip(load("local.json")); }

TEST(SupportedTagsDiff, MatchesPipOnSyntheticMachines) {
  const json cases = load("synthetic.json");
  ASSERT_GE(cases.size(), 20U);
  for (const json& c : cases) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    expect_matches_pip(c);
  }
}

facts::TagFacts cpython311() {
  facts::TagFacts f;
  f.interpreter_name = "cp";
  f.interpreter_version = "311";
  f.python_version = {3, 11};
  f.ext_suffix = ".cpython-311-x86_64-linux-gnu.so";
  f.platform = "linux-x86_64";
  f.system = "Linux";
  f.glibc_version = "2.36";
  return f;
}

TEST(SupportedTagsContains, AnswersForWheelTags) {
  const auto supported = SupportedTags::from_facts(cpython311());
  ASSERT_TRUE(supported);
  const auto contains = [&](std::string_view text) {
    const auto tags = parse_tag(text);
    EXPECT_TRUE(tags) << text;
    return supported->any_supported(*tags);
  };
  EXPECT_TRUE(contains("py2.py3-none-any"));
  EXPECT_TRUE(contains("cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64"));
  EXPECT_TRUE(contains("cp311-cp311-manylinux_2_36_x86_64"));
  EXPECT_FALSE(contains("cp311-cp311-manylinux_2_37_x86_64"));
  EXPECT_FALSE(contains("cp312-cp312-manylinux_2_17_x86_64"));
  EXPECT_FALSE(contains("cp311-cp311-win_amd64"));
  EXPECT_FALSE(contains("cp311-cp311-musllinux_1_2_x86_64"));
  EXPECT_FALSE(contains("py4-none-any"));
  EXPECT_FALSE(supported->any_supported({}));  // a WHEEL without Tag lines
}

TEST(SupportedTagsFromFacts, RejectsWhatPipCannotHandle) {
  facts::TagFacts f = cpython311();
  f.interpreter_name = "pp";
  f.ext_suffix = "so";
  const auto bad_suffix = SupportedTags::from_facts(f);
  ASSERT_FALSE(bad_suffix);
  EXPECT_EQ(to_string(bad_suffix.error()),
            "expected sysconfig `EXT_SUFFIX` such as `.cpython-311-x86_64-linux-gnu.so`, found "
            "'so'");
  f = cpython311();
  f.python_version.clear();
  const auto no_version = SupportedTags::from_facts(f);
  ASSERT_FALSE(no_version);
  EXPECT_EQ(to_string(no_version.error()), "expected `python_version` such as [3, 11], found []");
}

TEST(TagFactsJson, RoundTrips) {
  facts::TagFacts f = cpython311();
  f.manylinux_incompatible = {"manylinux_2_5_x86_64"};
  f.android_api_level = 24;
  f.elf_i686 = true;
  const auto back = facts::parse_tag_facts_json(facts::tag_facts_to_json(f).dump());
  ASSERT_TRUE(back) << to_string(back.error());
  EXPECT_EQ(facts::tag_facts_to_json(*back), facts::tag_facts_to_json(f));
}

TEST(TagFactsJson, NamesTheBadKey) {
  const auto wrong = facts::parse_tag_facts_json(R"({"glibc_version": 2.36})");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(to_string(wrong.error()), "expected string for `glibc_version`, found number");
  const auto list = facts::parse_tag_facts_json(R"({"python_version": [3, "x"]})");
  ASSERT_FALSE(list);
  EXPECT_EQ(to_string(list.error()),
            "expected array of integers for `python_version`, found array");
  EXPECT_FALSE(facts::parse_tag_facts_json("{"));
  EXPECT_FALSE(facts::parse_tag_facts_json("[]"));
  const auto partial = facts::parse_tag_facts_json(R"({"system": "Linux"})");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->system, "Linux");
}

}  // namespace
}  // namespace mlstack::tags
