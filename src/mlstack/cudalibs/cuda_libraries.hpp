// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/cudalibs/soname_reader.hpp"
#include "mlstack/facts/build_facts.hpp"
#include "mlstack/facts/inventory.hpp"
#include "mlstack/io/file_system.hpp"

#include <cstdint>
#include <string>
#include <vector>

/// Finds CUDA user-space libraries (cudart, cuBLAS/cuBLASLt, cuDNN, NCCL, nvJitLink, cuFFT,
/// cuSPARSE, cuSPARSELt, cuSOLVER, cuRAND, NVRTC, CUPTI) on the system and in `nvidia-*`
/// wheels, with a version and the source of that version.
namespace mlstack::cudalibs {

/// Whether system folders are searched (doctor `--site DIR` searches wheels only).
enum class SystemSearch : std::uint8_t { enabled, disabled };

struct CudaLibOptions {
  /// Prefix for every system path (`--root DIR` of an unpacked image); empty for this machine.
  std::string root;
  /// CUDA toolkit folders; empty: every `/usr/local/cuda` and `/usr/local/cuda-*`.
  std::vector<std::string> cuda_roots;
  std::string ld_so_cache = "/etc/ld.so.cache";
  std::string ld_so_conf = "/etc/ld.so.conf";
  /// The `LD_LIBRARY_PATH` value to search (the caller reads the environment), `:`-separated.
  std::string ld_library_path;
  SystemSearch system = SystemSearch::enabled;
  /// DT_SONAME reader; nullptr uses `ElfSonameReader`.
  const SonameReader* soname_reader = nullptr;
  /// The versions toolkit headers declare are taken from (and stored in) this cache while
  /// the headers are unchanged (`cuda_runtime_api.h` alone is 600 KB); nullptr reads them.
  io::FileFactsCache* file_cache = nullptr;
};

struct CudaLibraryScan {
  std::vector<facts::CudaLibrary> libraries;
  std::vector<std::string> problems;  // unreadable cache/folders, conflicting versions
};

/// Probe order (each file reported once, by realpath; first finder wins):
/// 1. wheels: every `nvidia-*` distribution of `inventory` that ships a tracked library.
///    Its files come from RECORD when `record_libraries` is set (doctor's full scan), else
///    from the layouts `<site>/nvidia/<pkg>/lib/` (cu11/cu12) and `<site>/nvidia/cu13/lib/`
///    (CUDA 13; cuDNN and NCCL keep `nvidia/cudnn/lib`, `nvidia/nccl/lib`);
/// 2. CUDA toolkit folders: `<cuda>/lib64`, `<cuda>/lib`, `<cuda>/targets/*/lib`;
/// 3. `LD_LIBRARY_PATH` folders;
/// 4. the folders of tracked sonames in `/etc/ld.so.cache` (parsed here, ldconfig is never
///    run); without a readable cache, the folders of `/etc/ld.so.conf` (with `include`s) and
///    the trusted folders `/lib64`, `/usr/lib64`, `/lib`, `/usr/lib`.
///
/// Versions, most precise first, all kept in `CudaLibrary::versions`: the owning wheel's
/// version (`nvidia_cudnn_cu12-9.1.0.70.dist-info`); the toolkit's headers
/// (`<cuda>/include/cudnn_version.h`, `cuda_runtime_api.h`, `nccl.h`, `cublas_api.h`, ...,
/// and `/usr/include` for libraries found through ld.so) when their major matches the
/// file; the toolkit's `version.json`; a toolkit `dist-info/` folder (toolkits assembled from
/// wheels); the real file name (`libcudart.so.12.4.127`); the ELF DT_SONAME (major only);
/// the file name's major (`libcudnn.so.9`). `version` is the most precise of them.
[[nodiscard]] CudaLibraryScan find_cuda_libraries(const facts::Inventory& inventory,
                                                  const io::FileSystem& fs,
                                                  const CudaLibOptions& options = {});

}  // namespace mlstack::cudalibs
