// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/io/file_system.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

/// A tar stream read through libarchive (io/lib_archive.hpp) from a range of a descriptor:
/// a whole file, or a member of an outer archive. Uncompressed or gzip / zstd / xz / bzip2
/// (never through an external program). Reads go through pread with our own read and skip
/// callbacks, so skipping a member of an uncompressed stream is a seek and its data is never
/// read; a member's data offset in the descriptor is what libarchive has consumed when its
/// header is returned.
struct archive;  // libarchive's reader (io/lib_archive.hpp)

namespace mlstack::rootfs {

/// A range of an open descriptor (not owned).
struct ByteRange {
  int fd = -1;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

/// One member's header, as stored.
struct TarEntry {
  std::string path;  // as stored (not normalized)
  io::FileKind kind = io::FileKind::unknown;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint32_t mode = 0;
  std::string symlink;   // the target of a symlink
  std::string hardlink;  // a hard link's target member, as stored; empty if none
  bool sparse = false;   // a GNU/pax sparse file: its data is not one range
  /// The absolute offset of the member's data in the descriptor; meaningful only when the
  /// stream is uncompressed and the member not sparse.
  std::uint64_t data_offset = 0;
};

class TarStream {
 public:
  /// Opens `range` as a tar stream; `name` names it in errors ("layer 2 (`blobs/sha256/…`)
  /// of `image.tar`").
  [[nodiscard]] static Result<std::unique_ptr<TarStream>> open(ByteRange range,
                                                               std::string name);
  TarStream(const TarStream&) = delete;
  TarStream& operator=(const TarStream&) = delete;
  TarStream(TarStream&&) = delete;
  TarStream& operator=(TarStream&&) = delete;
  ~TarStream();

  /// Whether a compression filter sits under the tar format.
  [[nodiscard]] bool compressed() const noexcept { return m_compressed; }

  /// The next member's header into `out`; false at the end.
  [[nodiscard]] Result<bool> next(TarEntry& out);

  /// The current member's data, in pieces; `consume` returns false to stop early.
  [[nodiscard]] Result<void> read_data(const std::function<bool(const char*, std::size_t)>& consume);

  /// The bytes the tar reader has consumed (inflated bytes for a compressed stream).
  [[nodiscard]] std::uint64_t consumed() const;

  [[nodiscard]] const std::string& name() const noexcept { return m_name; }

 private:
  struct Source;
  TarStream() = default;
  std::unique_ptr<Source> m_source;
  struct archive* m_archive = nullptr;
  std::string m_name;
  bool m_compressed = false;
};

}  // namespace mlstack::rootfs
