// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::facts {

/// A list of paths kept as one character buffer plus the end offset of each path, so that
/// tens of thousands of RECORD entries cost two allocations instead of one per path.
/// Iterating yields `std::string_view`s into the buffer (valid until the list changes).
class PathList {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::string_view;

    Iterator() = default;
    Iterator(const PathList* list, std::size_t index) : m_list(list), m_index(index) {}
    std::string_view operator*() const { return (*m_list)[m_index]; }
    Iterator& operator++() {
      ++m_index;
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++m_index;
      return old;
    }
    bool operator==(const Iterator& other) const { return m_index == other.m_index; }

   private:
    const PathList* m_list = nullptr;
    std::size_t m_index = 0;
  };

  PathList() = default;
  PathList(std::initializer_list<std::string_view> paths) {
    for (const std::string_view p : paths) {
      push_back(p);
    }
  }

  void reserve(std::size_t paths, std::size_t chars) {
    m_ends.reserve(paths);
    m_chars.reserve(chars);
  }
  void push_back(std::string_view path) {
    m_chars.append(path);
    m_ends.push_back(m_chars.size());
  }
  /// Adds `prefix` immediately followed by `path` as one entry.
  void push_back(std::string_view prefix, std::string_view path) {
    m_chars.append(prefix);
    push_back(path);
  }

  [[nodiscard]] std::size_t size() const noexcept { return m_ends.size(); }
  [[nodiscard]] bool empty() const noexcept { return m_ends.empty(); }
  [[nodiscard]] std::string_view operator[](std::size_t i) const noexcept {
    const std::size_t begin = i == 0 ? 0 : m_ends[i - 1];
    return std::string_view(m_chars).substr(begin, m_ends[i] - begin);
  }
  [[nodiscard]] Iterator begin() const noexcept { return {this, 0}; }
  [[nodiscard]] Iterator end() const noexcept { return {this, m_ends.size()}; }
  /// Every path's characters, back to back (the sum of the sizes).
  [[nodiscard]] std::size_t total_chars() const noexcept { return m_chars.size(); }

  bool operator==(const PathList&) const = default;

 private:
  std::string m_chars;
  std::vector<std::size_t> m_ends;
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
  std::vector<std::string> requires_dist;   // raw `Requires-Dist:` values (egg-info converted)
  std::vector<std::string> provides_extra;
  std::optional<std::string> requires_python;
  std::optional<std::vector<std::string>> wheel_tags;  // `Tag:` values; none without WHEEL
  std::optional<std::string> wheel_error;  // WHEEL exists but cannot be read (pip crashes)
  std::string installer;                   // INSTALLER, trimmed; may be empty
  bool local = true;      // pip's `dist.local`: inside the venv (always true outside one)
  // RECORD's shared objects (`x.so`, `x.so.<digit>...`), joined to `location` as pip
  // joins RECORD paths; none when RECORD was not read (ScanDepth::pip_check), missing or
  // not UTF-8.
  std::optional<PathList> record_libraries;
  std::vector<std::string> problems;  // metadata problems, one sentence each
};

/// Files that two distributions' RECORDs both list (the same path after joining each to
/// its distribution's location; paths are compared as written, not normalized).
struct FileClash {
  std::size_t first = 0;           // index in `Inventory::dists` of the first to list them
  std::size_t second = 0;          // a later distribution listing them again
  std::vector<std::string> paths;  // in `second`'s RECORD order
  bool operator==(const FileClash&) const = default;
};

/// Every distribution on the path, in discovery order; the first of each name wins.
struct Inventory {
  std::vector<InstalledDist> dists;
  std::vector<InstalledDist> shadowed;  // later distributions with an already-seen name
  std::vector<std::string> skipped;     // pip's "Ignoring invalid distribution ..." cases
  // Ordered by (first, second); a path listed by three distributions a < b < c gives
  // (a, b) and (a, c). Filled by ScanDepth::full only.
  std::vector<FileClash> file_clashes;
};

}  // namespace mlstack::facts
