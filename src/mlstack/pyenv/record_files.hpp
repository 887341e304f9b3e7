// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/inventory.hpp"
#include "mlstack/io/file_system.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

/// What doctor needs from RECORD files, without keeping every path they list.
///
/// A large environment's RECORDs list ~100,000 files in ~10 MB. Doctor needs two things from
/// them: the shared objects each distribution installs (for the CUDA library search), and the
/// files that two distributions both list (PKG-FILE-CLASH). Two distributions can only list
/// the same file when one's *root* (see `record_root`) is equal to, or a folder above, one of
/// the other's, so the first pass keeps each distribution's few roots, and only the RECORDs
/// of distributions that share one are read again, for exact path comparison.
namespace mlstack::pyenv::detail {

/// The part of a RECORD path (as written) that two distributions must share for their files
/// to collide: the first component of a relative path (`torch` for `torch/lib/x.so`), or the
/// whole path when it is absolute or leaves the location (`../../bin/torchrun`).
[[nodiscard]] std::string_view record_root(std::string_view path) noexcept;

/// The prefix pip's join puts before a relative RECORD path: `location` and a `/` (none when
/// it already ends with one), nothing for `.`.
[[nodiscard]] std::string record_prefix(std::string_view location);

/// One pass over one RECORD, fed in pieces that end at a `\n` (or at the end of the file).
class RecordSummary {
 public:
  explicit RecordSummary(std::string_view location) : m_prefix(record_prefix(location)) {}

  void add(std::string_view piece);

  /// False when the file is not UTF-8: pip's `read_text` fails, so it lists no files.
  [[nodiscard]] bool utf8() const noexcept { return m_utf8; }

  /// The distribution's roots, joined to its location, sorted and unique.
  [[nodiscard]] std::vector<std::string> take_roots();

  /// Its shared objects (`x.so`, `x.so.<digit>...`), joined to its location, in RECORD order.
  [[nodiscard]] std::vector<facts::RecordedFile> take_libraries() {
    return std::move(m_libraries);
  }

 private:
  std::string m_prefix;
  std::string m_last_root;  // as written, to skip the common case of a repeated root
  bool m_have_last = false;
  std::vector<std::string> m_roots;
  std::vector<facts::RecordedFile> m_libraries;
  bool m_utf8 = true;
};

/// The files two distributions both list. `roots[i]` are `take_roots()` of `dists[i]`'s
/// RECORD (empty when it has none). The RECORDs of distributions sharing a root are read
/// again through `fs`, on up to `threads` threads (and the first clashing path of each pair
/// is stat'ed to tell whose copy is on disk); a RECORD that has become unreadable or not
/// UTF-8 meanwhile counts as listing nothing. The result does not depend on `threads`.
[[nodiscard]] std::vector<facts::FileClash> find_file_clashes(
    const std::vector<facts::InstalledDist>& dists,
    const std::vector<std::vector<std::string>>& roots, const io::FileSystem& fs,
    std::size_t max_file_size, std::size_t threads = 1);

}  // namespace mlstack::pyenv::detail
