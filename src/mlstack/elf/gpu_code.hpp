// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/elf/fatbin.hpp"

#include <string>

namespace mlstack::elf {

/// The CUDA device code of one file.
struct GpuCode {
  std::string path;
  bool has_fatbin = false;  // a `.nv_fatbin` section exists
  FatbinIndex index;
};

/// The fatbin index of `path`, the set `cuobjdump --list-elf` and `--list-ptx` list: its
/// executable fatbin (`.nv_fatbin`), else its relocatable one (`__nv_relfatbin`, objects
/// built with `-rdc`), as cuobjdump chooses by default. A file without device code gives
/// `has_fatbin == false`; a file that is not ELF, or cannot be opened, an error naming it.
[[nodiscard]] Result<GpuCode> read_gpu_code(
    const std::string& path, const io::FileSystem& fs = io::real_file_system());

}  // namespace mlstack::elf
