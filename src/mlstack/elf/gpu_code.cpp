// SPDX-License-Identifier: MIT
#include "mlstack/elf/gpu_code.hpp"

#include "mlstack/elf/elf_file.hpp"

namespace mlstack::elf {

Result<GpuCode> read_gpu_code(const std::string& path, const io::FileSystem& fs) {
  MLSTACK_TRY_ASSIGN(ElfFile file, ElfFile::open(fs, path));
  GpuCode out;
  out.path = path;
  // As cuobjdump: the executable fatbin, else the relocatable one (`-rdc` objects).
  auto section = file.section(".nv_fatbin");
  if (!section) {
    section = file.section("__nv_relfatbin");
  }
  if (section) {
    out.has_fatbin = true;
    // Through pread: the entry headers are spread over hundreds of MB, and a fault on each
    // would map (and at exit unmap) 16 pages around it. `bytes` is the part of the section
    // libelf found within the file.
    const std::uint64_t start = section->offset;
    out.index = index_fatbin(section->bytes.size(),
                             [&file, start](std::uint64_t offset, std::span<std::byte> bytes) {
                               return file.read_at(start + offset, bytes);
                             });
  }
  return out;
}

}  // namespace mlstack::elf
