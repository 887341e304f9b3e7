// SPDX-License-Identifier: MIT
// Differential corpus: tests/data/metadata/vectors.json, written by
// tools/gen_metadata_vectors.py from Python's email package, importlib.metadata and pip.
#include "mlstack/metadata/egg_info.hpp"
#include "mlstack/metadata/header_section.hpp"
#include "mlstack/metadata/python_text.hpp"
#include "mlstack/metadata/wheel_file.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace mlstack::metadata {
namespace {

nlohmann::json load_vectors() {
  std::ifstream in(std::string(MLSTACK_TEST_DATA_DIR) + "/metadata/vectors.json");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return nlohmann::json::parse(buffer.str());
}

std::string defect_class(HeaderDefect::Kind kind) {
  switch (kind) {
    case HeaderDefect::Kind::first_line_is_continuation:
      return "FirstHeaderLineIsContinuationDefect";
    case HeaderDefect::Kind::missing_header_name:
      return "InvalidHeaderDefect";
    case HeaderDefect::Kind::misplaced_envelope_header:
      return "MisplacedEnvelopeHeaderDefect";
    case HeaderDefect::Kind::missing_body_separator:
      return "MissingHeaderBodySeparatorDefect";
  }
  return "?";
}

TEST(MetadataVectors, HeadersMatchPython) {
  const auto vectors = load_vectors();
  ASSERT_GT(vectors.at("metadata").size(), 100U);
  for (const auto& c : vectors.at("metadata")) {
    const std::string input = c.at("input").get<std::string>();
    SCOPED_TRACE(input);
    std::string storage;
    const HeaderSection s = HeaderSection::parse(translate_newlines(input, storage));
    nlohmann::json raw = nlohmann::json::array();
    nlohmann::json repaired = nlohmann::json::array();
    for (const Header& h : s.headers()) {
      raw.push_back({std::string(h.name), std::string(h.value)});
      repaired.push_back({std::string(h.name), importlib_redent(h.value)});
    }
    EXPECT_EQ(raw, c.at("raw_headers"));
    EXPECT_EQ(repaired, c.at("headers"));
    nlohmann::json defects = nlohmann::json::array();
    for (const HeaderDefect& d : s.defects()) {
      defects.push_back(defect_class(d.kind));
    }
    EXPECT_EQ(defects, c.at("defects"));
    const nlohmann::json unixfrom =
        s.unixfrom() ? nlohmann::json(std::string(*s.unixfrom())) : nlohmann::json(nullptr);
    EXPECT_EQ(unixfrom, c.at("unixfrom"));
  }
}

TEST(MetadataVectors, RequiresTxtMatchesPip) {
  const auto vectors = load_vectors();
  for (const auto& c : vectors.at("requires")) {
    const std::string input = c.at("input").get<std::string>();
    SCOPED_TRACE(input);
    CoreMetadata m;
    add_egg_info_requires(m, input);
    EXPECT_EQ(nlohmann::json(m.requires_dist), c.at("requires_dist"));
    EXPECT_EQ(nlohmann::json(m.provides_extra), c.at("provides_extra"));
  }
}

TEST(MetadataVectors, Utf8ErrorsMatchPython) {
  const auto vectors = load_vectors();
  for (const auto& c : vectors.at("utf8")) {
    const std::string hex = c.at("hex").get<std::string>();
    SCOPED_TRACE(hex);
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
      bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    const auto error = find_utf8_error(bytes);
    const nlohmann::json got =
        error ? nlohmann::json(describe(*error, bytes)) : nlohmann::json(nullptr);
    EXPECT_EQ(got, c.at("error"));
  }
}

TEST(MetadataVectors, WheelTagsMatchPip) {
  const auto vectors = load_vectors();
  for (const auto& c : vectors.at("wheel")) {
    const std::string input = c.at("input").get<std::string>();
    SCOPED_TRACE(input);
    EXPECT_EQ(nlohmann::json(parse_wheel_file(input).tags), c.at("tags"));
  }
}

}  // namespace
}  // namespace mlstack::metadata
