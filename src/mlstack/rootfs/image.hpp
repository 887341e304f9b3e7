// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/rootfs/archive_file_system.hpp"
#include "mlstack/rootfs/manifest.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// Container images read as a file system, without an engine and without extracting them
/// (docs/rootfs.md): a `docker save` / `docker-archive:` tarball, an OCI archive
/// (`oci-archive:`, a tar of an OCI layout) or an OCI layout folder (`oci:`).
///
/// The archive's members are indexed from their headers only; the chosen image's layers are
/// merged in order (layer_tree.hpp) into an `ArchiveFileSystem`. Files of uncompressed layers
/// stay in the archive (read with pread, handed out as regions of its descriptor); compressed
/// layers (gzip, zstd, xz, bzip2) are inflated once, keeping in memory the files `keep`
/// picks. Every bound is in `ImageLimits`; every error names the archive and the member.
namespace mlstack::rootfs {

enum class ImageFormat : std::uint8_t { docker_archive, oci_archive, oci_layout };

/// `docker-archive`, `oci-archive`, `oci` (the transports' names in containers/image).
[[nodiscard]] std::string_view to_string(ImageFormat format);

struct ImageLimits {
  /// manifest.json, index.json, a manifest, a config: read whole, so bounded.
  std::size_t max_json_bytes = std::size_t{16} << 20U;
  /// The members of the archive and of the chosen image's layers, all together.
  std::size_t max_members = 4'000'000;
  /// One member's name, in bytes (Linux's PATH_MAX) and in components.
  std::size_t max_path_bytes = 4096;
  std::size_t max_path_depth = 256;
  /// All compressed layers together, inflated (a decompression bomb stops here).
  std::uint64_t max_inflated_bytes = std::uint64_t{64} << 30U;
  /// The memory file (files of compressed layers kept in memory) and one file in it.
  std::uint64_t max_kept_bytes = std::uint64_t{8} << 30U;
  std::uint64_t max_kept_file = std::uint64_t{2} << 30U;
  /// Whether to hash every layer blob against its digest (reads the whole archive; the
  /// config and the manifests are always checked).
  bool verify_layers = false;
};

/// Which files of a compressed layer to keep in memory in its one pass, from the path in the
/// image (`/usr/lib/x`) and the size; the others are inflated again when read.
using KeepFile = std::function<bool(std::string_view path, std::uint64_t size)>;

/// The default `KeepFile`: what the doctor may read. Files up to 4 MiB under `/etc` or in a
/// `*-packages` or `*.dist-info`/`*.egg-info` folder, CUDA version files (`version.json`,
/// `version.txt`, `*version*.h` headers), `python*` in a `bin` folder, and shared objects
/// (`*.so`, `*.so.*`) of any size.
[[nodiscard]] bool doctor_may_read(std::string_view path, std::uint64_t size);

struct ImageOptions {
  /// Which image of an archive that holds several: a name (`name:tag`, matched with or
  /// without a registry prefix and `:latest`), an OCI `ref.name`, or a digest (`sha256:`
  /// and at least 12 hex digits of the config's or manifest's). Empty: the only one.
  std::string select;
  ImageLimits limits;
  KeepFile keep = doctor_may_read;
};

struct LayerInfo {
  std::string member;      // the blob: a member of the archive, a file of the layout
  std::string digest;      // the descriptor's (OCI), else the config's diff_id, else empty
  std::string media_type;  // the descriptor's (OCI), else empty
  std::uint64_t size = 0;  // the blob's bytes
  bool compressed = false;
  std::size_t members = 0;
};

struct Image {
  std::string archive;  // the path as given
  ImageFormat format = ImageFormat::docker_archive;
  std::vector<std::string> names;  // the chosen image's names (RepoTags, ref.name)
  std::string config_digest;       // `sha256:…`
  std::string manifest_digest;     // OCI only
  ImageConfig config;
  std::vector<LayerInfo> layers;
  std::unique_ptr<ArchiveFileSystem> fs;  // the merged layers
};

/// Opens the image at `path` (a file: an archive; a folder: an OCI layout, or an unpacked
/// docker-archive). The error names `path` and, where one is at fault, the member.
[[nodiscard]] Result<Image> open_image(const std::string& path, const ImageOptions& options = {});

/// `--image FILE[:NAME]`: the whole argument when `exists(arg)`, else split at the last `:`
/// whose left side exists (`img.tar:repo/name:tag` → `img.tar`, `repo/name:tag`).
[[nodiscard]] std::pair<std::string, std::string> split_image_argument(
    std::string_view arg, const std::function<bool(const std::string&)>& exists);

}  // namespace mlstack::rootfs
