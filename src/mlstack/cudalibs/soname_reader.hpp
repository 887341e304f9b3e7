// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/io/file_facts_cache.hpp"
#include "mlstack/io/file_system.hpp"

#include <string>

namespace mlstack::cudalibs {

/// Reads an ELF file's DT_SONAME. An interface so tests can fake it; `ElfSonameReader` is the
/// real one.
class SonameReader {
 public:
  SonameReader() = default;
  SonameReader(const SonameReader&) = delete;
  SonameReader& operator=(const SonameReader&) = delete;
  SonameReader(SonameReader&&) = delete;
  SonameReader& operator=(SonameReader&&) = delete;
  virtual ~SonameReader() = default;

  /// `libcudnn.so.9` for `.../libcudnn.so.9.1.0`; an error naming the path otherwise: code
  /// `not_found` when the file is missing or a valid ELF has no soname, another code when the
  /// file is not an ELF or a damaged one.
  [[nodiscard]] virtual Result<std::string> soname(const std::string& path) const = 0;
};

/// `elf::ElfFile` (libelf over a read-only mmap): only the pages holding the section headers
/// and the dynamic section are touched, so a 500 MB `libcublasLt.so` costs a few page faults,
/// not a read of the whole file. Files are opened through `fs` (`io::FileSystem::open_region`):
/// the real ones by default, or those of an unpacked root or an image archive.
class ElfSonameReader final : public SonameReader {
 public:
  explicit ElfSonameReader(const io::FileSystem& fs = io::real_file_system()) : m_fs(fs) {}
  [[nodiscard]] Result<std::string> soname(const std::string& path) const override;

 private:
  const io::FileSystem& m_fs;
};

/// A `SonameReader` that keeps `inner`'s answers (errors included) in an
/// `io::FileFactsCache` (`elf.soname`): a warm run stats the library and answers from the
/// cache without opening it. A file that cannot be stat'ed is asked of `inner`, uncached.
class CachedSonameReader final : public SonameReader {
 public:
  CachedSonameReader(const SonameReader& inner, const io::FileSystem& fs,
                     io::FileFactsCache& cache)
      : m_inner(inner), m_fs(fs), m_cache(cache) {}

  [[nodiscard]] Result<std::string> soname(const std::string& path) const override;

 private:
  const SonameReader& m_inner;
  const io::FileSystem& m_fs;
  io::FileFactsCache& m_cache;
};

}  // namespace mlstack::cudalibs
