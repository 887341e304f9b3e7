// SPDX-License-Identifier: MIT
#include "mlstack/facts/python_facts_json.hpp"

#include "mlstack/facts/tag_facts_json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mlstack/facts/detail/json_fields.hpp"

namespace mlstack::facts {
namespace {

using nlohmann::json;

using detail::read;

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
