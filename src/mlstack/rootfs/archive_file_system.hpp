// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/io/file_system.hpp"
#include "mlstack/rootfs/layer_tree.hpp"
#include "mlstack/rootfs/tar_stream.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace mlstack::rootfs {

/// Files in the memory file start at multiples of this, so that a region maps directly.
inline constexpr std::uint64_t k_page = 4096;
[[nodiscard]] std::uint64_t page_align(std::uint64_t n);

/// Where a layer's blob is, to inflate it again for a file that was not kept.
struct LayerSource {
  ByteRange range;
  std::string name;  // "layer 2 (`blobs/sha256/…`) of `image.tar`"
};

/// An image's merged layers (layer_tree.hpp) as an `io::FileSystem`, with paths as seen
/// inside the image: `/usr/lib/x`, relative paths from `/`. Symlinks resolve inside the image
/// (an absolute target from the image root, `..` stops at the root, at most 40 links, then
/// `loop`). A file's bytes are read where they are: a range of the archive (an uncompressed
/// layer; `open_region` hands out a dup of the archive's descriptor), the image's memory
/// file (files kept while a compressed layer was inflated), or, for files not kept, from
/// their layer: the first such read inflates the layer once more and keeps every file of it
/// the tree needs, within the memory file's bounds; past them a file is inflated alone for
/// each `read_file`, and `open_region` says `too_large`. FIFOs,
/// sockets and devices are listed and stat'ed, never opened (`not_regular`). Nothing is
/// written to disk. Thread-safe.
class ArchiveFileSystem final : public io::FileSystem {
 public:
  struct Parts {
    LayerTree tree;
    std::vector<int> fds;      // owned: the archive, or a layout's blob files
    int memory_fd = -1;        // owned: the memory file (memfd), or -1
    std::uint64_t memory_size = 0;
    std::vector<LayerSource> layers;  // layer n is layers[n - 1]
    std::uint64_t device = 0;         // `FileStat::device` of every file
    std::uint64_t max_kept_bytes = 0;  // the memory file's bound
    std::uint64_t max_kept_file = 0;   // one file kept on first use
  };

  explicit ArchiveFileSystem(Parts parts);
  ArchiveFileSystem(const ArchiveFileSystem&) = delete;
  ArchiveFileSystem& operator=(const ArchiveFileSystem&) = delete;
  ArchiveFileSystem(ArchiveFileSystem&&) = delete;
  ArchiveFileSystem& operator=(ArchiveFileSystem&&) = delete;
  ~ArchiveFileSystem() override;

  [[nodiscard]] io::IoStatus list_dir(const std::string& path, io::Follow follow,
                                      std::vector<io::DirEntry>& out) const override;
  [[nodiscard]] io::IoStatus read_file(const std::string& path, std::size_t max_bytes,
                                       std::string& out) const override;
  [[nodiscard]] io::IoStatus stat(const std::string& path, io::Follow follow,
                                  io::FileStat& out) const override;
  [[nodiscard]] io::IoStatus realpath(const std::string& path, std::string& out) const override;
  [[nodiscard]] io::IoStatus open_region(const std::string& path,
                                         io::FileRegion& out) const override;

  [[nodiscard]] const LayerTree& tree() const noexcept { return m_parts.tree; }
  /// The bytes the memory file holds now.
  [[nodiscard]] std::uint64_t memory_bytes() const;

 private:
  // The node of a regular file at `path` (symlinks followed), or why not.
  [[nodiscard]] io::IoStatus regular(const std::string& path, std::uint32_t& node) const;
  // A file's data as a range of a descriptor (not owned), inflating a `layer` one first.
  [[nodiscard]] io::IoStatus locate(const Node& n, int& fd, std::uint64_t& offset,
                                    std::string* direct) const;
  [[nodiscard]] io::IoStatus inflate(const DataRef& ref, std::uint64_t size,
                                     std::string& out) const;
  // One pass over layer `layer`, keeping every file of it the tree still needs that fits
  // the memory file's bounds (called with `m_mutex` held).
  void inflate_layer(std::uint32_t layer) const;

  Parts m_parts;
  mutable std::mutex m_mutex;  // the memory file's end and `m_inflated`
  mutable std::uint64_t m_memory_size = 0;
  mutable std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> m_inflated;
  // (layer, member) → size of the files the tree reads from a layer; layers inflated whole.
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> m_needed;
  mutable std::vector<bool> m_layer_inflated;
};

}  // namespace mlstack::rootfs
