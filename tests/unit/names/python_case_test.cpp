// SPDX-License-Identifier: MIT
// Agreement with Python itself: tests/data/names/python_case.json, generated with the reference
// interpreter by tools/gen_names_vectors.py (see there for what each part holds).
#include "mlstack/names/python_case.hpp"

#include "mlstack/names/package_name.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace mlstack::names {
namespace {

using nlohmann::json;

const json& corpus() {
  static const json k_corpus = [] {
    std::ifstream in(std::string(MLSTACK_TEST_DATA_DIR) + "/names/python_case.json");
    return json::parse(in);
  }();
  return k_corpus;
}

std::string utf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

constexpr char32_t k_last = 0x10FFFF;
bool is_surrogate(char32_t c) { return c >= 0xD800 && c <= 0xDFFF; }

// Whether the generating Python's Unicode database does not know `c` (it has no properties
// there; ICU's newer Unicode may give it some).
bool unassigned_in_python(char32_t c) {
  static const std::vector<std::pair<char32_t, char32_t>> k_ranges = [] {
    std::vector<std::pair<char32_t, char32_t>> out;
    for (const auto& r : corpus().at("unassigned")) {
      out.emplace_back(r.at(0).get<char32_t>(), r.at(1).get<char32_t>());
    }
    return out;
  }();
  const auto it = std::upper_bound(k_ranges.begin(), k_ranges.end(), c,
                                   [](char32_t v, const auto& r) { return v < r.first; });
  return it != k_ranges.begin() && c <= std::prev(it)->second;
}

TEST(PythonCaseCorpus, RecordsItsPython) {
  EXPECT_TRUE(corpus().at("python_version").get<std::string>().starts_with("3.11"));
  EXPECT_EQ(corpus().at("unicode_version"), "14.0.0");
}

TEST(PythonLower, MatchesStrLowerOnEveryCodePoint) {
  std::map<char32_t, std::string> expected;
  for (const auto& e : corpus().at("lower")) {
    expected.emplace(e.at(0).get<char32_t>(), e.at(1).get<std::string>());
  }
  ASSERT_GT(expected.size(), 1400U);
  std::size_t mapped = 0;
  for (char32_t c = 0; c <= k_last; ++c) {
    if (is_surrogate(c)) {
      continue;
    }
    const std::string text = utf8(c);
    const auto it = expected.find(c);
    const std::string& want = it == expected.end() ? text : it->second;
    const std::string got = python_lower(text);
    if (got != want) {
      ADD_FAILURE() << "U+" << std::hex << static_cast<std::uint32_t>(c);
    }
    mapped += it != expected.end();
  }
  EXPECT_EQ(mapped, expected.size());
}

// The capital sigma's Final_Sigma context, four probes per code point X (see the generator).
std::string sigma_probes(char32_t x) {
  const std::string sigma = "\u03A3";
  const std::string final_sigma = "\u03C2";
  const std::string s = utf8(x);
  const std::string p1 = python_lower(s + sigma);
  const std::string p2 = python_lower("A" + s + sigma);
  const std::string p3 = python_lower("A" + sigma + s);
  const std::string p4 = python_lower("A" + sigma + s + "a");
  const auto is_final_at = [&](const std::string& lowered, std::size_t at) {
    return lowered.compare(at, final_sigma.size(), final_sigma) == 0;
  };
  std::string out;
  out += is_final_at(p1, p1.size() - 2) ? '1' : '0';
  out += is_final_at(p2, p2.size() - 2) ? '1' : '0';
  out += is_final_at(p3, 1) ? '1' : '0';
  out += is_final_at(p4, 1) ? '1' : '0';
  return out;
}

TEST(PythonLower, MatchesFinalSigmaContextOnEveryCodePoint) {
  std::map<char32_t, std::string> expected;
  for (const auto& e : corpus().at("sigma")) {
    expected.emplace(e.at(0).get<char32_t>(), e.at(1).get<std::string>());
  }
  ASSERT_GT(expected.size(), 6000U);
  std::size_t tested = 0;
  for (char32_t c = 0; c <= k_last; ++c) {
    // Code points the generating Python does not know have no properties there; ICU's newer
    // Unicode gives some of them properties (111 in Unicode 15.0), so they are not compared.
    // A second capital sigma is a context of its own.
    if (is_surrogate(c) || c == 0x03A3 || unassigned_in_python(c)) {
      continue;
    }
    const auto it = expected.find(c);
    const std::string want = it == expected.end() ? "0011" : it->second;
    const std::string got = sigma_probes(c);
    if (got != want) {
      ADD_FAILURE() << "U+" << std::hex << static_cast<std::uint32_t>(c) << ": " << got
                    << " != " << want;
    }
    ++tested;
  }
  EXPECT_GT(tested, 200000U);
}

TEST(MatchesPipNamePattern, MatchesPythonReIgnorecaseOnEveryCodePoint) {
  std::vector<char32_t> non_ascii;
  for (const auto& c : corpus().at("name_class")) {
    non_ascii.push_back(c.get<char32_t>());
  }
  for (char32_t c = 0; c <= k_last; ++c) {
    if (is_surrogate(c) || c == '\n') {
      continue;
    }
    const bool want = (c < 0x80 && std::isalnum(static_cast<int>(c)) != 0) ||
                      std::find(non_ascii.begin(), non_ascii.end(), c) != non_ascii.end();
    if (matches_pip_name_pattern(utf8(c)) != want && !unassigned_in_python(c)) {
      ADD_FAILURE() << "U+" << std::hex << static_cast<std::uint32_t>(c);
    }
  }
}

// importlib.metadata's Lookup: `child.lower()`, then the name before the version, then
// `Prepared.normalize` (runs of `-_.` to `-`, lower, `-` to `_`).
std::string lookup_key(const std::string& folder) {
  const std::string low = python_lower(folder);
  std::string name = low.substr(0, low.rfind('.'));
  name = name.substr(0, name.find('-'));
  std::string out;
  bool in_run = false;
  for (const char c : name) {
    const bool sep = c == '-' || c == '_' || c == '.';
    if (sep && !in_run) {
      out += '_';
    } else if (!sep) {
      out += c;
    }
    in_run = sep;
  }
  return python_lower(out);
}

TEST(PythonCaseNames, AgreeWithPackagingAndImportlib) {
  std::size_t valid = 0;
  for (const auto& n : corpus().at("names")) {
    const auto name = n.at("name").get<std::string>();
    SCOPED_TRACE(name);
    const std::string canonical = canonicalize(name);
    EXPECT_EQ(canonical, n.at("canonical").get<std::string>());
    EXPECT_EQ(lookup_key(name + "-1.0.dist-info"), n.at("lookup_key").get<std::string>());
    EXPECT_EQ(matches_pip_name_pattern(canonical), n.at("pip_valid").get<bool>());
    valid += n.at("pip_valid").get<bool>() ? 1U : 0U;
  }
  EXPECT_GT(valid, 10U);
}

TEST(PythonLower, KeepsBytesThatAreNotUtf8) {
  // Python decodes file names with surrogateescape: such a byte is a code point of its own
  // with no case; the rest is lowered.
  EXPECT_EQ(python_lower("\xC3\x84\xFF"
                         "ABC\xE2\x82"),
            "\xC3\xA4\xFF"
            "abc\xE2\x82");
  EXPECT_EQ(python_lower("\xED\xA0\x80\u03A3"), "\xED\xA0\x80\u03C3");  // an encoded surrogate
  EXPECT_EQ(python_lower("A\xC0\xAF\u03A3"), "a\xC0\xAF\u03C3");        // an overlong `/`
  EXPECT_FALSE(
      matches_pip_name_pattern("a\xFF"
                               "b"));
  EXPECT_EQ(canonicalize("\xFF_\u212A"), "\xFF-k");
}

TEST(MatchesPipNamePattern, FollowsPipsRegex) {
  EXPECT_TRUE(matches_pip_name_pattern("kelvin"));
  EXPECT_TRUE(matches_pip_name_pattern("\u017Fcipy"));  // `ſ`: re equates it with `s`
  EXPECT_TRUE(matches_pip_name_pattern("d\u0131st"));   // `ı`: with `i`
  EXPECT_TRUE(matches_pip_name_pattern("a\n"));         // `$` before a final newline
  EXPECT_FALSE(matches_pip_name_pattern("i\u0307stanbul"));
  EXPECT_FALSE(matches_pip_name_pattern("stra\u00DFe"));
  EXPECT_FALSE(matches_pip_name_pattern("-a"));
  EXPECT_FALSE(matches_pip_name_pattern(""));
  EXPECT_FALSE(matches_pip_name_pattern("\n"));
  EXPECT_EQ(unicode_case_error(), std::nullopt);  // ICU is installed where the tests run
}

}  // namespace
}  // namespace mlstack::names
