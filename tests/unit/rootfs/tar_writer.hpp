// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

/// Tar archives written in memory with libarchive's writer, for the rootfs tests.
namespace mlstack::rootfs::testing {

struct TarMember {
  enum class Type : std::uint8_t { file, dir, symlink, hardlink, fifo, char_device };
  std::string path;
  Type type = Type::file;
  std::string data;  // a file's content
  std::string link;  // a symlink's target or a hard link's member
  std::int64_t mtime = 1'700'000'000;
  /// A size written in the header other than `data.size()` (a lying header), if not -1.
  std::int64_t claimed_size = -1;
};

enum class TarFormat : std::uint8_t { pax, gnu, ustar };
enum class TarFilter : std::uint8_t { none, gzip, zstd };

[[nodiscard]] std::string make_tar(const std::vector<TarMember>& members,
                                   TarFormat format = TarFormat::pax,
                                   TarFilter filter = TarFilter::none);

inline TarMember file(std::string path, std::string data) {
  return {std::move(path), TarMember::Type::file, std::move(data), "", 1'700'000'000, -1};
}
inline TarMember dir(std::string path) {
  return {std::move(path), TarMember::Type::dir, "", "", 1'700'000'000, -1};
}
inline TarMember symlink(std::string path, std::string target) {
  return {std::move(path), TarMember::Type::symlink, "", std::move(target), 1'700'000'000, -1};
}
inline TarMember hardlink(std::string path, std::string target) {
  return {std::move(path), TarMember::Type::hardlink, "", std::move(target), 1'700'000'000, -1};
}

/// A `docker save` archive of one image (`name`), its layers given as tars.
[[nodiscard]] std::string make_docker_archive(const std::vector<std::string>& layers,
                                              const std::string& config_json,
                                              const std::string& name = "example:1");

/// A config JSON with `env` and the right number of diff_ids for `layers`.
[[nodiscard]] std::string make_config(const std::vector<std::string>& layers,
                                      const std::vector<std::string>& env = {});

/// The files of an OCI layout of one image (path → content), with `ref_name` as its
/// `org.opencontainers.image.ref.name`; gzip layers when `layer_media_gzip`.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> make_oci_layout(
    const std::vector<std::string>& layers, const std::string& config_json,
    const std::string& ref_name = "example:1", bool layer_media_gzip = false);

/// `sha256:<hex>` of `bytes`.
[[nodiscard]] std::string digest(const std::string& bytes);

}  // namespace mlstack::rootfs::testing
