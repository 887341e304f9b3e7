// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/cuda_libraries.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/cudalibs/library_table.hpp"
#include "mlstack/cudalibs/version_parsers.hpp"
#include "mlstack/io/path.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

namespace mlstack::cudalibs {
namespace {

constexpr std::size_t k_max_text = std::size_t{4} << 20U;    // headers, version.json, conf
constexpr std::size_t k_max_cache = std::size_t{64} << 20U;  // ld.so.cache

using io::join_path;

std::string dirname(std::string_view path) {
  const auto slash = path.rfind('/');
  if (slash == std::string_view::npos) {
    return ".";
  }
  return slash == 0 ? "/" : std::string(path.substr(0, slash));
}

std::string_view basename(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// `nvidia_cudnn_cu13-9.19.0.56.dist-info` → {`nvidia-cudnn-cu13`, `9.19.0.56`}.
std::optional<std::pair<std::string, std::string>> split_dist_info(std::string_view name) {
  if (!name.ends_with(".dist-info")) {
    return std::nullopt;
  }
  name.remove_suffix(10);
  const auto dash = name.find('-');
  if (dash == std::string_view::npos) {
    return std::nullopt;
  }
  std::string project = text::to_lower(name.substr(0, dash));
  std::replace(project.begin(), project.end(), '_', '-');
  std::replace(project.begin(), project.end(), '.', '-');
  return std::pair(std::move(project), std::string(name.substr(dash + 1)));
}

/// Versions a CUDA toolkit folder declares per library, read once per folder.
struct ToolkitVersions {
  std::map<std::string_view, std::vector<facts::Sourced>> by_library;
};

using FileId = std::pair<std::uint64_t, std::uint64_t>;  // (st_dev, st_ino)

std::optional<FileId> file_id(const io::FileSystem& fs, const std::string& path) {
  io::FileStat st;
  if (!fs.stat(path, io::Follow::yes, st).ok()) {
    return std::nullopt;
  }
  return FileId{st.device, st.inode};
}

class Scanner {
 public:
  Scanner(const io::FileSystem& fs, const CudaLibOptions& options, CudaLibraryScan& out)
      : m_fs(fs), m_options(options), m_out(out), m_elf_reader(fs) {
    m_reader = options.soname_reader != nullptr ? options.soname_reader : &m_elf_reader;
  }

  void scan_wheels(const facts::Inventory& inventory);
  void scan_system();

 private:
  [[nodiscard]] std::optional<std::uint64_t> overwritten(const facts::RecordedFile& file) const;
  std::string sys(std::string_view path) const { return m_options.root + std::string(path); }
  std::optional<std::string> read(const std::string& path, std::size_t max) const;
  std::vector<io::DirEntry> list(const std::string& path) const;
  /// Tracked library files of `dir`, grouped by library.
  std::map<const LibrarySpec*, std::vector<std::string>> tracked_files(const std::string& dir);
  void scan_dir(const std::string& dir, std::string_view found_via, const ToolkitVersions* tk);
  ToolkitVersions toolkit_versions(const std::vector<std::string>& include_dirs,
                                   const std::string& cuda_root);
  /// The version `spec`'s header at `path` declares: from the file cache while the header is
  /// unchanged, else read (once per path, into `headers`).
  std::optional<std::string> cached_header_version(
      const LibrarySpec& spec, const std::string& path,
      std::map<std::string, std::optional<std::string>>& headers);
  void add(const LibrarySpec& spec, const std::string& dir, const std::vector<std::string>& names,
           facts::CudaLibrary lib, std::vector<facts::Sourced> first,
           const std::vector<facts::Sourced>* toolkit);
  std::vector<std::string> ld_conf_dirs(const std::string& conf, int depth);

  const io::FileSystem& m_fs;
  const CudaLibOptions& m_options;
  CudaLibraryScan& m_out;
  ElfSonameReader m_elf_reader;
  const SonameReader* m_reader = nullptr;
  // Files and folders already reported, by identity (device, inode): one stat where
  // realpath(3) would readlink every component of the path.
  std::set<FileId> m_seen_files;
  std::set<FileId> m_seen_dirs;
};

std::optional<std::string> Scanner::read(const std::string& path, std::size_t max) const {
  std::string text;
  const auto st = m_fs.read_file(path, max, text);
  if (!st.ok()) {
    if (st.kind != io::IoStatus::Kind::not_found && st.kind != io::IoStatus::Kind::not_directory) {
      m_out.problems.push_back(to_string(io::make_io_error(st, "read", path)));
    }
    return std::nullopt;
  }
  return text;
}

std::vector<io::DirEntry> Scanner::list(const std::string& path) const {
  std::vector<io::DirEntry> entries;
  const auto st = m_fs.list_dir(path, io::Follow::yes, entries);
  if (!st.ok() && st.kind != io::IoStatus::Kind::not_found &&
      st.kind != io::IoStatus::Kind::not_directory) {
    m_out.problems.push_back(to_string(io::make_io_error(st, "list", path)));
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return entries;
}

std::map<const LibrarySpec*, std::vector<std::string>> Scanner::tracked_files(
    const std::string& dir) {
  std::map<const LibrarySpec*, std::vector<std::string>> out;
  for (const auto& e : list(dir)) {
    if (e.kind == io::FileKind::directory || e.kind == io::FileKind::dangling) {
      continue;
    }
    if (auto f = parse_library_file_name(e.name)) {
      out[f->spec].push_back(e.name);
    }
  }
  return out;
}

void Scanner::add(const LibrarySpec& spec, const std::string& dir,
                  const std::vector<std::string>& names, facts::CudaLibrary lib,
                  std::vector<facts::Sourced> first, const std::vector<facts::Sourced>* toolkit) {
  // The representative file: the most precise version in its name (`libcudart.so.12.4.127`
  // over `libcudart.so.12` over `libcudart.so`).
  std::string best;
  std::string best_version;
  for (const auto& n : names) {
    const auto f = parse_library_file_name(n);
    if (f && (best.empty() || version_parts(f->version) > version_parts(best_version))) {
      best = n;
      best_version = f->version;
    }
  }
  lib.name = std::string(spec.name);
  lib.path = join_path(dir, best);
  if (const auto id = file_id(m_fs, lib.path); id && !m_seen_files.insert(*id).second) {
    return;
  }
  std::vector<facts::Sourced> versions = std::move(first);
  std::string file_major(version_major(best_version));
  std::optional<facts::Sourced> soname_version_fact;
  if (auto s = m_reader->soname(lib.path)) {
    lib.soname = *s;
    auto v = soname_version(*s);
    if (!v.empty()) {
      file_major = std::string(version_major(v));
      soname_version_fact = facts::Sourced{v, lib.path + " (DT_SONAME `" + *s + "`)"};
    }
  } else if (io::FileStat st; s.error().code != ErrorCode::not_found &&
                              m_fs.stat(lib.path, io::Follow::yes, st).ok() && st.size > 0) {
    // Not an ELF, or a damaged one: the loader will fail on it. (Empty files are placeholders
    // in test trees and tell nothing.)
    m_out.problems.push_back(to_string(s.error()) + "; the loader cannot load it");
  }
  if (toolkit != nullptr) {
    for (const auto& t : *toolkit) {
      if (file_major.empty() || version_major(t.value) == file_major) {
        versions.push_back(t);
      } else {
        m_out.problems.push_back(lib.path + ": " + t.source + " says " + t.value +
                                 ", which is not the file's major version " + file_major);
      }
    }
  }
  if (version_parts(best_version) >= 2) {
    versions.push_back({best_version, lib.path + " (file name)"});
  }
  if (soname_version_fact) {
    versions.push_back(*soname_version_fact);
  }
  if (version_parts(best_version) == 1) {
    versions.push_back({best_version, lib.path + " (file name, major only)"});
  }
  std::stable_sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
    return version_parts(a.value) > version_parts(b.value);
  });
  if (!versions.empty()) {
    lib.version = versions.front().value;
    lib.version_source = versions.front().source;
  }
  lib.versions = std::move(versions);
  m_out.libraries.push_back(std::move(lib));
}

// A file whose size on disk is not the one its RECORD row declares: another distribution
// installed its own copy over it (cu12 and cu13 cuDNN wheels share `nvidia/cudnn/lib`), so
// the version this distribution's metadata gives is not the file's. Gives the size on disk.
std::optional<std::uint64_t> Scanner::overwritten(const facts::RecordedFile& file) const {
  io::FileStat st;
  if (file.size && m_fs.stat(file.path, io::Follow::yes, st).ok() &&
      st.kind == io::FileKind::regular && static_cast<std::uint64_t>(st.size) != *file.size) {
    return static_cast<std::uint64_t>(st.size);
  }
  return std::nullopt;
}

void Scanner::scan_wheels(const facts::Inventory& inventory) {
  std::map<std::string, std::vector<std::string>> cu_dirs;  // location → nvidia/cuNN folders
  // Files left out because their size is not their RECORD's, and the files some RECORD
  // does match: one of the first and none of the second is a file changed after install.
  struct Differs {
    std::string path;
    std::uint64_t declared = 0;
    std::uint64_t on_disk = 0;
    const facts::InstalledDist* dist = nullptr;
  };
  std::vector<Differs> differing;
  std::set<std::string, std::less<>> claimed;
  for (const auto& dist : inventory.dists) {
    const auto wheel = parse_wheel_dist_name(dist.canonical_name);
    if (!wheel || !dist.version_text) {
      continue;
    }
    const facts::Sourced dist_version{*dist.version_text, std::string(basename(dist.info_path))};
    std::map<std::pair<std::string, const LibrarySpec*>, std::vector<std::string>> groups;
    std::string found_via;
    if (dist.record_libraries) {
      found_via = "wheel-record";
      for (const auto& file : *dist.record_libraries) {
        const std::string_view p = file.path;
        auto f = parse_library_file_name(basename(p));
        if (!f) {
          continue;
        }
        if (const auto on_disk = overwritten(file)) {
          differing.push_back({file.path, *file.size, *on_disk, &dist});
          continue;
        }
        claimed.insert(file.path);
        groups[{dirname(p), f->spec}].emplace_back(basename(p));
      }
    } else {
      found_via = "wheel-layout";
      const auto nvidia = join_path(dist.location, "nvidia");
      auto [it, fresh] = cu_dirs.try_emplace(dist.location);
      if (fresh) {
        for (const auto& e : list(nvidia)) {
          if (e.name.size() > 2 && e.name.starts_with("cu") && text::is_ascii_digit(e.name[2])) {
            it->second.push_back(join_path(join_path(nvidia, e.name), "lib"));
          }
        }
      }
      std::vector<std::string> dirs = {join_path(join_path(nvidia, wheel->spec->wheel_dir), "lib")};
      dirs.insert(dirs.end(), it->second.begin(), it->second.end());
      for (const auto& dir : dirs) {
        for (auto& [spec, names] : tracked_files(dir)) {
          if (spec->dist_base == wheel->spec->dist_base) {
            groups[{dir, spec}] = std::move(names);
          }
        }
      }
    }
    for (const auto& [key, names] : groups) {
      facts::CudaLibrary lib;
      lib.origin = "wheel";
      lib.package = dist.canonical_name;
      lib.found_via = found_via;
      add(*key.second, key.first, names, std::move(lib), {dist_version}, nullptr);
    }
  }
  // A file no RECORD matches was changed or damaged after install: say so, once per
  // distribution, instead of leaving the library out in silence.
  std::map<const facts::InstalledDist*, std::vector<const Differs*>> unclaimed;
  for (const Differs& d : differing) {
    if (!claimed.contains(d.path)) {
      unclaimed[d.dist].push_back(&d);
    }
  }
  for (const auto& [dist, files] : unclaimed) {
    const Differs& first = *files.front();
    std::string more;
    if (files.size() > 1) {
      more = fmt::format(" (and {} more of its files)", files.size() - 1);
    }
    m_out.problems.push_back(fmt::format(
        "`{}` is {} bytes, not the {} bytes the RECORD of {} says{}, and no other "
        "distribution's RECORD matches it: it was changed or damaged after install, so it is "
        "left out of the CUDA libraries",
        first.path, first.on_disk, first.declared, dist->canonical_name, more));
  }
}

std::optional<std::string> Scanner::cached_header_version(
    const LibrarySpec& spec, const std::string& path,
    std::map<std::string, std::optional<std::string>>& headers) {
  // The kind names the library: one header declares several (cublas_api.h).
  const std::string kind = "cuda.header_version/1:" + std::string(spec.name);
  io::FileFactsCache* cache = m_options.file_cache;
  io::FileStat st;
  const bool cached = cache != nullptr && cache->enabled() &&
                      m_fs.stat(path, io::Follow::yes, st).ok();
  if (cached) {
    if (const auto blob = cache->find(kind, path, st)) {
      io::BlobReader r(*blob);
      const bool has = r.u64() != 0;
      std::string version(r.str());
      if (r.done()) {
        return has ? std::optional<std::string>(std::move(version)) : std::nullopt;
      }
    }
  }
  auto [it, fresh] = headers.try_emplace(path);
  if (fresh) {
    it->second = read(path, k_max_text);
  }
  if (!it->second) {
    return std::nullopt;  // unreadable: not stored, so the problem is reported every run
  }
  std::optional<std::string> v = header_version(&spec, *it->second);
  if (cached) {
    io::BlobWriter w;
    w.u64(v ? 1 : 0).str(v.value_or(""));
    cache->store(kind, path, st, w.take());
  }
  return v;
}

ToolkitVersions Scanner::toolkit_versions(const std::vector<std::string>& include_dirs,
                                          const std::string& cuda_root) {
  ToolkitVersions tk;
  std::optional<std::string> version_json;
  if (!cuda_root.empty()) {
    version_json = read(join_path(cuda_root, "version.json"), k_max_text);
  }
  std::map<std::string, std::string> dist_info;  // canonical name → dist-info path
  if (!cuda_root.empty()) {
    for (const auto& e : list(join_path(cuda_root, "dist-info"))) {
      if (auto d = split_dist_info(e.name)) {
        dist_info[d->first] = e.name;
      }
    }
  }
  // cuBLAS and cuBLASLt share cublas_api.h (~330 KB): each header is read once.
  std::map<std::string, std::optional<std::string>> headers;
  for (const auto& spec : library_specs()) {
    auto& out = tk.by_library[spec.name];
    if (!spec.header.empty()) {
      for (const auto& inc : include_dirs) {
        const auto path = join_path(inc, spec.header);
        if (auto v = cached_header_version(spec, path, headers)) {
          out.push_back({*v, path});
          break;
        }
      }
    }
    if (version_json && !spec.version_json_key.empty()) {
      if (auto v = version_json_entry(*version_json, spec.version_json_key); v && *v) {
        out.push_back({**v, join_path(cuda_root, "version.json") + " (`" +
                                std::string(spec.version_json_key) + "`)"});
      }
    }
    for (const auto& [name, info] : dist_info) {
      const auto w = parse_wheel_dist_name(name);
      if (w && w->spec->dist_base == spec.dist_base) {
        if (auto d = split_dist_info(info)) {
          out.push_back({d->second, join_path(join_path(cuda_root, "dist-info"), info)});
        }
      }
    }
  }
  return tk;
}

void Scanner::scan_dir(const std::string& dir, std::string_view found_via,
                       const ToolkitVersions* tk) {
  const auto id = file_id(m_fs, dir);
  if (!id || !m_seen_dirs.insert(*id).second) {
    return;  // missing, or seen through another path
  }
  auto files = tracked_files(dir);
  if (files.empty()) {
    return;
  }
  ToolkitVersions local;
  if (tk == nullptr) {
    // A folder outside a toolkit: `<dir>/../include`, then the distribution's /usr/include
    // (and its multiarch folder, where Debian's cuDNN packages put `cudnn_version_v9.h`).
    std::vector<std::string> inc = {join_path(dirname(dir), "include"), sys("/usr/include")};
    if (basename(dir).find("-linux-gnu") != std::string_view::npos) {
      inc.push_back(join_path(sys("/usr/include"), basename(dir)));
    }
    local = toolkit_versions(inc, "");
    tk = &local;
  }
  for (const auto& [spec, names] : files) {
    facts::CudaLibrary lib;
    lib.origin = "system";
    lib.found_via = std::string(found_via);
    const auto it = tk->by_library.find(spec->name);
    add(*spec, dir, names, std::move(lib), {}, it == tk->by_library.end() ? nullptr : &it->second);
  }
}

std::vector<std::string> Scanner::ld_conf_dirs(const std::string& conf, int depth) {
  std::vector<std::string> dirs;
  const auto text = read(conf, k_max_text);
  if (!text || depth > 8) {
    return dirs;
  }
  const auto parsed = parse_ld_so_conf(*text);
  for (const auto& inc : parsed.includes) {
    const std::string pattern = inc.starts_with('/') ? sys(inc) : join_path(dirname(conf), inc);
    const auto folder = dirname(pattern);
    const auto glob = basename(pattern);
    for (const auto& e : list(folder)) {
      if (glob_match(glob, e.name)) {
        auto more = ld_conf_dirs(join_path(folder, e.name), depth + 1);
        dirs.insert(dirs.end(), more.begin(), more.end());
      }
    }
  }
  for (const auto& d : parsed.dirs) {
    dirs.push_back(sys(d));
  }
  return dirs;
}

void Scanner::scan_system() {
  // 1. CUDA toolkit folders.
  std::vector<std::string> roots = m_options.cuda_roots;
  if (roots.empty()) {
    const auto local = sys("/usr/local");
    for (const auto& e : list(local)) {
      if (e.name == "cuda") {
        roots.insert(roots.begin(), join_path(local, e.name));
      } else if (e.name.starts_with("cuda-") && e.kind == io::FileKind::directory) {
        roots.push_back(join_path(local, e.name));
      }
    }
  }
  std::set<FileId> seen_roots;
  for (const auto& root : roots) {
    const auto id = file_id(m_fs, root);
    if (!id || !seen_roots.insert(*id).second) {
      continue;
    }
    std::vector<std::string> lib_dirs = {join_path(root, "lib64"), join_path(root, "lib")};
    std::vector<std::string> inc_dirs = {join_path(root, "include")};
    for (const auto& t : list(join_path(root, "targets"))) {
      lib_dirs.push_back(join_path(join_path(join_path(root, "targets"), t.name), "lib"));
      inc_dirs.push_back(join_path(join_path(join_path(root, "targets"), t.name), "include"));
    }
    const auto tk = toolkit_versions(inc_dirs, root);
    for (const auto& dir : lib_dirs) {
      scan_dir(dir, "cuda-root", &tk);
    }
  }
  // 2. LD_LIBRARY_PATH (empty fields mean the current folder to ld.so; not searched here).
  for (auto dir : text::split(m_options.ld_library_path, ':')) {
    if (!dir.empty()) {
      scan_dir(std::string(dir), "LD_LIBRARY_PATH", nullptr);
    }
  }
  // 3. ld.so.cache, else ld.so.conf and the trusted folders.
  const auto cache_path = sys(m_options.ld_so_cache);
  if (auto bytes = read(cache_path, k_max_cache)) {
    auto entries = parse_ld_so_cache(*bytes);
    if (!entries) {
      m_out.problems.push_back(cache_path + ": " + to_string(entries.error()));
    } else {
      for (const auto& e : *entries) {
        // Native 64-bit entries carry an arch flag in bits 8-15; 32-bit libc6 ones do not.
        if ((static_cast<std::uint32_t>(e.flags) & 0xff00U) == 0 ||
            !parse_library_file_name(e.soname)) {
          continue;
        }
        scan_dir(sys(dirname(e.path)), "ld.so.cache", nullptr);
      }
    }
    return;
  }
  auto dirs = ld_conf_dirs(sys(m_options.ld_so_conf), 0);
  for (const char* trusted : {"/lib64", "/usr/lib64", "/lib", "/usr/lib"}) {
    dirs.push_back(sys(trusted));
  }
  for (const auto& dir : dirs) {
    scan_dir(dir, "ld.so.conf", nullptr);
  }
}

}  // namespace

CudaLibraryScan find_cuda_libraries(const facts::Inventory& inventory, const io::FileSystem& fs,
                                    const CudaLibOptions& options) {
  CudaLibraryScan out;
  Scanner scanner(fs, options, out);
  scanner.scan_wheels(inventory);
  if (options.system == SystemSearch::enabled) {
    scanner.scan_system();
  }
  return out;
}

}  // namespace mlstack::cudalibs
