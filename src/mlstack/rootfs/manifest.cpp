// SPDX-License-Identifier: MIT
#include "mlstack/rootfs/manifest.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mlstack::rootfs {
namespace {

using json = nlohmann::json;

Error bad(std::string message) { return make_error(ErrorCode::invalid_data, std::move(message)); }

Result<json> parse_json(std::string_view text, bool want_array) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return unexpected(bad("it is not valid JSON"));
  }
  if (want_array ? !doc.is_array() : !doc.is_object()) {
    return unexpected(bad(want_array ? "expected a JSON array" : "expected a JSON object"));
  }
  return doc;
}

// A string field: absent or null is empty; another type is an error.
Result<std::string> string_field(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return std::string();
  }
  if (!it->is_string()) {
    return unexpected(bad(fmt::format("`{}` is not a string", key)));
  }
  return it->get<std::string>();
}

Result<std::vector<std::string>> strings_field(const json& object, const char* key) {
  std::vector<std::string> out;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return out;
  }
  if (!it->is_array()) {
    return unexpected(bad(fmt::format("`{}` is not an array of strings", key)));
  }
  for (const json& v : *it) {
    if (!v.is_string()) {
      return unexpected(bad(fmt::format("`{}` is not an array of strings", key)));
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> string_map_field(const json& object, const char* key) {
  std::map<std::string, std::string> out;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return out;
  }
  if (!it->is_object()) {
    return unexpected(bad(fmt::format("`{}` is not an object of strings", key)));
  }
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      return unexpected(bad(fmt::format("`{}` is not an object of strings", key)));
    }
    out[k] = v.get<std::string>();
  }
  return out;
}

Result<Descriptor> parse_descriptor(const json& d, std::string_view where) {
  if (!d.is_object()) {
    return unexpected(bad(fmt::format("{} is not an object", where)));
  }
  Descriptor out;
  MLSTACK_TRY_ASSIGN(out.media_type, string_field(d, "mediaType"));
  MLSTACK_TRY_ASSIGN(out.digest, string_field(d, "digest"));
  if (out.digest.empty()) {
    return unexpected(bad(fmt::format("{} has no `digest`", where)));
  }
  const auto size = d.find("size");
  if (size != d.end()) {
    if (!size->is_number_unsigned()) {
      return unexpected(bad(fmt::format("{} has a `size` that is not a non-negative integer", where)));
    }
    out.size = size->get<std::uint64_t>();
  }
  MLSTACK_TRY_ASSIGN(out.annotations, string_map_field(d, "annotations"));
  const auto platform = d.find("platform");
  if (platform != d.end() && platform->is_object()) {
    MLSTACK_TRY_ASSIGN(out.os, string_field(*platform, "os"));
    MLSTACK_TRY_ASSIGN(out.architecture, string_field(*platform, "architecture"));
    MLSTACK_TRY_ASSIGN(out.variant, string_field(*platform, "variant"));
  }
  return out;
}

}  // namespace

