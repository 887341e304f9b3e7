// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/io/file_system.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

/// An image's layers merged into one tree, as an overlay mount shows them (OCI image spec,
/// "Applying changesets"): members applied in layer order, a later member replacing an
/// earlier one of the same path (within one layer too: the last wins), a directory over a
/// directory merging, whiteouts (`.wh.NAME` hides NAME of the lower layers, `.wh..wh..opq`
/// hides everything of the lower layers in its folder), hard links sharing their target's
/// data and inode. Pure: the data stays where it is (`DataRef`).
namespace mlstack::rootfs {

/// Where a regular file's bytes are.
struct DataRef {
  enum class Where : std::uint8_t {
    none,    // no data (empty file, or not a regular file)
    range,   // bytes [offset, offset + size) of descriptor `source` (uncompressed layers)
    memory,  // bytes at `offset` of the image's memory file (kept while inflating)
    layer,   // member number `offset` of layer `source`: inflated again when read
  };
  Where where = Where::none;
  std::uint32_t source = 0;
  std::uint64_t offset = 0;
};

struct Node {
  std::string name;
  std::uint32_t parent = 0;
  io::FileKind kind = io::FileKind::directory;
  std::uint32_t layer = 0;  // the highest layer that has this node or something below it
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint32_t mode = 0;
  std::uint64_t inode = 0;
  std::string link;  // a symlink's target, as stored
  DataRef data;
  bool removed = false;
  std::map<std::string, std::uint32_t, std::less<>> children;
};

/// A member's name made relative to the image root: leading `/` and `./` dropped, `.` and
/// empty components dropped, `..` applied lexically. False (and `out` unspecified) when `..`
/// would leave the root.
[[nodiscard]] bool normalize_member_path(std::string_view name, std::vector<std::string>& out);

/// What a path lookup found: a node, or why not (`not_found`, `not_directory`, `loop`).
struct Lookup {
  io::IoStatus status;
  std::uint32_t node = 0;
};

class LayerTree {
 public:
  static constexpr std::uint32_t k_root = 0;
  static constexpr int k_max_links = 40;  // Linux's MAXSYMLINKS

  LayerTree();

  /// One member of `layer` (layers numbered from 1, applied in increasing order), its path
  /// already normalized. The error says what is wrong with the member (a hard link to a
  /// missing member or to a directory), without naming it: the caller does.
  [[nodiscard]] Result<void> add(std::uint32_t layer, const std::vector<std::string>& path,
                                 io::FileKind kind, std::uint64_t size, std::int64_t mtime_ns,
                                 std::uint32_t mode, std::string_view symlink,
                                 const std::vector<std::string>* hardlink, DataRef data);

  /// Resolves `path` as seen inside the image: absolute symlinks from the image root, `..`
  /// stopping at the root, at most `k_max_links` links (then `loop`). The last component's
  /// link is followed with `Follow::yes`.
  [[nodiscard]] Lookup lookup(std::string_view path, io::Follow follow) const;
  /// The same from node `start` (a directory).
  [[nodiscard]] Lookup lookup_from(std::uint32_t start, std::string_view path,
                                   io::Follow follow) const;

  /// `/a/b` for a node.
  [[nodiscard]] std::string path_of(std::uint32_t node) const;

  [[nodiscard]] const Node& node(std::uint32_t i) const { return m_nodes[i]; }
  [[nodiscard]] std::size_t live_nodes() const noexcept { return m_live; }

  /// Every live node below the root, depth first in name order, with its path.
  void walk(const std::function<void(const std::string&, const Node&)>& visit) const;

 private:
  std::uint32_t make(std::uint32_t parent, const std::string& name, std::uint32_t layer);
  void remove(std::uint32_t node);
  void hide_lower(std::uint32_t node, std::uint32_t layer);
  [[nodiscard]] const Node* find_literal(const std::vector<std::string>& path) const;

  std::vector<Node> m_nodes;
  std::uint64_t m_next_inode = 2;
  std::size_t m_live = 1;
};

}  // namespace mlstack::rootfs
