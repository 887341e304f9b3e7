// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/io/file_system.hpp"

#include <string>
#include <vector>

namespace mlstack::io {

/// An unpacked root file system (`doctor --root DIR`: a container's rootfs, a node's `/`
/// mounted at `/host`) seen from inside: paths are the root's own (`/usr/lib/python3.11`),
/// resolved as a chroot resolves them — an absolute symlink starts again at the root, `..`
/// stops at it, 40 links give ELOOP — so that no path or link in the tree reaches a file of
/// the machine outside it. Each call resolves its path one component at a time with lstat and
/// hands the resolved host path to `RealFileSystem`; `realpath` answers in the root's terms.
/// Read-only, like every FileSystem here.
class RootFileSystem final : public FileSystem {
 public:
  /// `root` is a directory of this machine (made absolute by the caller).
  explicit RootFileSystem(std::string root);

  [[nodiscard]] const std::string& root() const noexcept { return m_root; }

  [[nodiscard]] IoStatus list_dir(const std::string& path, Follow follow,
                                  std::vector<DirEntry>& out) const override;
  [[nodiscard]] IoStatus read_file(const std::string& path, std::size_t max_bytes,
                                   std::string& out) const override;
  [[nodiscard]] IoStatus read_pieces(const std::string& path, std::size_t max_bytes, char delimiter,
                                     const std::function<void(std::string_view)>& consume) const override;
  [[nodiscard]] IoStatus stat(const std::string& path, Follow follow, FileStat& out) const override;
  [[nodiscard]] IoStatus realpath(const std::string& path, std::string& out) const override;
  [[nodiscard]] IoStatus open_region(const std::string& path, FileRegion& out) const override;
  [[nodiscard]] Result<ZipArchive> read_zip(
      const std::string& path, const ZipLimits& limits,
      const std::function<bool(std::string_view)>& select) const override;

  /// The path inside the root that `path` names with every symlink resolved (the last one
  /// only with `follow`), and the host path of it; `not_found`, `loop` or `not_directory` when
  /// a component on the way is missing, loops or is not a folder. A missing last component is
  /// no error (the caller's operation reports it). Relative paths are taken from the root.
  [[nodiscard]] IoStatus resolve(const std::string& path, Follow follow, std::string& inner,
                                 std::string& host) const;

 private:
  std::string m_root;  // without a trailing `/` (empty for `/` itself)
  RealFileSystem m_real;
};

}  // namespace mlstack::io
