// SPDX-License-Identifier: MIT
#include "mlstack/elf/gpu_code.hpp"

#include "mlstack/elf/elf_file.hpp"

namespace mlstack::elf {

Result<GpuCode> read_gpu_code(const std::string& path) {
  MLSTACK_TRY_ASSIGN(ElfFile file, ElfFile::open(path));
  GpuCode out;
  out.path = path;
  // As cuobjdump: the executable fatbin, else the relocatable one (`-rdc` objects).
  auto section = file.section(".nv_fatbin");
  if (!section) {
    section = file.section("__nv_relfatbin");
  }
  if (section) {
    out.has_fatbin = true;
    out.index = index_fatbin(section->bytes);
  }
  return out;
}

}  // namespace mlstack::elf
