// SPDX-License-Identifier: MIT
#include "mlstack/linkmap/model_files.hpp"

#include <algorithm>

namespace mlstack::linkmap {

bool fnmatch(std::string_view pattern, std::string_view name) {
  std::size_t p = 0;
  std::size_t n = 0;
  std::size_t star_p = std::string_view::npos;
  std::size_t star_n = 0;
  // One class `[...]` at pattern[p]: whether it matches `c`, and where it ends.
  const auto match_class = [&pattern](std::size_t at, char c, std::size_t& end) {
    std::size_t i = at + 1;
    const bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
    i += negate ? 1 : 0;
    bool matched = false;
    bool first = true;
    for (; i < pattern.size() && (first || pattern[i] != ']'); ++i, first = false) {
      if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
        matched = matched || (pattern[i] <= c && c <= pattern[i + 2]);
        i += 2;
      } else {
        matched = matched || pattern[i] == c;
      }
    }
    if (i >= pattern.size()) {
      end = std::string_view::npos;  // no closing `]`: a literal `[`
      return false;
    }
    end = i + 1;
    return matched != negate;
  };
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = p++;
      star_n = n;
      continue;
    }
    if (p < pattern.size()) {
      if (pattern[p] == '?') {
        ++p;
        ++n;
        continue;
      }
      if (pattern[p] == '[') {
        std::size_t end = 0;
        const bool ok = match_class(p, name[n], end);
        if (end == std::string_view::npos) {
          if (name[n] == '[') {
            ++p;
            ++n;
            continue;
          }
        } else if (ok) {
          p = end;
          ++n;
          continue;
        }
      } else if (pattern[p] == name[n]) {
        ++p;
        ++n;
        continue;
      }
    }
    if (star_p == std::string_view::npos) {
      return false;
    }
    p = star_p + 1;
    n = ++star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

std::vector<std::string> glob_names(const io::FileSystem& fs, const std::string& dir,
                                    std::string_view pattern) {
  std::vector<io::DirEntry> entries;
  std::vector<std::string> out;
  if (!fs.list_dir(dir, io::Follow::no, entries).ok()) {
    return out;
  }
  for (const io::DirEntry& e : entries) {
    // glob skips hidden names unless the pattern starts with a dot.
    if ((e.name.front() != '.' || pattern.starts_with('.')) && fnmatch(pattern, e.name)) {
      out.push_back(e.name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> extension_module(const io::FileSystem& fs, const std::string& dir,
                                            std::string_view stem, std::string_view ext_suffix) {
  std::vector<std::string> suffixes;
  if (!ext_suffix.empty()) {
    suffixes.emplace_back(ext_suffix);
  }
  suffixes.emplace_back(".abi3.so");
  suffixes.emplace_back(".so");
  for (const std::string& suffix : suffixes) {
    std::string path = dir + "/" + std::string(stem) + suffix;
    io::FileStat st;
    if (fs.stat(path, io::Follow::yes, st).ok() && st.kind == io::FileKind::regular) {
      return path;
    }
  }
  return std::nullopt;
}

std::optional<std::string> source_text(const io::FileSystem& fs, const std::string& path) {
  std::string text;
  if (!fs.read_file(path, io::k_default_max_file_size, text).ok()) {
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> dist_location(const facts::Inventory& inventory,
                                         std::string_view canonical_name) {
  for (const facts::InstalledDist& d : inventory.dists) {
    if (d.canonical_name == canonical_name) {
      return d.location;
    }
  }
  return std::nullopt;
}

}  // namespace mlstack::linkmap
