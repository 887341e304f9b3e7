// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/cudalibs/cuda_libraries.hpp"
#include "mlstack/facts/build_facts.hpp"
#include "mlstack/io/file_system.hpp"

#include <string>
#include <vector>

namespace mlstack::cudalibs {

/// Copies of the driver library from a cuda-compat package (CUDA forward compatibility), found
/// in a `compat` folder: `<cuda>/compat/libcuda.so.<driver version>` of every CUDA root, and
/// any `.../compat/...` folder of `LD_LIBRARY_PATH` or `/etc/ld.so.cache`. `found_via` is
/// `LD_LIBRARY_PATH` or `ld.so.cache` when the loader would take it ahead of the driver's own
/// `libcuda.so.1` (those first, in that order), `cuda-root` when it is only installed.
/// The version is the real file's name (`libcuda.so.580.65.06` → `580.65.06`).
/// With `SystemSearch::disabled` nothing is searched.
[[nodiscard]] std::vector<facts::CudaLibrary> find_compat_libcuda(const io::FileSystem& fs,
                                                                  const CudaLibOptions& options,
                                                                  std::vector<std::string>& problems);

}  // namespace mlstack::cudalibs
