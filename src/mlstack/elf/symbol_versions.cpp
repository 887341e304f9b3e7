// SPDX-License-Identifier: MIT
// ElfFile::symbol_versions: `.gnu.version_r` and `.gnu.version_d` through libelf's gelf
// accessors, which check every offset against the section's size.
#include "mlstack/elf/elf_file.hpp"

#include <gelf.h>
#include <libelf.h>

namespace mlstack::elf {
namespace {

// Entries in a chain are bounded by the section: each has a size, so a chain longer than the
// section is malformed (a loop of vn_next / vna_next offsets ends here).
constexpr std::size_t k_max_chain = 1U << 16U;

std::string string_at(::Elf* elf, std::size_t strtab, std::size_t offset) {
  const char* s = elf_strptr(elf, strtab, offset);
  return s == nullptr ? std::string() : std::string(s);
}

void read_needs(::Elf* elf, Elf_Scn* scn, const GElf_Shdr& shdr, SymbolVersions& out) {
  Elf_Data* data = elf_getdata(scn, nullptr);
  if (data == nullptr) {
    return;
  }
  std::size_t offset = 0;
  for (std::size_t n = 0; n < k_max_chain; ++n) {
    GElf_Verneed need;
    if (gelf_getverneed(data, static_cast<int>(offset), &need) == nullptr) {
      return;
    }
    VersionNeed entry;
    entry.file = string_at(elf, shdr.sh_link, need.vn_file);
    std::size_t aux_offset = offset + need.vn_aux;
    for (std::size_t a = 0; a < need.vn_cnt && a < k_max_chain; ++a) {
      GElf_Vernaux aux;
      if (gelf_getvernaux(data, static_cast<int>(aux_offset), &aux) == nullptr) {
        break;
      }
      entry.versions.push_back(string_at(elf, shdr.sh_link, aux.vna_name));
      entry.weak.push_back((aux.vna_flags & VER_FLG_WEAK) != 0);
      if (aux.vna_next == 0) {
        break;
      }
      aux_offset += aux.vna_next;
    }
    out.needs.push_back(std::move(entry));
    if (need.vn_next == 0) {
      return;
    }
    offset += need.vn_next;
  }
}

void read_definitions(::Elf* elf, Elf_Scn* scn, const GElf_Shdr& shdr, SymbolVersions& out) {
  Elf_Data* data = elf_getdata(scn, nullptr);
  if (data == nullptr) {
    return;
  }
  std::size_t offset = 0;
  for (std::size_t n = 0; n < k_max_chain; ++n) {
    GElf_Verdef def;
    if (gelf_getverdef(data, static_cast<int>(offset), &def) == nullptr) {
      return;
    }
    // The first aux names the version; the others its parents.
    GElf_Verdaux aux;
    if ((def.vd_flags & VER_FLG_BASE) == 0 &&
        gelf_getverdaux(data, static_cast<int>(offset + def.vd_aux), &aux) != nullptr) {
      out.definitions.push_back(string_at(elf, shdr.sh_link, aux.vda_name));
    }
    if (def.vd_next == 0) {
      return;
    }
    offset += def.vd_next;
  }
}

}  // namespace

SymbolVersions ElfFile::symbol_versions() const {
  SymbolVersions out;
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(m_elf, scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) {
      continue;
    }
    if (shdr.sh_type == SHT_GNU_verneed) {
      read_needs(m_elf, scn, shdr, out);
    } else if (shdr.sh_type == SHT_GNU_verdef) {
      read_definitions(m_elf, scn, shdr, out);
    }
  }
  return out;
}

}  // namespace mlstack::elf
