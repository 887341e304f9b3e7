// SPDX-License-Identifier: MIT
// Prints an image's merged tree as rootfs::open_image reads it, one line per entry:
//   kind <TAB> path <TAB> size <TAB> mtime_s <TAB> link target <TAB> sha256 <TAB> region offset
// (kind: d, f, l, p, c, b, s; sha256 and offset for regular files only). The first line is
// `# format names…`, then `# env NAME=value` lines and `# layer compressed members` lines.
// Usage: rootfs_dump ARCHIVE [NAME]
#include "mlstack/base/error.hpp"
#include "mlstack/rootfs/image.hpp"
#include "mlstack/rootfs/sha256.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using mlstack::io::FileKind;

char kind_char(FileKind k) {
  switch (k) {
    case FileKind::directory: return 'd';
    case FileKind::regular: return 'f';
    case FileKind::symlink: return 'l';
    case FileKind::fifo: return 'p';
    case FileKind::char_device: return 'c';
    case FileKind::block_device: return 'b';
    case FileKind::socket: return 's';
    default: return '?';
  }
}

int dump(const mlstack::io::FileSystem& fs, const std::string& dir) {
  std::vector<mlstack::io::DirEntry> entries;
  if (!fs.list_dir(dir, mlstack::io::Follow::no, entries).ok()) {
    std::fprintf(stderr, "cannot list %s\n", dir.c_str());
    return 1;
  }
  for (const auto& e : entries) {
    const std::string path = (dir == "/" ? "" : dir) + "/" + e.name;
    mlstack::io::FileStat st;
    if (!fs.stat(path, mlstack::io::Follow::no, st).ok()) {
      std::fprintf(stderr, "cannot stat %s\n", path.c_str());
      return 1;
    }
    std::string link;
    std::string digest;
    std::string offset;
    if (e.kind == FileKind::symlink) {
      // The target as stored: the tree's node.
      const auto l = static_cast<const mlstack::rootfs::ArchiveFileSystem&>(fs).tree().lookup(
          path, mlstack::io::Follow::no);
      link = static_cast<const mlstack::rootfs::ArchiveFileSystem&>(fs).tree().node(l.node).link;
    }
    if (e.kind == FileKind::regular) {
      std::string bytes;
      if (!fs.read_file(path, std::size_t{1} << 32U, bytes).ok()) {
        std::fprintf(stderr, "cannot read %s\n", path.c_str());
        return 1;
      }
      digest = mlstack::rootfs::sha256_hex(bytes);
      mlstack::io::FileRegion region;
      if (fs.open_region(path, region).ok()) {
        offset = std::to_string(region.offset());
        std::string again(region.size(), '\0');
        if (::pread(region.fd(), again.data(), again.size(), static_cast<off_t>(region.offset())) !=
                static_cast<ssize_t>(again.size()) || again != bytes) {
          std::fprintf(stderr, "the region of %s is not its bytes\n", path.c_str());
          return 1;
        }
      }
    }
    const long long size = e.kind == FileKind::symlink ? 0 : static_cast<long long>(st.size);
    std::printf("%c\t%s\t%lld\t%lld\t%s\t%s\t%s\n", kind_char(e.kind), path.c_str(),
                e.kind == FileKind::directory ? 0LL : size,
                static_cast<long long>(st.mtime_ns / 1'000'000'000), link.c_str(), digest.c_str(),
                offset.c_str());
    if (e.kind == FileKind::directory && dump(fs, path) != 0) {
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: rootfs_dump ARCHIVE [NAME]\n");
    return 2;
  }
  mlstack::rootfs::ImageOptions options;
  if (argc == 3) {
    options.select = argv[2];
  }
  auto image = mlstack::rootfs::open_image(argv[1], options);
  if (!image) {
    std::fprintf(stderr, "rootfs_dump: error: %s\n", mlstack::to_string(image.error()).c_str());
    return 1;
  }
  if (std::getenv("ROOTFS_DUMP_OPEN_ONLY") != nullptr) {  // a timing of open_image alone
    std::printf("%zu entries, %llu bytes in memory\n", image->fs->tree().live_nodes(),
                static_cast<unsigned long long>(image->fs->memory_bytes()));
    return 0;
  }
  std::string names;
  for (const auto& n : image->names) {
    names += " " + n;
  }
  std::printf("# %s%s\n", std::string(mlstack::rootfs::to_string(image->format)).c_str(), names.c_str());
  for (const auto& e : image->config.env) {
    std::printf("# env %s\n", e.c_str());
  }
  for (const auto& l : image->layers) {
    std::printf("# layer %s %d %zu\n", l.member.c_str(), l.compressed ? 1 : 0, l.members);
  }
  return dump(*image->fs, "/");
}
