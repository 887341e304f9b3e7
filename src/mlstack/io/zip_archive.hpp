// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/io/file_system.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

/// Zip archives read through libarchive (Debian's libarchive13), as Python's `zipfile` sees
/// them: the member names, and the content of the few members a caller selects.
///
/// libarchive is loaded with dlopen the first time an archive is read, so a run that meets no
/// zip pays nothing for it (linked, it and its ten libraries cost ~5 ms at every start-up).
/// Where it is missing, reading fails with an error that says so.
///
/// Reading is bounded: the member count, the bytes of all names, each selected member's
/// uncompressed size and the selected members' total are capped (`ZipLimits`), so a zip bomb
/// costs at most the caps; members that are not selected are skipped without inflating them.
namespace mlstack::io {

struct ZipLimits {
  std::size_t max_members = 1'000'000;
  std::size_t max_name_bytes = std::size_t{64} << 20U;    // all names together
  std::size_t max_member_size = k_default_max_file_size;  // one selected member, inflated
  std::size_t max_selected_bytes = std::size_t{256} << 20U;  // all selected members
  /// Only where the archive is read into memory first (`FileSystem::read_zip`'s default).
  std::size_t max_archive_size = std::size_t{1} << 30U;
};

/// Whether a member's content is wanted, from its name as stored.
using ZipSelect = std::function<bool(std::string_view name)>;

/// One selected member: its bytes, or why they could not be read.
struct ZipMemberData {
  std::string data;
  /// `too_large` when the member inflates past `max_member_size` (or the selected members
  /// together past `max_selected_bytes`); then `data` is empty.
  IoStatus status;
  /// What libarchive says when the member's data is corrupt (a bad CRC, truncated or bad
  /// compressed data), encrypted or compressed with a method it cannot inflate.
  std::optional<std::string> error;

  [[nodiscard]] bool ok() const noexcept { return status.ok() && !error; }
};

class ZipArchive {
 public:
  /// Reads the archive at `path` on the real file system: member names from the central
  /// directory (through a seekable descriptor, never the whole file), then the selected
  /// members. A FIFO, socket or device is refused without blocking. The error names `path`.
  [[nodiscard]] static Result<ZipArchive> read_file(const std::string& path,
                                                    const ZipLimits& limits,
                                                    const ZipSelect& select);

  /// The same from the archive's bytes; `path` names it in errors.
  [[nodiscard]] static Result<ZipArchive> read_memory(std::string_view bytes, std::string_view path,
                                                      const ZipLimits& limits,
                                                      const ZipSelect& select);

  /// Every member's name as stored (`/`-separated; a directory's ends with `/`), repeats
  /// included, in the order of the members' data in the archive (zip writers put the central
  /// directory in the same order; Python's `namelist()` follows the central directory).
  /// Names without the UTF-8 flag are decoded from CP437, as zipfile decodes them. Unlike
  /// zipfile on POSIX, libarchive turns a `\` in a name into `/`.
  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return m_names; }

  /// A selected member (the last of that name, as `ZipFile.getinfo`), or null when no member
  /// has that name or it was not selected.
  [[nodiscard]] const ZipMemberData* find(std::string_view name) const;

  /// Whether `dir` (without a final `/`) is a directory of the archive: a member named
  /// `dir/`, or a folder above some member (zipfile.Path's implied directories).
  [[nodiscard]] bool is_directory(std::string_view dir) const;

 private:
  friend class ZipReader;
  std::vector<std::string> m_names;
  std::unordered_map<std::string, ZipMemberData> m_selected;
  std::vector<std::uint32_t> m_sorted;  // indexes into m_names, by name
};

}  // namespace mlstack::io
