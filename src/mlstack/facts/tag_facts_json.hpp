// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/facts/python_facts.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string_view>

namespace mlstack::facts {

/// TagFacts as a JSON object whose keys are the field names, such as
/// `{"interpreter_name": "cp", "python_version": [3, 11], "glibc_version": "2.36", ...}`:
/// the output of src/mlstack/tags/tag_facts_probe.py.
[[nodiscard]] nlohmann::json tag_facts_to_json(const TagFacts& facts);

/// Reads what tag_facts_to_json writes. Missing keys keep their defaults (a cache written by
/// an older probe still loads); unknown keys are ignored; a key of the wrong type is an error:
/// "expected string for `glibc_version`, found number".
[[nodiscard]] Result<TagFacts> tag_facts_from_json(const nlohmann::json& object);

/// Parses `text` as JSON, then reads it as tag_facts_from_json does.
[[nodiscard]] Result<TagFacts> parse_tag_facts_json(std::string_view text);

}  // namespace mlstack::facts
