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

// The cache kinds (io::FileFactsCache); the number changes with what is derived.
constexpr std::string_view k_record_kind = "pyenv.record/1";
constexpr std::string_view k_clash_kind = "pyenv.file_clashes/1";

// A path joined to the location is stored without it (`r` and the rest), others whole (`a`):
// most of a summary is its prefix otherwise.
void put_path(io::BlobWriter& w, std::string_view prefix, std::string_view path,
              std::string& scratch) {
  scratch.clear();
  if (!prefix.empty() && path.starts_with(prefix)) {
    scratch.push_back('r');
    scratch.append(path.substr(prefix.size()));
  } else {
    scratch.push_back('a');
    scratch.append(path);
  }
  w.str(scratch);
}

std::string get_path(io::BlobReader& r, std::string_view prefix) {
  const std::string_view s = r.str();
  if (s.empty() || (s[0] != 'r' && s[0] != 'a')) {
    r.fail();
    return {};
  }
  std::string out;
  if (s[0] == 'r') {
    out.reserve(prefix.size() + s.size() - 1);
    out.append(prefix);
  }
  out.append(s.substr(1));
  return out;
}

std::string encode_facts(std::string_view location, const RecordFacts& f) {
  const std::string prefix = record_prefix(location);
  std::string scratch;
  io::BlobWriter w;
  w.str(location).u64(f.roots.size());
  for (const std::string& r : f.roots) {
    put_path(w, prefix, r, scratch);
  }
  w.u64(f.libraries.size());
  for (const facts::RecordedFile& l : f.libraries) {
    put_path(w, prefix, l.path, scratch);
    w.u64(l.size ? 1 : 0);
    if (l.size) {
      w.u64(*l.size);
    }
  }
  return w.take();
}

std::optional<RecordFacts> decode_facts(std::string_view blob, std::string_view location) {
  io::BlobReader r(blob);
  if (r.str() != location || !r.ok()) {
    return std::nullopt;
  }
  const std::string prefix = record_prefix(location);
  RecordFacts f;
  f.roots.resize(r.count(2));
  for (std::string& root : f.roots) {
    root = get_path(r, prefix);
  }
  f.libraries.resize(r.count(3));
  for (facts::RecordedFile& l : f.libraries) {
    l.path = get_path(r, prefix);
    if (r.u64() != 0) {
      l.size = r.u64();
    }
  }
  if (!r.done()) {
    return std::nullopt;
  }
  return f;
}

// The paths two RECORDs both list, before the stat that tells whose copy is on disk.
struct Pair {
  std::vector<std::string> paths;
  // The first path the two RECORDs give different sizes for: stat'ing it tells whose
  // copy is on disk.
  std::optional<std::size_t> probe;
  std::uint64_t first_size = 0;
  std::uint64_t second_size = 0;
  bool same_content = true;  // every path: both hashes given and equal
};
using Pairs = std::map<std::pair<std::size_t, std::size_t>, Pair>;

// Pairs as positions in `todo` (the distributions whose RECORDs were compared), after
// `signature` (what they were derived from).
std::string encode_clashes(std::string_view signature, const std::vector<std::size_t>& todo,
                           const Pairs& pairs) {
  auto position = [&](std::size_t d) {
    return static_cast<std::uint64_t>(std::lower_bound(todo.begin(), todo.end(), d) -
                                      todo.begin());
  };
  io::BlobWriter w;
  w.str(signature).u64(pairs.size());
  for (const auto& [owners, pair] : pairs) {
    w.u64(position(owners.first)).u64(position(owners.second)).u64(pair.paths.size());
    for (const std::string& p : pair.paths) {
      w.str(p);
    }
    w.u64(pair.probe ? 1 : 0)
        .u64(pair.probe.value_or(0))
        .u64(pair.first_size)
        .u64(pair.second_size)
        .u64(pair.same_content ? 1 : 0);
  }
  return w.take();
}

