// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The JSON documents of image archives, parsed (nlohmann-json); no I/O. Errors say what is
/// wrong without naming the document: the caller names it.
namespace mlstack::rootfs {

/// One image of a `docker save` archive's `manifest.json`.
struct DockerManifestEntry {
  std::string config;                  // the config's member name
  std::vector<std::string> repo_tags;  // `name:tag`
  std::vector<std::string> layers;     // the layers' member names, lowest first
};

[[nodiscard]] Result<std::vector<DockerManifestEntry>> parse_docker_manifest(std::string_view text);

/// An OCI content descriptor.
struct Descriptor {
  std::string media_type;
  std::string digest;  // `sha256:<64 hex>` (checked by `blob_path`)
  std::uint64_t size = 0;
  std::map<std::string, std::string> annotations;
  std::string os, architecture, variant;  // `platform`, where given
};

/// `index.json` or an image index: its manifests.
[[nodiscard]] Result<std::vector<Descriptor>> parse_oci_index(std::string_view text);

struct OciManifest {
  Descriptor config;
  std::vector<Descriptor> layers;
};

/// An image manifest (OCI, or Docker's schema 2, which has the same shape).
[[nodiscard]] Result<OciManifest> parse_oci_manifest(std::string_view text);

/// Whether a media type is an image index (OCI or Docker's manifest list).
[[nodiscard]] bool is_index_media_type(std::string_view media_type);

/// `blobs/sha256/<hex>` for a digest, or an error when the digest is not `sha256:` and 64
/// lowercase hex digits (a digest never names a path outside `blobs/`).
[[nodiscard]] Result<std::string> blob_path(std::string_view digest);

/// What an image's config says (OCI image config / Docker's, the same fields).
struct ImageConfig {
  std::string architecture;
  std::string os;
  std::string variant;
  std::vector<std::string> env;  // `NAME=value`, in order
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  std::string user;
  std::map<std::string, std::string> labels;
  std::vector<std::string> diff_ids;  // rootfs.diff_ids, lowest layer first
  std::string created;

  /// The value of `name` in `env` (the last assignment wins), if set.
  [[nodiscard]] std::optional<std::string> env_value(std::string_view name) const;
};

[[nodiscard]] Result<ImageConfig> parse_image_config(std::string_view text);

}  // namespace mlstack::rootfs
