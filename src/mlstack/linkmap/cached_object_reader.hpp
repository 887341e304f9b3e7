// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/io/file_facts_cache.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/loader/resolve.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace mlstack::linkmap {

/// A `loader::ObjectReader` that keeps what `inner` reads in an `io::FileFactsCache` (kind
/// `loader.object`: DT_NEEDED, SONAME, RPATH/RUNPATH, flags, class and machine, symbol
/// versions), errors included, and in memory for the run: the emulation asks for the same
/// files in every import order. A path that cannot be stat'ed is `not_found` without asking
/// `inner` (ld.so goes on to the next folder); so is a name its folder does not list (each
/// folder is listed once, as ld.so remembers the folders that do not exist: the search tries
/// every name in every RUNPATH folder and hwcaps subfolder). The identity (device, inode) is
/// the stat's.
class CachedObjectReader final : public loader::ObjectReader {
 public:
  CachedObjectReader(const loader::ObjectReader& inner, const io::FileSystem& fs,
                     io::FileFactsCache& cache)
      : m_inner(inner), m_fs(fs), m_cache(cache) {}

  [[nodiscard]] Result<loader::ObjectInfo> read(const std::string& path) const override;

 private:
  [[nodiscard]] Result<loader::ObjectInfo> read_uncached(const std::string& path) const;
  // Whether the folder of `path` lists its name: false when it surely does not, true when it
  // does or the folder cannot be listed (the stat decides). Called with m_mutex held.
  [[nodiscard]] bool may_exist(const std::string& path) const;

  const loader::ObjectReader& m_inner;
  const io::FileSystem& m_fs;
  io::FileFactsCache& m_cache;
  mutable std::mutex m_mutex;
  mutable std::unordered_map<std::string, Result<loader::ObjectInfo>> m_seen;
  // Folder -> its names; none when it does not exist; absent: not listed yet.
  mutable std::unordered_map<std::string, std::optional<std::unordered_set<std::string>>> m_dirs;
};

}  // namespace mlstack::linkmap
