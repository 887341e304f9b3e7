// SPDX-License-Identifier: MIT
#include "mlstack/lockfile/pip_report.hpp"

#include "mlstack/names/package_name.hpp"
#include "mlstack/pep508/marker_environment.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace mlstack::lockfile {
namespace {

using nlohmann::json;

const char* type_name(const json& j) { return j.type_name(); }

Error bad(std::string_view path, std::string_view where, std::string message) {
  return make_error(ErrorCode::invalid_data, where.empty()
                                                 ? fmt::format("{}: {}", path, message)
                                                 : fmt::format("{}: {}: {}", path, where, message));
}

// `object[key]`, which must be there and be of `type` (`string`, `array`, `object`).
Result<const json*> need(const json& object, std::string_view key, json::value_t type,
                         std::string_view type_label, std::string_view path,
                         std::string_view where) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return unexpected(bad(path, where, fmt::format("expected key `{}`", key)));
  }
  if (it->type() != type) {
    return unexpected(
        bad(path, where,
            fmt::format("expected {} for `{}`, found {}", type_label, key, type_name(*it))));
  }
  return &*it;
}

// An optional list of strings (`requires_dist`); a lone string is taken as one item.
Result<void> read_strings(const json& object, std::string_view key, std::string_view path,
                          std::string_view where, std::vector<std::string>& out) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return {};
  }
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
    return {};
  }
  if (!it->is_array()) {
    return unexpected(
        bad(path, where,
            fmt::format("expected a list of strings for `{}`, found {}", key, type_name(*it))));
  }
  for (const json& item : *it) {
    if (!item.is_string()) {
      return unexpected(bad(
          path, where, fmt::format("expected strings in `{}`, found {}", key, type_name(item))));
    }
    out.push_back(item.get<std::string>());
  }
  return {};
}

}  // namespace

Result<ResolvedSet> read_pip_report(std::string_view text, std::string_view path) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    // A syntax error (`[json.exception.parse_error.101] parse error at line 1, column 2: ...`)
    // or a number too large for a double (`[json.exception.out_of_range.406] number overflow
    // parsing '1e999'`): the part after the id.
    std::string message = e.what();
    if (const std::size_t id_end = message.find("] "); id_end != std::string::npos) {
      message.erase(0, id_end + 2);
    }
    return unexpected(make_error(
        ErrorCode::parse, fmt::format("{}: not a pip installation report: {}", path, message)));
  }
  if (!root.is_object()) {
    return unexpected(bad(path, "",
                          fmt::format("expected a JSON object (pip's installation "
                                      "report), found {}",
                                      type_name(root))));
  }
  MLSTACK_TRY_ASSIGN(const json* version,
                     need(root, "version", json::value_t::string, "a string", path, ""));
  if (version->get<std::string>() != "1") {
    return unexpected(bad(path, "",
                          fmt::format("expected installation report version `1`, found `{}`",
                                      version->get<std::string>())));
  }
  MLSTACK_TRY_ASSIGN(const json* install,
                     need(root, "install", json::value_t::array, "a list", path, ""));
  MLSTACK_TRY_ASSIGN(const json* environment,
                     need(root, "environment", json::value_t::object, "an object", path, ""));

  ResolvedSet set;
  facts::MarkerValues markers;
  for (const auto& [key, value] : environment->items()) {
    if (!value.is_string()) {
      return unexpected(
          bad(path, "environment",
              fmt::format("expected a string for `{}`, found {}", key, type_name(value))));
    }
    markers.emplace(key, value.get<std::string>());
  }

  std::size_t index = 0;
  for (const json& item : *install) {
    const std::string where = fmt::format("install[{}]", index++);
    if (!item.is_object()) {
      return unexpected(
          bad(path, where, fmt::format("expected an object, found {}", type_name(item))));
    }
    MLSTACK_TRY_ASSIGN(const json* metadata,
                       need(item, "metadata", json::value_t::object, "an object", path, where));
    const std::string meta_where = where + ".metadata";
    MLSTACK_TRY_ASSIGN(const json* name, need(*metadata, "name", json::value_t::string, "a string",
                                              path, meta_where));
    MLSTACK_TRY_ASSIGN(const json* dist_version, need(*metadata, "version", json::value_t::string,
                                                      "a string", path, meta_where));
    facts::InstalledDist dist;
    dist.location = std::string(path);
    dist.info_path = where;
    dist.raw_name = name->get<std::string>();
    dist.canonical_name = names::canonicalize(dist.raw_name);
    dist.version_text = dist_version->get<std::string>();
    if (auto r = read_strings(*metadata, "requires_dist", path, meta_where, dist.requires_dist);
        !r) {
      return unexpected(std::move(r).error());
    }
    if (auto r = read_strings(*metadata, "provides_extra", path, meta_where, dist.provides_extra);
        !r) {
      return unexpected(std::move(r).error());
    }
    if (const auto rp = metadata->find("requires_python");
        rp != metadata->end() && rp->is_string()) {
      dist.requires_python = rp->get<std::string>();
    }
    if (const auto info = item.find("download_info"); info != item.end()) {
      if (!info->is_object()) {
        return unexpected(
            bad(path, where,
                fmt::format("expected an object for `download_info`, found {}", type_name(*info))));
      }
      MLSTACK_TRY_ASSIGN(const json* url, need(*info, "url", json::value_t::string, "a string",
                                               path, where + ".download_info"));
      if (auto tag = wheel_tag_of(url_file_name(url->get<std::string>()))) {
        dist.wheel_tags = std::vector<std::string>{std::move(*tag)};
      }
    }
    set.inventory.dists.push_back(std::move(dist));
  }
  // pip writes every variable (`default_environment()`); a marker naming a missing one would
  // stop pip check with a KeyError.
  for (const std::string_view variable : pep508::MarkerEnvironment::k_variables) {
    if (markers.find(std::string(variable)) == markers.end()) {
      return unexpected(bad(path, "environment", fmt::format("expected key `{}`", variable)));
    }
  }
  set.environment = std::move(markers);
  return set;
}

}  // namespace mlstack::lockfile
