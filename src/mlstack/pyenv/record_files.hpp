// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/inventory.hpp"
#include "mlstack/io/file_facts_cache.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/metadata/wheel_file.hpp"

#include <cstddef>
#include <optional>
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

/// What one RECORD says, gathered row by row without keeping every path.
class RecordSummary {
 public:
  explicit RecordSummary(std::string_view location) : m_prefix(record_prefix(location)) {}

  /// The distribution's roots, joined to its location, sorted and unique.
  [[nodiscard]] std::vector<std::string> take_roots();

  /// Its shared objects (`x.so`, `x.so.<digit>...`), joined to its location, in RECORD order.
  [[nodiscard]] std::vector<facts::RecordedFile> take_libraries() {
    return std::move(m_libraries);
  }

 private:
  friend std::optional<RecordSummary> summarize_record(const facts::InstalledDist&,
                                                      const io::FileSystem&, std::size_t,
                                                      std::string*);
  // One row: its path as written; `row` gives the declared size (read only for shared
  // objects, so that the common row costs no more than its path).
  void add(std::string_view path, const metadata::RecordReader& row);

  std::string m_prefix;
  std::string m_last_root;  // as written (of m_roots.back()), to skip a repeated root cheaply
  std::vector<std::string> m_roots;
  std::vector<facts::RecordedFile> m_libraries;
};

/// Reads the RECORD of `dist` in pieces (it can be megabytes) and summarizes it; none when
/// it cannot be read or is not UTF-8 (pip's `read_text` fails: no files are known). Then,
/// unless RECORD is missing, `problem` (when given) says why, naming the file: a FIFO or
/// device, over the size cap, unreadable, not UTF-8.
[[nodiscard]] std::optional<RecordSummary> summarize_record(const facts::InstalledDist& dist,
                                                            const io::FileSystem& fs,
                                                            std::size_t max_file_size,
                                                            std::string* problem = nullptr);

/// What doctor keeps of one RECORD (`RecordSummary::take_roots`, `take_libraries`).
struct RecordFacts {
  std::vector<std::string> roots;
  std::vector<facts::RecordedFile> libraries;
};

/// `summarize_record`, through `cache` when it is given and enabled: the RECORD is stat'ed
/// (its identity goes to `identity`, none when it cannot be stat'ed) and, when the cache holds
/// its facts for that identity and `dist.location`, they are taken without reading it; else
/// it is read and its facts are stored. None, and `problem`, as `summarize_record`.
[[nodiscard]] std::optional<RecordFacts> record_facts(const facts::InstalledDist& dist,
                                                      const io::FileSystem& fs,
                                                      std::size_t max_file_size,
                                                      io::FileFactsCache* cache,
                                                      std::optional<io::FileStat>* identity,
                                                      std::string* problem = nullptr);

/// The files two distributions both list. `roots[i]` are `take_roots()` of `dists[i]`'s
/// RECORD (empty when it has none). The RECORDs of distributions sharing a root are read
/// again through `fs`, on up to `threads` threads (and the first clashing path of each pair
/// is stat'ed to tell whose copy is on disk); a RECORD that has become unreadable or not
/// UTF-8 meanwhile counts as listing nothing. The result does not depend on `threads`.
///
/// With `cache` (enabled) and `identities` (`identities[i]`: the identity of `dists[i]`'s
/// RECORD when the scan stat'ed it, see `record_facts`), the paths the RECORDs to re-read
/// share are taken from the cache when those RECORDs, their locations and suspect roots are
/// the ones they were stored with; only the stat telling whose copy is on disk is made again.
[[nodiscard]] std::vector<facts::FileClash> find_file_clashes(
    const std::vector<facts::InstalledDist>& dists,
    const std::vector<std::vector<std::string>>& roots, const io::FileSystem& fs,
    std::size_t max_file_size, std::size_t threads = 1, io::FileFactsCache* cache = nullptr,
    const std::vector<std::optional<io::FileStat>>* identities = nullptr);

}  // namespace mlstack::pyenv::detail
