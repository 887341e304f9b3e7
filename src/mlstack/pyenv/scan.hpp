// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/io/file_facts_cache.hpp"
#include "mlstack/io/file_system.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlstack::pyenv {

/// How much of each distribution to read.
enum class ScanDepth : std::uint8_t {
  // Names and versions only (`mlstack run`): from the `name-version.dist-info` folder names,
  // METADATA read only for a folder whose name lacks them (requirements stay empty).
  names,
  pip_check,  // what `pip check` reads: METADATA/PKG-INFO, requires.txt, WHEEL
  full,       // also INSTALLER and RECORD (doctor)
};

struct ScanOptions {
  ScanDepth depth = ScanDepth::pip_check;
  /// With ScanDepth::full, whether INSTALLER is read (only the JSON report shows it; it is
  /// three system calls per distribution).
  bool read_installer = true;
  std::size_t max_file_size = io::k_default_max_file_size;
  /// pip's `dist.local` needs `normalize_path(sys.prefix)`: set it to the realpath of
  /// sys.prefix when the interpreter runs in a virtual environment; leave it empty outside
  /// one (every distribution is then local).
  std::string venv_prefix_realpath;
  /// Distributions are read on up to this many threads (at most the number of CPUs, and one
  /// for small environments); the result does not depend on it.
  std::size_t max_threads = 4;
  /// With ScanDepth::full: RECORD summaries and the paths two RECORDs share are taken from
  /// this cache while the RECORDs are unchanged, and stored in it (record_files.hpp). The
  /// result does not depend on it.
  io::FileFactsCache* file_cache = nullptr;
};

/// Finds the installed distributions on `paths` (sys.path order) as pip 26.3's importlib
/// backend does: `Environment.from_paths(paths).iter_all_distributions()`.
///
/// Per entry, in order (`_DistributionFinder.find`, then `find_legacy_editables`):
/// - the directory is listed once; children ending in `.dist-info` / `.egg-info` (any case)
///   are grouped by importlib's normalized name (`Lookup.infos`: a dict, so a group sits
///   where its first member was listed) followed by `EGG-INFO` when the entry is a `*.egg`
///   directory (`Lookup.eggs`);
/// - a candidate's name is pip's `parse_name_and_version_from_info_directory` (exact-case
///   `.dist-info` suffix, `stem.partition("-")`; `.egg-info`: the part before the first `-`),
///   else the metadata's `Name`; none gives pip's "Skipping ... invalid metadata entry";
/// - the first candidate of each canonical name wins; later ones go to `shadowed`;
/// - winners whose canonical name is not a valid project name are dropped with pip's
///   "Ignoring ..." warning text in `skipped` (`~`-prefixed leftovers included);
/// - metadata is `METADATA`, else `PKG-INFO`, else the candidate itself when it is a file
///   (old `.egg-info` files), each skipped when missing, a directory, not a directory,
///   unreadable or empty, as importlib's `read_text` + `or`; any other error, invalid UTF-8,
///   a FIFO/socket/device (pip would block) or a file over the size cap sets `read_error`;
/// - `*.egg-link` files in the entry name a directory that is searched the same way;
/// - an entry (or an `.egg-link` target) that is a file is a zip archive (`FastPath.
///   zip_children`: `x.zip`, a zipped `x.egg`, `python3XY.zip`), read through
///   `io::FileSystem::read_zip` and grouped the same way, with `location` the archive's path
///   and `info_path` `archive/child`. Its members are read as `zipfile.Path.read_text` reads
///   them: missing or a folder is no text, and so is the candidate itself (an `.egg-info`
///   file in a zip gives no metadata); a corrupt member sets `read_error_crashes_pip`. RECORD
///   is not read there (no file of it is on disk). A file named like a wheel is skipped, as
///   pip skips it; a file that is not a readable zip, or a FIFO, goes to `problems` (Python
///   passes over it in silence).
///
/// Directory names are case-folded as ASCII (Python lowercases all of Unicode when it groups
/// them). Never writes, never follows more than the kernel does, never blocks on FIFOs.
[[nodiscard]] facts::Inventory scan(const std::vector<std::string>& paths, const io::FileSystem& fs,
                                    const ScanOptions& options = {});

/// `scan(facts.sys_path, ...)` with `venv_prefix_realpath` filled from `facts`.
[[nodiscard]] facts::Inventory scan(const facts::PythonFacts& facts, const io::FileSystem& fs,
                                    ScanOptions options = {});

/// `str(pathlib.PurePosixPath(path))`: `//` runs and `.` parts removed, no trailing `/`,
/// `.` for an empty path, a leading `//` kept.
[[nodiscard]] std::string pathlib_str(std::string_view path);

}  // namespace mlstack::pyenv
