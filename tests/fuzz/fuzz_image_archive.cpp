// SPDX-License-Identifier: MIT
// libFuzzer target: `doctor --image FILE`: the input is an image archive (a docker-archive or
// an OCI archive, as tar bytes), read by rootfs::open_image from a memfd with small bounds;
// then every entry of the merged tree is listed, stat'ed and (regular files) read. The input
// also goes to the JSON readers (manifest.json, index.json, a manifest, a config).
#include "mlstack/base/error.hpp"
#include "mlstack/rootfs/image.hpp"

#include "fuzz_check.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <string>

namespace {

void walk(const mlstack::io::FileSystem& fs, const std::string& dir, int depth) {
  std::vector<mlstack::io::DirEntry> entries;
  if (depth > 64 || !fs.list_dir(dir, mlstack::io::Follow::yes, entries).ok()) {
    return;
  }
  for (const auto& e : entries) {
    const std::string path = (dir == "/" ? "" : dir) + "/" + e.name;
    mlstack::io::FileStat st;
    MLSTACK_FUZZ_CHECK(fs.stat(path, mlstack::io::Follow::no, st).ok());
    std::string real;
    (void)fs.realpath(path, real);
    if (e.kind == mlstack::io::FileKind::regular) {
      std::string bytes;
      mlstack::io::FileStat target;
      MLSTACK_FUZZ_CHECK(fs.stat(path, mlstack::io::Follow::yes, target).ok());
      if (fs.read_file(path, 1U << 20U, bytes).ok()) {
        MLSTACK_FUZZ_CHECK(static_cast<std::int64_t>(bytes.size()) == target.size);
      }
      mlstack::io::FileRegion region;
      if (fs.open_region(path, region).ok()) {
        MLSTACK_FUZZ_CHECK(static_cast<std::int64_t>(region.size()) == target.size);
      }
    } else if (e.kind == mlstack::io::FileKind::directory && st.kind == mlstack::io::FileKind::directory) {
      walk(fs, path, depth + 1);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = mlstack::fuzz::as_text(data, size);
  (void)mlstack::rootfs::parse_docker_manifest(text);
  (void)mlstack::rootfs::parse_oci_index(text);
  (void)mlstack::rootfs::parse_oci_manifest(text);
  (void)mlstack::rootfs::parse_image_config(text);
  const int fd = ::memfd_create("fuzz-image", MFD_CLOEXEC);
  if (fd < 0 || ::write(fd, data, size) != static_cast<ssize_t>(size)) {
    if (fd >= 0) {
      ::close(fd);
    }
    return 0;
  }
  mlstack::rootfs::ImageOptions options;
  options.limits.max_json_bytes = 1U << 16U;
  options.limits.max_members = 4096;
  options.limits.max_inflated_bytes = 16U << 20U;
  options.limits.max_kept_bytes = 4U << 20U;
  options.limits.max_kept_file = 1U << 20U;
  auto image = mlstack::rootfs::open_image("/proc/self/fd/" + std::to_string(fd), options);
  if (!image) {
    (void)mlstack::render(image.error());
  } else {
    walk(*image->fs, "/", 0);
  }
  ::close(fd);
  return 0;
}
