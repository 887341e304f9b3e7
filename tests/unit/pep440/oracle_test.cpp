// SPDX-License-Identifier: MIT
// Agreement with the oracle corpus tests/data/pep440/vectors.json, generated from pip's
// vendored packaging by tools/gen_pep440_vectors.py (see there for the deviations it marks).
#include "mlstack/pep440/specifier.hpp"
#include "mlstack/pep440/version.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

namespace mlstack::pep440 {
namespace {

using nlohmann::json;

const json& corpus() {
  static const json k_corpus = [] {
    std::ifstream in(std::string(MLSTACK_TEST_DATA_DIR) + "/pep440/vectors.json");
    return json::parse(in);
  }();
  return k_corpus;
}

Prereleases from_json(const json& j) {
  if (j.is_null()) {
    return Prereleases::by_default;
  }
  return j.get<bool>() ? Prereleases::allow : Prereleases::deny;
}

constexpr Prereleases k_policies[] = {Prereleases::by_default, Prereleases::allow,
                                      Prereleases::deny};

char code(bool b) { return b ? 'T' : 'F'; }

TEST(OracleCorpus, RecordsReferenceVersion) {
  EXPECT_EQ(corpus().at("packaging_version"), "26.3");
  EXPECT_EQ(corpus().at("pip_version"), "26.3");
}

TEST(OracleVersion, ParseAndFormatAgree) {
  std::size_t count = 0;
  for (const auto& c : corpus().at("versions")) {
    const auto input = c.at("input").get<std::string>();
    SCOPED_TRACE(input);
    const auto r = Version::parse(input);
    ASSERT_EQ(r.has_value(), c.at("ok").get<bool>()) << (r ? r->to_string() : render(r.error()));
    ++count;
    if (!r) {
      // packaging's ValueError (a number past int()'s limit) or InvalidVersion.
      const bool int_limit = c.value("int_limit", false);
      EXPECT_EQ(r.error().code, int_limit ? ErrorCode::unsupported : ErrorCode::parse);
      continue;
    }
    EXPECT_EQ(r->to_string(), c.at("str"));
    EXPECT_EQ(r->public_version(), c.at("public"));
    EXPECT_EQ(r->base_version(), c.at("base"));
    EXPECT_EQ(r->local_string(), c.at("local"));
    EXPECT_EQ(r->canonical_string(), c.at("canonical"));
    const std::string flags{r->is_prerelease() ? '1' : '0', r->is_postrelease() ? '1' : '0',
                            r->is_devrelease() ? '1' : '0'};
    EXPECT_EQ(flags, c.at("flags"));
    const auto again = Version::parse(r->to_string());  // round trip, as the fuzzers check
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, *r);
  }
  EXPECT_GT(count, 2000U);
}

TEST(OracleVersion, OrderingAgreesOnAllPairs) {
  std::vector<Version> versions;
  std::vector<int> ranks;
  for (const auto& entry : corpus().at("ordering")) {
    versions.push_back(Version::parse(entry.at(0).get<std::string>()).value());
    ranks.push_back(entry.at(1).get<int>());
  }
  ASSERT_GT(versions.size(), 250U);
  for (std::size_t i = 0; i < versions.size(); ++i) {
    for (std::size_t j = 0; j < versions.size(); ++j) {
      if ((versions[i] <=> versions[j]) != (ranks[i] <=> ranks[j])) {
        ADD_FAILURE() << versions[i].to_string() << " vs " << versions[j].to_string();
      }
    }
  }
}

TEST(OracleSpecifier, ParseAgrees) {
  std::size_t int_limit = 0;
  for (const auto& c : corpus().at("specifiers")) {
    const auto input = c.at("input").get<std::string>();
    SCOPED_TRACE(input);
    const auto r = Specifier::parse(input);
    ASSERT_EQ(r.has_value(), c.at("ok").get<bool>()) << (r ? r->to_string() : render(r.error()));
    if (!r) {
      continue;
    }
    EXPECT_EQ(r->to_string(), c.at("str"));
    EXPECT_EQ(r->version_text(), c.at("version"));
    if (c.value("int_limit", false)) {
      // packaging accepts it and raises where it uses the version (`===`: prereleases only).
      EXPECT_EQ(r->exceeds_int_limit(), r->op() != Operator::arbitrary);
      EXPECT_FALSE(r->version().has_value());
      ++int_limit;
      continue;
    }
    EXPECT_FALSE(r->exceeds_int_limit());
    EXPECT_EQ(r->prereleases(), from_json(c.at("prereleases")));
  }
  EXPECT_GT(int_limit, 3U);
}

// Each row holds, per probe version, contains on the text for None/True/False, then the same
// on the parsed Version (`---` when the text is not a version).
template <class Spec>
void check_contains_rows(const json& names, const json& rows, std::size_t& count) {
  const auto& probes = corpus().at("probe_versions");
  ASSERT_EQ(names.size(), rows.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto name = names[i].get<std::string>();
    const auto spec = Spec::parse(name);
    ASSERT_TRUE(spec.has_value()) << name;
    const auto row = rows[i].get<std::string>();
    ASSERT_EQ(row.size(), probes.size() * 6);
    for (std::size_t k = 0; k < probes.size(); ++k) {
      const auto text = probes[k].get<std::string>();
      const std::string expected = row.substr(k * 6, 6);
      std::string actual;
      for (const auto policy : k_policies) {
        actual += code(spec->contains(std::string_view(text), policy));
      }
      if (const auto v = Version::parse(text)) {
        for (const auto policy : k_policies) {
          actual += code(spec->contains(*v, policy));
        }
      } else {
        actual += "---";
      }
      EXPECT_EQ(actual, expected) << "`" << text << "` in `" << name << "`";
      count += 6;
    }
  }
}

TEST(OracleSpecifier, ContainsAgrees) {
  std::size_t count = 0;
  const auto& m = corpus().at("specifier_contains");
  check_contains_rows<Specifier>(m.at("specifiers"), m.at("rows"), count);
  EXPECT_GT(count, 50000U);
}

TEST(OracleSpecifier, EqualityAgrees) {
  for (const auto& c : corpus().at("specifier_equal")) {
    const auto a = Specifier::parse(c.at(0).get<std::string>()).value();
    const auto b = Specifier::parse(c.at(1).get<std::string>()).value();
    EXPECT_EQ(a == b, c.at(2).get<bool>()) << c.at(0) << " vs " << c.at(1);
  }
}

TEST(OracleSpecifierSet, ParseAgrees) {
  for (const auto& c : corpus().at("specifier_sets")) {
    const auto input = c.at("input").get<std::string>();
    SCOPED_TRACE(input);
    const auto r = SpecifierSet::parse(input);
    ASSERT_EQ(r.has_value(), c.at("ok").get<bool>()) << (r ? r->to_string() : render(r.error()));
    if (!r) {
      continue;
    }
    EXPECT_EQ(r->specifiers().size(), c.at("size").get<std::size_t>());
    if (c.value("int_limit", false)) {
      EXPECT_TRUE(r->exceeds_int_limit());  // packaging raises on str() and contains()
      continue;
    }
    EXPECT_EQ(r->to_string(), c.at("str"));
    EXPECT_EQ(r->prereleases(), from_json(c.at("prereleases")));
  }
}

TEST(OracleSpecifierSet, ContainsAgrees) {
  std::size_t count = 0;
  const auto& m = corpus().at("set_contains");
  check_contains_rows<SpecifierSet>(m.at("sets"), m.at("rows"), count);
  EXPECT_GT(count, 50000U);
}

TEST(OracleSpecifierSet, EqualityAgrees) {
  for (const auto& c : corpus().at("set_equal")) {
    const auto a = SpecifierSet::parse(c.at(0).get<std::string>()).value();
    const auto b = SpecifierSet::parse(c.at(1).get<std::string>()).value();
    EXPECT_EQ(a == b, c.at(2).get<bool>()) << c.at(0) << " vs " << c.at(1);
  }
}

}  // namespace
}  // namespace mlstack::pep440
