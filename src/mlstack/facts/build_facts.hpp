// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/gpu_facts.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mlstack::facts {

/// One CUDA user-space library found on the machine or in a wheel.
struct CudaLibrary {
  std::string name;     // `cudart`, `cublas`, `cudnn`, `nccl`, `nvjitlink`, `cufft`, `cusparse`
  std::string version;  // as precise as the source allows: `12.4.127`, `9`, `2.28.9`
  std::string
      version_source;  // `nvidia_cudnn_cu12-9.1.0.70.dist-info`, `soname`, `cudnn_version.h`
  std::string path;
  std::string origin;   // `system` or `wheel`
  std::string package;  // owning distribution for wheels (`nvidia-cudnn-cu12`), else empty
  // Added by cudalibs:
  std::string soname;             // DT_SONAME of the file (`libcudnn.so.9`); empty when unreadable
  std::string found_via;          // `cuda-root`, `ld.so.cache`, `ld.so.conf`, `LD_LIBRARY_PATH`,
                                  // `wheel-record`, `wheel-layout`, `bundled`
  std::vector<Sourced> versions;  // every version read for this file, most precise first
};

/// One `nvidia-*` / `cuda-toolkit` requirement of a framework's distribution.
struct CudaPin {
  std::string requirement;  // as written: `nvidia-cudnn-cu12==9.1.0.70; sys_platform == "linux"`
  std::string package;      // canonical name: `nvidia-cudnn-cu12`, `cuda-toolkit`
  std::string library;      // `cudnn`, `nccl`, `cudart`, ...; empty when not a tracked library
  std::string specifier;    // `==9.1.0.70`, `>=9.8,<10.0`
  std::string version;      // the exact pin (`9.1.0.70`); empty for a range
  std::string extra;        // `and-cuda`, `with-cuda`; empty when always required
  std::vector<std::string> extras;  // the requirement's own extras (`cuda-toolkit[cublas,...]`)
};

/// The CUDA device code compiled into one shared object: its fatbin index, read from the
/// binary (`.nv_fatbin`), as `cuobjdump --list-elf` / `--list-ptx` would list it.
struct GpuCode {
  std::string path;
  std::vector<std::string> sass;  // machine code: `sm_80`, `sm_90a`, sorted, unique
  std::vector<std::string> ptx;   // PTX the driver can JIT-compile: `compute_90`
  std::size_t sass_entries = 0;   // cubins (one per compilation unit and arch)
  std::size_t ptx_entries = 0;
};

/// A CUDA library a framework will load or carries inside its own binary, as mlstack resolves
/// it (docs/frameworks.md, "Which library a framework loads"): linked statically, bundled in
/// the framework's folder, an `nvidia-*` wheel's copy, or a system copy; `missing` when none.
struct LibraryUse {
  std::string library;      // `cudnn`, `nccl`, `cudart`, `cublas`
  std::string major;        // the soname major it needs (`9` for libcudnn.so.9); may be empty
  Sourced need;             // the version the build needs (`9.26.0.51`, `9`), with its source
  // The framework binary that names this library in DT_NEEDED (`libcurand.so.10`), empty when
  // it is loaded with dlopen: without a linked library that binary does not load at all.
  std::string linked_by;
  std::string soname;       // the file name it loads: `libcurand.so.10`, `libcudnn.so.9`
  std::string how;          // `static`, `bundled`, `wheel`, `system`, `missing`
  std::string path;         // the file; for `static`, the framework binary that contains it
  Sourced version;          // that file's version, with its source
  std::string package;      // the distribution whose copy is on disk (wheels)
  Sourced cuda_major;       // the CUDA major that copy is built for (`12`), when known
  // Every framework that resolves to the same file, as `torch 2.15.0 (CUDA 13)`, this one
  // included, in framework order.
  std::vector<std::string> users;
  // One fix that serves every user of the file (empty when nothing is wrong or no single
  // command can): see docs/rules.md FW-LIB-CUDA-MISMATCH.
  std::string fix;
};