Result<std::vector<DockerManifestEntry>> parse_docker_manifest(std::string_view text) {
  MLSTACK_TRY_ASSIGN(const json doc, parse_json(text, /*want_array=*/true));
  std::vector<DockerManifestEntry> out;
  for (const json& e : doc) {
    if (!e.is_object()) {
      return unexpected(bad("an image entry is not an object"));
    }
    DockerManifestEntry entry;
    MLSTACK_TRY_ASSIGN(entry.config, string_field(e, "Config"));
    if (entry.config.empty()) {
      return unexpected(bad("an image entry has no `Config`"));
    }
    MLSTACK_TRY_ASSIGN(entry.repo_tags, strings_field(e, "RepoTags"));
    MLSTACK_TRY_ASSIGN(entry.layers, strings_field(e, "Layers"));
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::vector<Descriptor>> parse_oci_index(std::string_view text) {
  MLSTACK_TRY_ASSIGN(const json doc, parse_json(text, /*want_array=*/false));
  std::vector<Descriptor> out;
  const auto it = doc.find("manifests");
  if (it == doc.end() || !it->is_array()) {
    return unexpected(bad("`manifests` is not an array"));
  }
  for (const json& d : *it) {
    MLSTACK_TRY_ASSIGN(Descriptor desc, parse_descriptor(d, "a manifest descriptor"));
    out.push_back(std::move(desc));
  }
  return out;
}

Result<OciManifest> parse_oci_manifest(std::string_view text) {
  MLSTACK_TRY_ASSIGN(const json doc, parse_json(text, /*want_array=*/false));
  OciManifest out;
  const auto config = doc.find("config");
  if (config == doc.end()) {
    return unexpected(bad("it has no `config`"));
  }
  MLSTACK_TRY_ASSIGN(out.config, parse_descriptor(*config, "`config`"));
  const auto layers = doc.find("layers");
  if (layers == doc.end() || !layers->is_array()) {
    return unexpected(bad("`layers` is not an array"));
  }
  for (const json& d : *layers) {
    MLSTACK_TRY_ASSIGN(Descriptor desc, parse_descriptor(d, "a layer descriptor"));
    out.layers.push_back(std::move(desc));
  }
  return out;
}

bool is_index_media_type(std::string_view media_type) {
  return media_type == "application/vnd.oci.image.index.v1+json" ||
         media_type == "application/vnd.docker.distribution.manifest.list.v2+json";
}

Result<std::string> blob_path(std::string_view digest) {
  constexpr std::string_view k_prefix = "sha256:";
  bool ok = digest.starts_with(k_prefix) && digest.size() == k_prefix.size() + 64;
  for (std::size_t i = k_prefix.size(); ok && i < digest.size(); ++i) {
    const char c = digest[i];
    ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
  if (!ok) {
    return unexpected(bad(fmt::format("the digest `{}` is not `sha256:` and 64 hex digits",
                                      digest.substr(0, 200))));
  }
  return fmt::format("blobs/sha256/{}", digest.substr(k_prefix.size()));
}

std::optional<std::string> ImageConfig::env_value(std::string_view name) const {
  std::optional<std::string> out;
  for (const std::string& e : env) {
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
      out = e.substr(name.size() + 1);
    }
  }
  return out;
}

Result<ImageConfig> parse_image_config(std::string_view text) {
  MLSTACK_TRY_ASSIGN(const json doc, parse_json(text, /*want_array=*/false));
  ImageConfig out;
  MLSTACK_TRY_ASSIGN(out.architecture, string_field(doc, "architecture"));
  MLSTACK_TRY_ASSIGN(out.os, string_field(doc, "os"));
  MLSTACK_TRY_ASSIGN(out.variant, string_field(doc, "variant"));
  MLSTACK_TRY_ASSIGN(out.created, string_field(doc, "created"));
  const auto config = doc.find("config");
  if (config != doc.end() && !config->is_null()) {
    if (!config->is_object()) {
      return unexpected(bad("`config` is not an object"));
    }
    MLSTACK_TRY_ASSIGN(out.env, strings_field(*config, "Env"));
    MLSTACK_TRY_ASSIGN(out.entrypoint, strings_field(*config, "Entrypoint"));
    MLSTACK_TRY_ASSIGN(out.cmd, strings_field(*config, "Cmd"));
    MLSTACK_TRY_ASSIGN(out.working_dir, string_field(*config, "WorkingDir"));
    MLSTACK_TRY_ASSIGN(out.user, string_field(*config, "User"));
    MLSTACK_TRY_ASSIGN(out.labels, string_map_field(*config, "Labels"));
  }
  const auto rootfs = doc.find("rootfs");
  if (rootfs != doc.end() && rootfs->is_object()) {
    MLSTACK_TRY_ASSIGN(out.diff_ids, strings_field(*rootfs, "diff_ids"));
  }
  return out;
}

}  // namespace mlstack::rootfs
