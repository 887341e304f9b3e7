// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/io/file_system.hpp"
#include "mlstack/rootfs/image.hpp"
#include "mlstack/rootfs/sha256.hpp"

#include "tar_writer.hpp"
#include "temp_tree.hpp"

#include <string>
#include <vector>

namespace mlstack::rootfs::testing {

/// `path kind` lines of every entry below `dir`, depth first in name order (symlinks not
/// followed; `-> target` for links).
inline std::string listing(const io::FileSystem& fs, const std::string& dir = "/") {
  std::vector<io::DirEntry> entries;
  if (!fs.list_dir(dir, io::Follow::no, entries).ok()) {
    return "!" + dir + "\n";
  }
  std::string out;
  for (const io::DirEntry& e : entries) {
    const std::string path = (dir == "/" ? "" : dir) + "/" + e.name;
    out += path;
    switch (e.kind) {
      case io::FileKind::directory: out += "/\n" + listing(fs, path); continue;
      case io::FileKind::symlink: out += "@"; break;
      case io::FileKind::fifo: out += "|"; break;
      case io::FileKind::char_device: out += "%"; break;
      default: break;
    }
    out += "\n";
  }
  return out;
}

/// Writes `files` (path → content) into `tree`.
inline void write_files(const pyenv::testing::TempTree& tree, const std::string& under,
                        const std::vector<std::pair<std::string, std::string>>& files) {
  for (const auto& [path, content] : files) {
    tree.write(under + path, content);
  }
}

/// The files as tar members (an OCI archive from a layout).
inline std::string tar_of(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<TarMember> members;
  for (const auto& [path, content] : files) {
    members.push_back(file(path, content));
  }
  return make_tar(members);
}

}  // namespace mlstack::rootfs::testing
