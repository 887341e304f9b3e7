// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/soname_reader.hpp"

#include "mlstack/elf/elf_file.hpp"

namespace mlstack::cudalibs {

Result<std::string> ElfSonameReader::soname(const std::string& path) const {
  auto file = elf::ElfFile::open(path);
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

}  // namespace mlstack::cudalibs
