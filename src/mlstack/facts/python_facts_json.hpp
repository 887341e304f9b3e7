// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/facts/python_facts.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

namespace mlstack::facts {

/// PythonFacts as a JSON object whose keys are the field names, such as
/// `{"executable": "/usr/bin/python3", "version": "3.11.7", "sys_path": [...],
///   "markers": {"python_version": "3.11", ...}, "tags": {...tag_facts_to_json...}}`.
/// Used by the interpreter cache and `doctor --json`.
[[nodiscard]] nlohmann::json python_facts_to_json(const PythonFacts& facts);

/// Reads what python_facts_to_json writes (also the pyenv probe's output). Missing keys keep
/// their defaults, unknown keys are ignored, a key of the wrong type is an error such as
/// "expected array of strings for `sys_path`, found string".
[[nodiscard]] Result<PythonFacts> python_facts_from_json(const nlohmann::json& object);

/// Parses `text` as JSON, then reads it as python_facts_from_json does.
[[nodiscard]] Result<PythonFacts> parse_python_facts_json(std::string_view text);

}  // namespace mlstack::facts
