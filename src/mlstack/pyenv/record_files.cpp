// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/record_files.hpp"

#include "mlstack/metadata/python_text.hpp"
#include "mlstack/metadata/wheel_file.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

namespace mlstack::pyenv::detail {
namespace {

// `x.so` or `x.so.<digit>...` as the last component (`libcudnn.so.9`, not `not.so.py`).
bool is_shared_object(std::string_view path) noexcept {
  const std::size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (std::size_t i = name.find(".so"); i != std::string_view::npos; i = name.find(".so", i + 1)) {
    const std::string_view rest = name.substr(i + 3);
    if (i > 0 && (rest.empty() || (rest.size() >= 2 && rest[0] == '.' && rest[1] >= '0' &&
                                   rest[1] <= '9'))) {
      return true;
    }
  }
  return false;
}

// True when `path` is `root` or lies under it.
bool under(std::string_view path, std::string_view root) noexcept {
  return path.starts_with(root) && (path.size() == root.size() || path[root.size()] == '/');
}

void join_to(std::string& out, std::string_view prefix, std::string_view path) {
  out.clear();
  if (!path.starts_with('/')) {
    out.append(prefix);
  }
  out.append(path);
}

// Calls `row(joined path)` for each row of the RECORD at `dist`, or returns false when it
// cannot be read or is not UTF-8 (then nothing it listed counts).
template <class Row>
bool read_record(const facts::InstalledDist& dist, const io::FileSystem& fs,
                 std::size_t max_file_size, Row&& row) {
  const std::string prefix = record_prefix(dist.location);
  std::string joined;
  bool utf8 = true;
  const io::IoStatus s = fs.read_pieces(
      dist.info_path + "/RECORD", max_file_size, '\n', [&](std::string_view piece) {
        metadata::RecordReader reader(piece);
        while (const std::optional<std::string_view> path = reader.next()) {
          join_to(joined, prefix, *path);
          row(joined);
        }
        if (!reader.only_ascii() && metadata::find_utf8_error(piece)) {
          utf8 = false;
        }
      });
  return s.ok() && utf8;
}

}  // namespace

std::string_view record_root(std::string_view path) noexcept {
  if (path.starts_with('/')) {
    return path;
  }
  const std::string_view first = path.substr(0, path.find('/'));
  return first == ".." ? path : first;
}

std::string record_prefix(std::string_view location) {
  std::string prefix;
  if (location != ".") {
    prefix.assign(location);
    if (!prefix.empty() && prefix.back() != '/') {
      prefix.push_back('/');
    }
  }
  return prefix;
}

void RecordSummary::add(std::string_view piece) {
  metadata::RecordReader reader(piece);
  while (const std::optional<std::string_view> path = reader.next()) {
    const std::string_view root = record_root(*path);
    if (!m_have_last || root != m_last_root) {
      m_last_root.assign(root);
      m_have_last = true;
      std::string& joined = m_roots.emplace_back();
      join_to(joined, m_prefix, root);
    }
    if (is_shared_object(*path)) {
      if (path->starts_with('/')) {
        m_libraries.push_back(*path);
      } else {
        m_libraries.push_back(m_prefix, *path);
      }
    }
  }
  if (!reader.only_ascii() && metadata::find_utf8_error(piece)) {
    m_utf8 = false;
  }
}

std::vector<std::string> RecordSummary::take_roots() {
  std::sort(m_roots.begin(), m_roots.end());
  m_roots.erase(std::unique(m_roots.begin(), m_roots.end()), m_roots.end());
  return std::move(m_roots);
}

std::vector<facts::FileClash> find_file_clashes(const std::vector<facts::InstalledDist>& dists,
                                                const std::vector<std::vector<std::string>>& roots,
                                                const io::FileSystem& fs,
                                                std::size_t max_file_size) {
  // Which distributions have each root.
  std::unordered_map<std::string_view, std::vector<std::size_t>> owners;
  for (std::size_t d = 0; d < roots.size() && d < dists.size(); ++d) {
    for (const std::string& r : roots[d]) {
      owners[r].push_back(d);
    }
  }
  // A root is suspect for its distributions when another distribution has the same root,
  // or a root that is a folder above it.
  std::vector<std::vector<std::string_view>> suspect(dists.size());
  const auto mark = [&](std::string_view r, const std::vector<std::size_t>& ds) {
    for (const std::size_t d : ds) {
      suspect[d].push_back(r);
    }
  };
  for (const auto& [r, ds] : owners) {
    if (ds.size() > 1) {
      mark(r, ds);
    }
    for (std::size_t slash = r.find('/', 1); slash != std::string_view::npos;
         slash = r.find('/', slash + 1)) {
      const auto above = owners.find(r.substr(0, slash));
      if (above == owners.end()) {
        continue;
      }
      const bool one_owner =
          ds.size() == 1 && above->second.size() == 1 && ds.front() == above->second.front();
      if (!one_owner) {
        mark(r, ds);
        mark(above->first, above->second);
      }
    }
  }
  // Exact comparison of the suspect paths, in discovery order: the first to list a path owns
  // it, and each later one clashes with that first owner.
  std::unordered_map<std::string, std::size_t> first_owner;
  std::map<std::pair<std::size_t, std::size_t>, std::vector<std::string>> clashes;
  for (std::size_t d = 0; d < dists.size(); ++d) {
    std::vector<std::string_view>& mine = suspect[d];
    if (mine.empty()) {
      continue;
    }
    std::sort(mine.begin(), mine.end());
    mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
    std::vector<std::pair<std::size_t, std::string>> found;  // (first owner, path)
    std::vector<std::string> claimed;
    const bool ok = read_record(dists[d], fs, max_file_size, [&](const std::string& path) {
      if (!std::any_of(mine.begin(), mine.end(),
                       [&](std::string_view r) { return under(path, r); })) {
        return;
      }
      const auto it = first_owner.find(path);
      if (it == first_owner.end()) {
        claimed.push_back(path);
      } else if (it->second != d) {
        found.emplace_back(it->second, path);
      }
    });
    if (!ok) {
      continue;
    }
    for (std::string& p : claimed) {
      first_owner.try_emplace(std::move(p), d);
    }
    for (auto& [first, path] : found) {
      clashes[{first, d}].push_back(std::move(path));
    }
  }
  std::vector<facts::FileClash> out;
  out.reserve(clashes.size());
  for (auto& [pair, paths] : clashes) {
    out.push_back(facts::FileClash{pair.first, pair.second, std::move(paths)});
  }
  return out;
}

}  // namespace mlstack::pyenv::detail
