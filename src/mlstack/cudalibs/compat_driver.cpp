// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/compat_driver.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/cudalibs/version_parsers.hpp"
#include "mlstack/io/path.hpp"

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>

namespace mlstack::cudalibs {
namespace {

constexpr std::size_t k_max_cache = std::size_t{64} << 20U;

using io::join_path;

bool in_compat_folder(std::string_view path) {
  return path.find("/compat/") != std::string_view::npos || path.ends_with("/compat");
}

// `libcuda.so.580.65.06` → `580.65.06`: a driver version has at least two dots.
std::string driver_version_of(std::string_view file_name) {
  constexpr std::string_view k_prefix = "libcuda.so.";
  if (!file_name.starts_with(k_prefix)) {
    return {};
  }
  const std::string_view v = file_name.substr(k_prefix.size());
  if (std::count(v.begin(), v.end(), '.') < 2 ||
      !std::all_of(v.begin(), v.end(), [](char c) { return text::is_ascii_digit(c) || c == '.'; })) {
    return {};
  }
  return std::string(v);
}

class CompatScan {
 public:
  CompatScan(const io::FileSystem& fs, std::vector<facts::CudaLibrary>& out)
      : m_fs(fs), m_out(out) {}

  void folder(const std::string& dir, std::string_view found_via) {
    io::FileStat st;
    if (!m_fs.stat(dir, io::Follow::yes, st).ok() || st.kind != io::FileKind::directory) {
      return;
    }
    std::vector<io::DirEntry> entries;
    if (!m_fs.list_dir(dir, io::Follow::yes, entries).ok()) {
      return;
    }
    std::sort(entries.begin(), entries.end(),
              [](const io::DirEntry& a, const io::DirEntry& b) { return a.name < b.name; });
    for (const io::DirEntry& e : entries) {
      const std::string version = driver_version_of(e.name);
      const std::string path = join_path(dir, e.name);
      io::FileStat fst;
      if (version.empty() || e.kind != io::FileKind::regular ||
          !m_fs.stat(path, io::Follow::yes, fst).ok() ||
          !m_seen.insert({fst.device, fst.inode}).second) {
        continue;
      }
      facts::CudaLibrary lib;
      lib.name = "libcuda";
      lib.version = version;
      lib.version_source = "file name";
      lib.path = path;
      lib.origin = "system";
      lib.found_via = std::string(found_via);
      lib.versions.push_back({version, "file name"});
      m_out.push_back(std::move(lib));
    }
  }

 private:
  const io::FileSystem& m_fs;
  std::vector<facts::CudaLibrary>& m_out;
  std::set<std::pair<std::uint64_t, std::uint64_t>> m_seen;
};

}  // namespace

std::vector<facts::CudaLibrary> find_compat_libcuda(const io::FileSystem& fs,
                                                    const CudaLibOptions& options,
                                                    std::vector<std::string>& problems) {
  std::vector<facts::CudaLibrary> out;
  if (options.system == SystemSearch::disabled) {
    return out;
  }
  CompatScan scan(fs, out);
  for (std::string_view dir : text::split(options.ld_library_path, ':')) {
    if (!dir.empty() && in_compat_folder(dir)) {
      scan.folder(std::string(dir), "LD_LIBRARY_PATH");
    }
  }
  std::string bytes;
  const std::string cache = options.root + options.ld_so_cache;
  if (const auto st = fs.read_file(cache, k_max_cache, bytes); st.ok()) {
    if (auto entries = parse_ld_so_cache(bytes); entries) {
      for (const LdCacheEntry& e : *entries) {
        if (e.soname == "libcuda.so.1" && in_compat_folder(e.path)) {
          scan.folder(options.root + e.path.substr(0, e.path.rfind('/')), "ld.so.cache");
        }
      }
    } else {
      problems.push_back(cache + ": " + to_string(entries.error()));
    }
  }
  std::vector<std::string> roots = options.cuda_roots;
  if (roots.empty()) {
    std::vector<io::DirEntry> entries;
    if (fs.list_dir(options.root + "/usr/local", io::Follow::yes, entries).ok()) {
      std::sort(entries.begin(), entries.end(),
                [](const io::DirEntry& a, const io::DirEntry& b) { return a.name < b.name; });
      for (const io::DirEntry& e : entries) {
        if (e.name == "cuda" || e.name.starts_with("cuda-")) {
          roots.push_back(options.root + "/usr/local/" + e.name);
        }
      }
    }
  }
  for (const std::string& root : roots) {
    scan.folder(join_path(root, "compat"), "cuda-root");
    scan.folder(join_path(root, "compat/lib"), "cuda-root");
  }
  return out;
}

}  // namespace mlstack::cudalibs