/// A framework's build as read from its files (never imported).
struct FrameworkBuild {
  std::string name;          // `torch`, `tensorflow`, `jax`, `onnxruntime`, `cupy`
  std::string distribution;  // the distribution it was read from (`tensorflow-cpu`, `jaxlib`, ...)
  // Every installed distribution of the framework: `distribution` first, then the others its
  // build was read from (`jaxlib`, `jax-cuda13-pjrt`), then its Python front end (`jax`).
  std::vector<std::string> distributions;
  std::string version;
  std::string location;  // the site folder it is installed in (the distribution's location)
  Sourced cuda;   // CUDA toolkit/runtime it was built for (`12.4`), empty: unknown/none
  Sourced cudnn;  // cuDNN (`9.1.0.70`, `8`), empty: unknown
  Sourced nccl;
  bool gpu_build = false;
  // The compiled architectures the GPU rules judge: SASS `sm_XY` and PTX `compute_XY`, read
  // from the framework's main GPU binary when it is present (`archs_source` names it), else
  // from its build files (TensorFlow's build_info.py), else empty (unknown).
  std::vector<std::string> archs;
  std::vector<std::string> evidence;       // files read
  std::vector<std::string> cuda_packages;  // nvidia-*/cuda-toolkit requirements it pins
  // Added by frameworks:
  Sourced rocm;                        // ROCm/HIP version for ROCm builds (`6.2`), else empty
  std::string variant;                 // local version label or build flavour: `cu121`, `cpu`
  std::vector<CudaPin> cuda_pins;      // the requirements behind `cuda_packages`, parsed
  std::vector<std::string> providers;  // ORT execution-provider libraries present (`cuda`)
  // CUDA libraries shipped inside the framework's own folder (torch/lib of bundled wheels);
  // the doctor adds them to BuildFacts::cuda_libraries.
  std::vector<CudaLibrary> bundled_libraries;
  std::vector<std::string> problems;   // inconsistencies and unreadable files, one sentence each
  // `torch/lib/libtorch_cuda.so (fatbin)`, `build_info.py`; with `archs` empty, why there is
  // no list (CuPy compiles at run time)
  std::string archs_source;
  // The requirement that installs this build together with the CUDA wheels it loads, from its
  // own metadata: the extra whose requirements pin them (`tensorflow[and-cuda]==2.21.0`,
  // `jax-cuda13-plugin[with-cuda]==0.10.2`), or the distribution itself when it pins them
  // unconditionally (`torch==2.15.0`); empty when it pins none (system CUDA).
  std::string cuda_install;
  std::vector<GpuCode> gpu_code;       // every framework binary with device code that was read
  // The shared libraries the main GPU binary (`linked_by`) names in DT_NEEDED, as written
  // (`libcurand.so.10`): the dynamic loader refuses to load that binary without each of them.
  std::vector<std::string> linked;
  std::string linked_by;
  // cuDNN/NCCL linked into a framework binary, read from its read-only data (`origin` static).
  std::vector<CudaLibrary> static_libraries;
  std::vector<LibraryUse> libraries;   // added by cudalibs::resolve_library_uses
  // When none of `libraries` is usable (missing, or a copy built for another CUDA major): the
  // one fix that installs them without breaking the other frameworks (resolve_library_uses).
  std::string libraries_fix;
};

/// Whether `use` is a library the build loads at run time, not one linked into its binary.
[[nodiscard]] inline bool is_loaded(const LibraryUse& use) { return use.how != "static"; }

/// Whether the copy `use` resolves to is built for another CUDA major than `build` (as its
/// wheel's name, its version or its folder says; unknown counts as not).
[[nodiscard]] inline bool for_other_cuda(const LibraryUse& use, const FrameworkBuild& build) {
  const std::string_view cuda = build.cuda.value;
  return !use.cuda_major.value.empty() && use.cuda_major.value != cuda.substr(0, cuda.find('.'));
}

/// A copy the build can use: found, and not built for another CUDA major.
[[nodiscard]] inline bool usable(const LibraryUse& use, const FrameworkBuild& build) {
  return use.how != "missing" && !for_other_cuda(use, build);
}

struct BuildFacts {
  std::vector<FrameworkBuild> frameworks;
  std::vector<CudaLibrary> cuda_libraries;
  // False when only the inspected site folders were searched (`--site`): a library missing
  // from `cuda_libraries` may then still be on the system.
  bool system_searched = true;
  // What the CUDA library search could not read or trust, one sentence naming the file each
  // (FW-CUDA-LIBS-UNREADABLE): an unreadable cache or folder, a damaged library, a file
  // changed after install. The frameworks' own are in FrameworkBuild::problems.
  std::vector<std::string> problems;
  // Copies of the driver library `libcuda.so.1` from a cuda-compat package (CUDA forward
  // compatibility: `/usr/local/cuda-13.0/compat/libcuda.so.580.65.06`), version from the file
  // name. `found_via` `LD_LIBRARY_PATH` or `ld.so.cache`: the loader takes it ahead of the
  // driver's own; `cuda-root`: installed but not in the library path.
  std::vector<CudaLibrary> compat_libcuda;
};

}  // namespace mlstack::facts
