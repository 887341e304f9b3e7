// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"

#include <span>
#include <string>
#include <vector>

namespace mlstack::elf {

class ElfFile;

/// A library version string found in a binary's read-only data.
struct EmbeddedVersion {
  std::string library;   // `cudnn`, `nccl`
  std::string version;   // `7.6.5`, `2.10.3`
  std::string cuda;      // the CUDA the string names (`10.2` for NCCL), else empty
  std::string evidence;  // "`NCCL version 2.10.3+cuda10.2` in .rodata"
};

/// The version strings statically linked cuDNN and NCCL leave in `bytes` (a `.rodata`):
/// NCCL's banner `NCCL version 2.10.3+cuda10.2` and cuDNN's build tag
/// `cudnn_version_7_6_5_32_...`. Digits must follow the prefix, and `+cuda` NCCL's version
/// (`Unknown NCCL version`, `NCCL version 2.27.0 or later` and format strings do not match);
/// the first hit of each library wins. Pure.
[[nodiscard]] std::vector<EmbeddedVersion> find_embedded_versions(std::span<const std::byte> bytes);

/// `find_embedded_versions` over `file`'s `.rodata` only (the one section that can hold
/// them: a bounded read, 17 MB for torch 1.12.1's 850 MB libtorch_cuda.so).
[[nodiscard]] std::vector<EmbeddedVersion> read_embedded_versions(const ElfFile& file);

}  // namespace mlstack::elf