bool decode_clashes(std::string_view blob, std::string_view signature,
                    const std::vector<std::size_t>& todo, Pairs& out) {
  io::BlobReader r(blob);
  if (r.str() != signature || !r.ok()) {
    return false;
  }
  const std::size_t n = r.count(7);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    const std::uint64_t first = r.u64();
    const std::uint64_t second = r.u64();
    Pair pair;
    pair.paths.resize(r.count(1));
    for (std::string& p : pair.paths) {
      p = r.str();
    }
    const bool has_probe = r.u64() != 0;
    const std::uint64_t probe = r.u64();
    pair.first_size = r.u64();
    pair.second_size = r.u64();
    pair.same_content = r.u64() != 0;
    if (first >= todo.size() || second >= todo.size() ||
        (has_probe && probe >= pair.paths.size())) {
      return false;
    }
    if (has_probe) {
      pair.probe = static_cast<std::size_t>(probe);
    }
    out[{todo[first], todo[second]}] = std::move(pair);
  }
  return r.done();
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

// Reads the suspect rows of each RECORD of `todo` again (on `threads` threads, one slot
// each) and compares them in discovery order: the first to list a path owns it, and each
// later one clashes with that first owner.
void compare_records(const std::vector<facts::InstalledDist>& dists, const io::FileSystem& fs,
                     std::size_t max_file_size, std::size_t threads,
                     const std::vector<std::size_t>& todo,
                     const std::vector<std::vector<std::string_view>>& suspect, Pairs& clashes) {
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
  struct Owner {
    std::size_t dist;
    std::optional<std::uint64_t> size;
    std::string_view hash;
  };
  std::unordered_map<std::string_view, Owner> first_owner;
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

std::optional<RecordFacts> record_facts(const facts::InstalledDist& dist,
                                        const io::FileSystem& fs, std::size_t max_file_size,
                                        io::FileFactsCache* cache,
                                        std::optional<io::FileStat>* identity,
                                        std::string* problem) {
  std::string path;
  io::FileStat st;
  bool have_stat = false;
  if (cache != nullptr && cache->enabled()) {
    path = dist.info_path + "/RECORD";
    if (fs.stat(path, io::Follow::yes, st).ok()) {
      have_stat = true;
      if (identity != nullptr) {
        *identity = st;
      }
      if (const auto blob = cache->find(k_record_kind, path, st)) {
        if (std::optional<RecordFacts> f = decode_facts(*blob, dist.location)) {
          return f;
        }
      }
    }
  }
  std::optional<RecordSummary> summary = summarize_record(dist, fs, max_file_size, problem);
  if (!summary) {
    return std::nullopt;
  }
  RecordFacts f{summary->take_roots(), summary->take_libraries()};
  if (have_stat) {
    cache->store(k_record_kind, path, st, encode_facts(dist.location, f));
  }
  return f;
}

std::vector<facts::FileClash> find_file_clashes(
    const std::vector<facts::InstalledDist>& dists,
    const std::vector<std::vector<std::string>>& roots, const io::FileSystem& fs,
    std::size_t max_file_size, std::size_t threads, io::FileFactsCache* cache,
    const std::vector<std::optional<io::FileStat>>* identities) {
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
  // The cache's validators: each RECORD to re-read with its identity, location and suspect
  // roots. Stored only when every RECORD is settled (io::FileFactsCache::storable).
  std::string signature;
  bool settled = true;
  bool use_cache = cache != nullptr && cache->enabled() && identities != nullptr && !todo.empty();
  if (use_cache) {
    io::BlobWriter w;
    w.u64(todo.size());
    for (const std::size_t d : todo) {
      const std::optional<io::FileStat>* id = d < identities->size() ? &(*identities)[d] : nullptr;
      if (id == nullptr || !id->has_value()) {
        use_cache = false;
        break;
      }
      const io::FileStat& st = **id;
      settled = settled && cache->storable(st);
      w.str(dists[d].info_path).str(dists[d].location);
      w.u64(static_cast<std::uint64_t>(st.size))
          .u64(static_cast<std::uint64_t>(st.mtime_ns))
          .u64(static_cast<std::uint64_t>(st.ctime_ns))
          .u64(st.inode)
          .u64(st.device)
          .u64(suspect[d].size());
      for (const std::string_view root : suspect[d]) {
        w.str(root);
      }
    }
    signature = w.take();
  }
  Pairs clashes;
  std::optional<std::string_view> cached;
  if (use_cache) {
    cached = cache->find_entry(k_clash_kind, "");
  }
  if (!cached || !decode_clashes(*cached, signature, todo, clashes)) {
    clashes.clear();
    compare_records(dists, fs, max_file_size, threads, todo, suspect, clashes);
    if (use_cache && settled) {
      cache->store_entry(k_clash_kind, "", encode_clashes(signature, todo, clashes));
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
