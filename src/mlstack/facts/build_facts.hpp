// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/gpu_facts.hpp"

#include <string>
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

/// A framework's build as read from its files (never imported).
struct FrameworkBuild {
  std::string name;          // `torch`, `tensorflow`, `jax`, `onnxruntime`, `cupy`
  std::string distribution;  // the distribution it was read from (`tensorflow-cpu`, `jaxlib`, ...)
  std::string version;
  Sourced cuda;   // CUDA toolkit/runtime it was built for (`12.4`), empty: unknown/none
  Sourced cudnn;  // cuDNN (`9.1.0.70`, `8`), empty: unknown
  Sourced nccl;
  bool gpu_build = false;
  std::vector<std::string> archs;          // `sm_80`, `compute_90` as the build lists them
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
};

struct BuildFacts {
  std::vector<FrameworkBuild> frameworks;
  std::vector<CudaLibrary> cuda_libraries;
  // False when only the inspected site folders were searched (`--site`): a library missing
  // from `cuda_libraries` may then still be on the system.
  bool system_searched = true;
  std::vector<std::string> problems;  // unreadable caches/files met while gathering
};

}  // namespace mlstack::facts
