// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/soname_reader.hpp"

#include "mlstack/elf/elf_file.hpp"

#include <optional>
#include <string_view>

namespace mlstack::cudalibs {

Result<std::string> ElfSonameReader::soname(const std::string& path) const {
  auto file = elf::ElfFile::open(m_fs, path);
  if (!file) {
    return unexpected(std::move(file).error());  // "cannot read `PATH`: not an ELF file"
  }
  auto dynamic = file->dynamic();
  if (!dynamic || dynamic->soname.empty()) {
    // not_found: a valid ELF without a soname (only unreadable files are problems).
    return unexpected(make_error(ErrorCode::not_found, "cannot read the soname of `" + path +
                                                              "`: no DT_SONAME in the dynamic section"));
  }
  return std::move(dynamic->soname);
}

Result<std::string> CachedSonameReader::soname(const std::string& path) const {
  constexpr std::string_view k_kind = "elf.soname/1";  // the number changes with the derivation
  io::FileStat st;
  if (!m_cache.enabled() || !m_fs.stat(path, io::Follow::yes, st).ok()) {
    return m_inner.soname(path);
  }
  if (const std::optional<std::string_view> blob = m_cache.find(k_kind, path, st)) {
    io::BlobReader r(*blob);
    if (r.u64() == 0) {
      std::string value(r.str());
      if (r.done()) {
        return value;
      }
    } else if (Error e = r.error(); r.done()) {
      return unexpected(std::move(e));
    }
  }
  Result<std::string> result = m_inner.soname(path);
  io::BlobWriter w;
  if (result) {
    w.u64(0).str(*result);
  } else {
    w.u64(1).error(result.error());
  }
  m_cache.store(k_kind, path, st, w.take());
  return result;
}

}  // namespace mlstack::cudalibs
