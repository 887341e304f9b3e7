// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mlstack::facts {

/// One installed distribution as found on the path, with raw (unparsed) metadata.
/// Names and versions are what pip derives (directory name first, then METADATA).
struct InstalledDist {
  std::string location;        // pip's `dist.location`: the folder holding the metadata
  std::string info_path;       // the `*.dist-info` / `*.egg-info` folder or file
  std::string canonical_name;  // PEP 503 form of the name pip derives
  std::string raw_name;        // `Name:` from METADATA, else the canonical name
  std::optional<std::string> version_text;  // directory name's version, else `Version:`
  std::optional<std::string> read_error;    // METADATA unreadable (pip: OSError/ValueError)
  std::vector<std::string> requires_dist;   // raw `Requires-Dist:` values (egg-info converted)
  std::vector<std::string> provides_extra;
  std::optional<std::string> requires_python;
  std::optional<std::vector<std::string>> wheel_tags;  // `Tag:` values; none without WHEEL
  std::optional<std::string> wheel_error;  // WHEEL exists but cannot be read (pip crashes)
  std::string installer;                               // INSTALLER, trimmed; may be empty
  bool local = true;  // pip's `dist.local`: inside the venv (always true outside one)
  std::vector<std::string> record_paths;  // RECORD entries, absolute (doctor only)
  std::vector<std::string> problems;      // metadata problems, one sentence each
};

/// Every distribution on the path, in discovery order; the first of each name wins.
struct Inventory {
  std::vector<InstalledDist> dists;
  std::vector<InstalledDist> shadowed;  // later distributions with an already-seen name
  std::vector<std::string> skipped;     // pip's "Ignoring invalid distribution ..." cases
};

}  // namespace mlstack::facts
