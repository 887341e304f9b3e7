// SPDX-License-Identifier: MIT
#include "mlstack/linkmap/cached_object_reader.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace mlstack::linkmap {
namespace {

// The cache kind; the number changes with what is stored.
constexpr std::string_view k_kind = "loader.object/1";

void put(io::BlobWriter& w, const loader::ObjectInfo& info) {
  const elf::DynamicInfo& d = info.dynamic;
  w.str(d.soname);
  w.strings(d.needed);
  w.str(d.rpath).str(d.runpath).u64(d.flags_1).u64(d.elf_class).u64(d.machine);
  w.u64(info.versions.needs.size());
  for (const elf::VersionNeed& n : info.versions.needs) {
    w.str(n.file);
    w.strings(n.versions);
    w.u64(n.weak.size());
    for (const bool weak : n.weak) {
      w.u64(weak ? 1 : 0);
    }
  }
  w.strings(info.versions.definitions);
}

void get(io::BlobReader& r, loader::ObjectInfo& info) {
  elf::DynamicInfo& d = info.dynamic;
  d.soname = std::string(r.str());
  d.needed = r.strings();
  d.rpath = std::string(r.str());
  d.runpath = std::string(r.str());
  d.flags_1 = r.u64();
  d.elf_class = static_cast<unsigned>(r.u64());
  d.machine = static_cast<unsigned>(r.u64());
  info.versions.needs.resize(r.count(3));
  for (elf::VersionNeed& n : info.versions.needs) {
    n.file = std::string(r.str());
    n.versions = r.strings();
    n.weak.resize(r.count(1));
    for (std::size_t i = 0; i < n.weak.size(); ++i) {
      n.weak[i] = r.u64() != 0;
    }
  }
  info.versions.definitions = r.strings();
}

}  // namespace

bool CachedObjectReader::may_exist(const std::string& path) const {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) {
    return true;
  }
  const std::string dir = path.substr(0, slash);
  auto it = m_dirs.find(dir);
  if (it == m_dirs.end()) {
    // A folder its parent does not list does not exist (the hwcaps subfolders of every
    // search folder): no need to open it. `..` and `.` are not listed.
    const std::string_view last = std::string_view(dir).substr(dir.rfind('/') + 1);
    if (last != ".." && last != "." && !may_exist(dir)) {
      it = m_dirs.emplace(dir, std::nullopt).first;
      return false;
    }
    std::vector<io::DirEntry> entries;
    const io::IoStatus status = m_fs.list_dir(dir, io::Follow::no, entries);
    std::optional<std::unordered_set<std::string>> names;
    if (status.ok()) {
      names.emplace();
      for (io::DirEntry& e : entries) {
        names->insert(std::move(e.name));
      }
    } else if (status.kind != io::IoStatus::Kind::not_found &&
               status.kind != io::IoStatus::Kind::not_directory) {
      return true;  // unreadable: the stat decides, each time
    }
    it = m_dirs.emplace(dir, std::move(names)).first;
  }
  return it->second && it->second->count(path.substr(slash + 1)) > 0;
}

Result<loader::ObjectInfo> CachedObjectReader::read(const std::string& path) const {
  {
    const std::lock_guard lock(m_mutex);
    if (const auto it = m_seen.find(path); it != m_seen.end()) {
      return it->second;
    }
    if (!may_exist(path)) {
      return unexpected(make_error(ErrorCode::not_found, "not found"));
    }
  }
  Result<loader::ObjectInfo> result = read_uncached(path);
  const std::lock_guard lock(m_mutex);
  m_seen.emplace(path, result);
  return result;
}

Result<loader::ObjectInfo> CachedObjectReader::read_uncached(const std::string& path) const {
  io::FileStat st;
  if (const io::IoStatus status = m_fs.stat(path, io::Follow::yes, st); !status.ok()) {
    return unexpected(
        make_error(ErrorCode::not_found, io::make_io_error(status, "read", path).message));
  }
  if (!m_cache.enabled()) {
    return m_inner.read(path);
  }
  if (const std::optional<std::string_view> blob = m_cache.find(k_kind, path, st)) {
    io::BlobReader r(*blob);
    if (r.u64() == 0) {
      loader::ObjectInfo info;
      get(r, info);
      if (r.done()) {
        info.device = st.device;
        info.inode = st.inode;
        return info;
      }
    } else if (Error e = r.error(); r.done()) {
      return unexpected(std::move(e));
    }
  }
  Result<loader::ObjectInfo> result = m_inner.read(path);
  io::BlobWriter w;
  if (result) {
    w.u64(0);
    put(w, *result);
  } else {
    w.u64(1).error(result.error());
  }
  m_cache.store(k_kind, path, st, w.take());
  if (result) {
    result->device = st.device;
    result->inode = st.inode;
  }
  return result;
}

}  // namespace mlstack::linkmap
