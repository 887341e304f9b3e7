// SPDX-License-Identifier: MIT
#include "mlstack/facts/python_facts_json.hpp"

#include "mlstack/facts/tag_facts_json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mlstack::facts {
namespace {

using nlohmann::json;

Error wrong_type(std::string_view expected, std::string_view key, const json& value) {
  return make_error(ErrorCode::invalid_data, fmt::format("expected {} for `{}`, found {}", expected,
                                                         key, value.type_name()));
}

Result<void> read(const json& object, std::string_view key, std::string& out) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return {};
  }
  if (!it->is_string()) {
    return unexpected(wrong_type("string", key, *it));
  }
  out = it->get<std::string>();
  return {};
}

Result<void> read(const json& object, std::string_view key, bool& out) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return {};
  }
  if (!it->is_boolean()) {
    return unexpected(wrong_type("boolean", key, *it));
  }
  out = it->get<bool>();
  return {};
}

Result<void> read(const json& object, std::string_view key, std::vector<std::string>& out) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return {};
  }
  if (!it->is_array()) {
    return unexpected(wrong_type("array of strings", key, *it));
  }
  out.clear();
  for (const json& item : *it) {
    if (!item.is_string()) {
      return unexpected(wrong_type("array of strings", key, *it));
    }
    out.push_back(item.get<std::string>());
  }
  return {};
}

Result<void> read(const json& object, std::string_view key, MarkerValues& out) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return {};
  }
  if (!it->is_object()) {
    return unexpected(wrong_type("object of strings", key, *it));
  }
  out.clear();
  for (const auto& [name, value] : it->items()) {
    if (!value.is_string()) {
      return unexpected(wrong_type("string", fmt::format("{}.{}", key, name), value));
    }
    out.emplace(name, value.get<std::string>());
  }
  return {};
}

}  // namespace

json python_facts_to_json(const PythonFacts& facts) {
  json out = json::object();
  out["executable"] = facts.executable;
  out["version"] = facts.version;
  out["prefix"] = facts.prefix;
  out["base_prefix"] = facts.base_prefix;
  out["in_virtualenv"] = facts.in_virtualenv;
  out["sys_path"] = facts.sys_path;
  out["site_dirs"] = facts.site_dirs;
  out["markers"] = json::object();
  for (const auto& [name, value] : facts.markers) {
    out["markers"][name] = value;
  }
  out["tags"] = tag_facts_to_json(facts.tags);
  return out;
}

Result<PythonFacts> python_facts_from_json(const json& object) {
  if (!object.is_object()) {
    return unexpected(make_error(ErrorCode::invalid_data,
                                 fmt::format("expected object, found {}", object.type_name())));
  }
  PythonFacts facts;
  for (const Result<void>& r :
       {read(object, "executable", facts.executable), read(object, "version", facts.version),
        read(object, "prefix", facts.prefix), read(object, "base_prefix", facts.base_prefix),
        read(object, "in_virtualenv", facts.in_virtualenv),
        read(object, "sys_path", facts.sys_path), read(object, "site_dirs", facts.site_dirs),
        read(object, "markers", facts.markers)}) {
    if (!r) {
      return unexpected(r.error());
    }
  }
  if (const auto it = object.find("tags"); it != object.end()) {
    auto tags = tag_facts_from_json(*it);
    if (!tags) {
      return unexpected(with_context(std::move(tags).error(), "tags"));
    }
    facts.tags = std::move(*tags);
  }
  return facts;
}

Result<PythonFacts> parse_python_facts_json(std::string_view text) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return unexpected(make_error(ErrorCode::parse, "expected JSON, found invalid text"));
  }
  return python_facts_from_json(parsed);
}

}  // namespace mlstack::facts
