// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Compute capabilities and compiled architectures (pure): what `has_sass` / `has_ptx` and
/// the GPU-name lookups of the rule language mean.
namespace mlstack::kb::detail {

/// One compiled arch: `sm_86` (SASS 8.6), `sm_90a` (SASS for exactly 9.0), `sm_100f` (SASS for
/// the 10.x family from 10.0), `compute_90` (PTX 9.0), `8.6` / `8.6+PTX` (TORCH_CUDA_ARCH_LIST
/// spelling).
struct Arch {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  bool sass = false;
  bool ptx = false;
  bool exact = false;   // `a`: arch-specific code, runs (or JIT-compiles) only on that capability
  bool family = false;  // `f`: family-specific code, runs on the same major with minor >= it
};

[[nodiscard]] std::optional<Arch> parse_arch(std::string_view s);

/// Machine code that runs on compute capability `major.minor`: `sm_XY` with X == major and
/// Y <= minor (`sm_XYa`: only X.Y). CUDA C++ Programming Guide, "Binary Compatibility".
[[nodiscard]] bool has_sass(const std::vector<std::string>& archs, std::uint64_t major,
                            std::uint64_t minor);

/// PTX the driver can JIT-compile for `major.minor`: `compute_XY` with X.Y <= major.minor
/// (`a`: only X.Y; `f`: only major X). CUDA C++ Programming Guide, "PTX Compatibility".
[[nodiscard]] bool has_ptx(const std::vector<std::string>& archs, std::uint64_t major,
                           std::uint64_t minor);

/// Whether the whole words of `pattern` occur in `name`, case-insensitively, words split on
/// space, `-` and `_` (`H100` matches `NVIDIA H100 80GB HBM3`, not `GH100`).
[[nodiscard]] bool matches_words(std::string_view name, std::string_view pattern);

}  // namespace mlstack::kb::detail
