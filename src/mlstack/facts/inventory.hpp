// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::facts {

/// A file a RECORD lists: its path (joined to the distribution's location as pip joins
/// RECORD paths) and the size the row declares, when it declares one.
struct RecordedFile {
  std::string path;
  std::optional<std::uint64_t> size;
  std::string hash = {};  // `sha256=...` as written; read only where two RECORDs are compared
  bool operator==(const RecordedFile&) const = default;
};

/// One installed distribution as found on the path, with raw (unparsed) metadata.
/// Names and versions are what pip derives (directory name first, then METADATA).
struct InstalledDist {
  std::string location;        // pip's `dist.location`: the folder holding the metadata
  std::string info_path;       // the `*.dist-info` / `*.egg-info` folder or file
  std::string canonical_name;  // PEP 503 form of the name pip derives
  std::string raw_name;        // `Name:` from METADATA, else the canonical name
  std::optional<std::string> version_text;  // directory name's version, else `Version:`
  std::optional<std::string> read_error;    // METADATA unreadable (pip: OSError/ValueError)
  bool read_error_crashes_pip = false;  // pip does not catch it (a corrupt member of a zip
                                        // archive: zipfile.BadZipFile): `pip check` stops
  std::vector<std::string> requires_dist;   // raw `Requires-Dist:` values (egg-info converted)
  std::vector<std::string> provides_extra;
  std::optional<std::string> requires_python;
  std::optional<std::vector<std::string>> wheel_tags;  // `Tag:` values; none without WHEEL
  std::optional<std::string> wheel_error;  // WHEEL exists but cannot be read (pip crashes)
  std::string installer;                   // INSTALLER, trimmed; may be empty
  bool local = true;      // pip's `dist.local`: inside the venv (always true outside one)
  // RECORD's shared objects (`x.so`, `x.so.<digit>...`), in RECORD order; none when
  // RECORD was not read (ScanDepth::pip_check), is missing or is not UTF-8.
  std::optional<std::vector<RecordedFile>> record_libraries;
  std::vector<std::string> problems;  // metadata problems, one sentence each
};

/// Files that two distributions' RECORDs both list (the same path after joining each to
/// its distribution's location; paths are compared as written, not normalized).
struct FileClash {
  std::size_t first = 0;           // index in `Inventory::dists` of the first to list them
  std::size_t second = 0;          // a later distribution listing them again
  std::vector<std::string> paths;  // in `second`'s RECORD order
  // Whose copy is on disk (`first` or `second`), told by the first path the two RECORDs
  // give different sizes for (`paths[*on_disk_path]`) matching one of them.
  std::optional<std::size_t> on_disk;
  std::optional<std::size_t> on_disk_path;
  // Both RECORDs give every path the same hash: the two copies are the same bytes, so
  // installing one over the other changes nothing (removing one still deletes the file).
  bool same_content = false;
  bool operator==(const FileClash&) const = default;
};

/// Every distribution on the path, in discovery order; the first of each name wins.
struct Inventory {
  std::vector<InstalledDist> dists;
  std::vector<InstalledDist> shadowed;  // later distributions with an already-seen name
  std::vector<std::string> skipped;     // pip's "Ignoring invalid distribution ..." cases
  // What the scan could not read and pip passes over in silence: a `sys.path` entry that is a
  // file but not a readable zip archive. One sentence each, naming the file.
  std::vector<std::string> problems;
  // Ordered by (first, second); a path listed by three distributions a < b < c gives
  // (a, b) and (a, c). Filled by ScanDepth::full only.
  std::vector<FileClash> file_clashes;
};

}  // namespace mlstack::facts
