// SPDX-License-Identifier: MIT
// Agreement with the oracle corpus tests/data/pep508/vectors.json, written by
// tools/gen_pep508_vectors.py from pip 26.3's vendored packaging.
#include "mlstack/pep508/marker.hpp"
#include "mlstack/pep508/requirement.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace mlstack::pep508 {
namespace {

using nlohmann::json;

const json& corpus() {
  static const json k_corpus = [] {
    const char* dir = std::getenv("MLSTACK_TEST_DATA_DIR");
    const std::string base = dir != nullptr ? dir : MLSTACK_TEST_DATA_DIR;
    std::ifstream in(base + "/pep508/vectors.json");
    std::stringstream buffer;
    buffer << in.rdbuf();
    return json::parse(buffer.str());
  }();
  return k_corpus;
}

TEST(Pep508Oracle, RecordsReferenceVersion) {
  EXPECT_EQ(corpus().at("packaging_version").get<std::string>(), "26.3");
}

TEST(Pep508Oracle, RequirementsAgree) {
  std::size_t checked = 0;
  for (const json& c : corpus().at("requirements")) {
    const auto input = c.at("input").get<std::string>();
    SCOPED_TRACE(testing::Message() << "input: " << json(input).dump());
    const auto r = Requirement::parse(input);
    ++checked;
    if (c.contains("error")) {
      ASSERT_FALSE(r) << r->to_string();
      EXPECT_EQ(packaging_error_text(r.error()), c["error"]["text"].get<std::string>());
      continue;
    }
    ASSERT_TRUE(r) << render(r.error());
    EXPECT_EQ(r->name(), c.at("name").get<std::string>());
    std::vector<std::string> extras = r->extras();
    std::sort(extras.begin(), extras.end());
    EXPECT_EQ(extras, c.at("extras").get<std::vector<std::string>>());
    EXPECT_EQ(r->specifier().to_string(), c.at("specifier").get<std::string>());
    if (c.at("url").is_null()) {
      EXPECT_FALSE(r->url());
    } else {
      EXPECT_EQ(r->url().value_or("<none>"), c["url"].get<std::string>());
    }
    EXPECT_EQ(r->marker().has_value(), c.contains("marker") || c.contains("marker_error"));
    if (c.contains("marker")) {
      EXPECT_EQ(r->marker()->to_string(), c["marker"].get<std::string>());
    }
    if (c.contains("str")) {
      EXPECT_EQ(r->to_string(), c["str"].get<std::string>());
    }
  }
  EXPECT_GT(checked, 5000U);
}

TEST(Pep508Oracle, MarkersAgree) {
  std::map<std::string, MarkerEnvironment> environments;
  for (const auto& [name, values] : corpus().at("environments").items()) {
    environments.emplace(name, MarkerEnvironment(values.get<std::map<std::string, std::string>>()));
  }
  const auto extras = corpus().at("extra_values").get<std::vector<std::string>>();
  std::size_t evaluations = 0;
  for (const json& c : corpus().at("markers")) {
    const auto input = c.at("input").get<std::string>();
    SCOPED_TRACE(testing::Message() << "marker: " << json(input).dump());
    const auto m = Marker::parse(input);
    if (c.contains("error")) {
      ASSERT_FALSE(m) << m->to_string();
      EXPECT_EQ(packaging_error_text(m.error()), c["error"]["text"].get<std::string>());
      continue;
    }
    ASSERT_TRUE(m) << render(m.error());
    if (!c.contains("str")) {
      continue;  // packaging cannot print it (both quote characters): not compared
    }
    EXPECT_EQ(m->to_string(), c["str"].get<std::string>());
    for (const auto& [env_name, row] : c.at("evaluate").items()) {
      for (std::size_t i = 0; i < extras.size(); ++i) {
        SCOPED_TRACE(testing::Message() << "env: " << env_name << ", extra: " << extras[i]);
        const json& expected = row.at(i);
        const auto got = m->try_evaluate(environments.at(env_name), extras[i]);
        ++evaluations;
        if (expected.is_boolean()) {
          ASSERT_TRUE(got) << got.error().message;
          EXPECT_EQ(*got, expected.get<bool>());
        } else {
          ASSERT_FALSE(got) << *got;
          EXPECT_EQ(got.error().message, expected.at("text").get<std::string>());
          EXPECT_EQ(got.error().code, expected.at("type") == "UndefinedComparison"
                                          ? ErrorCode::invalid_data
                                          : ErrorCode::not_found);
        }
      }
    }
  }
  EXPECT_GT(evaluations, 5000U);
}

TEST(Pep508Oracle, EqualityAgrees) {
  for (const json& c : corpus().at("equality")) {
    const auto a = c.at("a").get<std::string>();
    const auto b = c.at("b").get<std::string>();
    SCOPED_TRACE(testing::Message() << json(a).dump() << " vs " << json(b).dump());
    const auto ra = Requirement::parse(a);
    const auto rb = Requirement::parse(b);
    ASSERT_TRUE(ra && rb);
    const bool equal = c.at("equal").get<bool>();
    EXPECT_EQ(*ra == *rb, equal);
    if (equal) {
      EXPECT_EQ(ra->hash(), rb->hash());
    }
  }
}

}  // namespace
}  // namespace mlstack::pep508
