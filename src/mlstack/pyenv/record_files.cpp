// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/record_files.hpp"

#include "mlstack/base/parallel.hpp"
#include "mlstack/metadata/python_text.hpp"
#include "mlstack/metadata/wheel_file.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

namespace mlstack::pyenv::detail {
namespace {

// `x.so` or `x.so.<digit>...` as the last component (`libcudnn.so.9`, not `not.so.py`).
// Looks only at the end of the path: most RECORD rows end in `.py` and stop at once.
bool is_shared_object(std::string_view path) noexcept {
  std::size_t i = path.size();
  while (i > 0 && (path[i - 1] == '.' || (path[i - 1] >= '0' && path[i - 1] <= '9'))) {
    --i;
  }
  const std::string_view version = path.substr(i);
  const std::string_view head = path.substr(0, i);
  if (!version.empty() && (version.size() < 2 || version[0] != '.' || version[1] < '0' ||
                           version[1] > '9')) {
    return false;
  }
  return head.ends_with(".so") && head.size() > 3 && head[head.size() - 4] != '/';
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

// Calls `row(path as written, reader)` for each row of the RECORD of `dist`, read in
// pieces; false when it cannot be read or is not UTF-8 (then nothing it listed counts), with
// the reason in `problem` when RECORD exists.
template <class Row>
bool for_each_record_row(const facts::InstalledDist& dist, const io::FileSystem& fs,
                         std::size_t max_file_size, Row&& row, std::string* problem = nullptr) {
  bool utf8 = true;
  const io::IoStatus s = fs.read_pieces(
      dist.info_path + "/RECORD", max_file_size, '\n', [&](std::string_view piece) {
        metadata::RecordReader reader(piece);
        while (const std::optional<std::string_view> path = reader.next()) {
          row(*path, reader);
        }
        if (!reader.only_ascii() && metadata::find_utf8_error(piece)) {
          utf8 = false;
        }
      });
  if (problem != nullptr) {
    if (!s.ok() && s.kind != io::IoStatus::Kind::not_found) {
      *problem = to_string(io::make_io_error(s, "read", dist.info_path + "/RECORD"));
    } else if (s.ok() && !utf8) {
      *problem = "`" + dist.info_path + "/RECORD` is not valid UTF-8; its files are not known";
    }
  }
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

inline void RecordSummary::add(std::string_view path, const metadata::RecordReader& row) {
  const std::string_view root = record_root(path);
  if (m_roots.empty() || root != m_last_root) {
    m_last_root.assign(root);
    join_to(m_roots.emplace_back(), m_prefix, root);
  }
  if (is_shared_object(path)) {
    facts::RecordedFile& file = m_libraries.emplace_back();
    join_to(file.path, m_prefix, path);
    file.size = row.size();
  }
}

std::vector<std::string> RecordSummary::take_roots() {
  std::sort(m_roots.begin(), m_roots.end());
  m_roots.erase(std::unique(m_roots.begin(), m_roots.end()), m_roots.end());
  return std::move(m_roots);
}

std::optional<RecordSummary> summarize_record(const facts::InstalledDist& dist,
                                              const io::FileSystem& fs,
                                              std::size_t max_file_size, std::string* problem) {
  RecordSummary summary(dist.location);
  if (!for_each_record_row(
          dist, fs, max_file_size,
          [&](std::string_view path, const metadata::RecordReader& row) { summary.add(path, row); },
          problem)) {
    return std::nullopt;
  }
  return summary;
}

std::vector<facts::FileClash> find_file_clashes(const std::vector<facts::InstalledDist>& dists,
                                                const std::vector<std::vector<std::string>>& roots,
                                                const io::FileSystem& fs,
                                                std::size_t max_file_size, std::size_t threads) {
  // Every (root, distribution) pair, sorted: equal roots are neighbours, and the roots that
  // begin with a root R follow R as one run.
  struct Owned {
    std::string_view root;
    std::size_t dist;
  };
  std::vector<Owned> all;
  for (std::size_t d = 0; d < roots.size() && d < dists.size(); ++d) {
    for (const std::string& r : roots[d]) {
      all.push_back({r, d});
    }
  }
  std::sort(all.begin(), all.end(), [](const Owned& a, const Owned& b) {
    return a.root != b.root ? a.root < b.root : a.dist < b.dist;
  });
  // Runs of one root; a run is suspect when two distributions have the root, or when
  // another distribution has a root above it (then both runs are).
  struct Run {
    std::size_t begin;
    std::size_t end;
    bool suspect;
  };
  std::vector<Run> runs;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t k = i + 1;
    while (k < all.size() && all[k].root == all[i].root) {
      ++k;
    }
    runs.push_back({i, k, k - i > 1});
    i = k;
  }
  // A sweep with the runs above the current one on a stack (each a prefix of the next): a
  // run that is not a prefix of the current root is above none of the roots after it.
  std::vector<std::size_t> above;
  for (std::size_t g = 0; g < runs.size(); ++g) {
    const std::string_view r = all[runs[g].begin].root;
    while (!above.empty() && !r.starts_with(all[runs[above.back()].begin].root)) {
      above.pop_back();
    }
    for (const std::size_t a : above) {
      const Run& up = runs[a];
      if (!under(r, all[up.begin].root)) {
        continue;  // `pkg` is a prefix of `pkg-1.0.dist-info`, not a folder above it
      }
      const bool one_owner = up.end - up.begin == 1 && runs[g].end - runs[g].begin == 1 &&
                             all[up.begin].dist == all[runs[g].begin].dist;
      if (!one_owner) {
        runs[a].suspect = true;
        runs[g].suspect = true;
      }
    }
    above.push_back(g);
  }
  std::vector<std::vector<std::string_view>> suspect(dists.size());
  for (const Run& run : runs) {
    if (run.suspect) {
      for (std::size_t i = run.begin; i < run.end; ++i) {
        suspect[all[i].dist].push_back(all[i].root);
      }
    }
  }
  // The suspect rows of each RECORD read again, on `threads` threads (one slot each).
  std::vector<std::size_t> todo;
  for (std::size_t d = 0; d < dists.size(); ++d) {
    if (!suspect[d].empty()) {
      todo.push_back(d);
    }
  }
  std::vector<std::vector<facts::RecordedFile>> rows(dists.size());
  std::vector<char> readable(dists.size(), 0);
  parallel_for(todo.size(), todo.size() >= 8 ? threads : 1, [&](std::size_t k) {
    const std::size_t d = todo[k];
    const std::vector<std::string_view>& mine = suspect[d];
    const std::string prefix = record_prefix(dists[d].location);
    std::string joined;
    const bool ok = for_each_record_row(
        dists[d], fs, max_file_size, [&](std::string_view path, const metadata::RecordReader& row) {
          join_to(joined, prefix, path);
          if (std::any_of(mine.begin(), mine.end(),
                          [&](std::string_view root) { return under(joined, root); })) {
            rows[d].push_back({joined, row.size(), std::string(row.hash())});
          }
        });
    readable[d] = ok ? 1 : 0;
  });
  // Exact comparison, in discovery order: the first to list a path owns it, and each later
  // one clashes with that first owner.
  struct Owner {
    std::size_t dist;
    std::optional<std::uint64_t> size;
    std::string_view hash;
  };
  struct Pair {
    std::vector<std::string> paths;
    // The first path the two RECORDs give different sizes for: stat'ing it tells whose
    // copy is on disk.
    std::optional<std::size_t> probe;
    std::uint64_t first_size = 0;
    std::uint64_t second_size = 0;
    bool same_content = true;  // every path: both hashes given and equal
  };
  std::unordered_map<std::string_view, Owner> first_owner;
  std::map<std::pair<std::size_t, std::size_t>, Pair> clashes;
  for (const std::size_t d : todo) {
    if (readable[d] == 0) {
      continue;
    }
    for (const facts::RecordedFile& file : rows[d]) {
      const auto [it, fresh] = first_owner.try_emplace(file.path, Owner{d, file.size, file.hash});
      if (!fresh && it->second.dist != d) {
        Pair& pair = clashes[{it->second.dist, d}];
        pair.same_content =
            pair.same_content && !file.hash.empty() && file.hash == it->second.hash;
        if (!pair.probe && it->second.size && file.size && *it->second.size != *file.size) {
          pair.probe = pair.paths.size();
          pair.first_size = *it->second.size;
          pair.second_size = *file.size;
        }
        pair.paths.push_back(file.path);
      }
    }
  }
  std::vector<facts::FileClash> out;
  out.reserve(clashes.size());
  for (auto& [owners, pair] : clashes) {
    facts::FileClash clash{owners.first, owners.second, std::move(pair.paths), std::nullopt,
                           std::nullopt, pair.same_content};
    io::FileStat st;
    if (pair.probe && fs.stat(clash.paths[*pair.probe], io::Follow::yes, st).ok() &&
        st.kind == io::FileKind::regular) {
      const auto size = static_cast<std::uint64_t>(st.size);
      if (pair.first_size == size) {
        clash.on_disk = owners.first;
        clash.on_disk_path = *pair.probe;
      } else if (pair.second_size == size) {
        clash.on_disk = owners.second;
        clash.on_disk_path = *pair.probe;
      }
    }
    out.push_back(std::move(clash));
  }
  return out;
}

}  // namespace mlstack::pyenv::detail
