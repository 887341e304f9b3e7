// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/build_facts.hpp"

#include <functional>
#include <string>

namespace mlstack::cudalibs {

/// Fills `FrameworkBuild::libraries` of every GPU framework build in `builds`: for cudart,
/// cuBLAS, cuDNN and NCCL of the majors the build needs (cudart/cuBLAS: its CUDA major;
/// cuDNN/NCCL: the major of its `cudnn`/`nccl` when known), the file it will use, in the order
/// the frameworks search (docs/frameworks.md, "Which library a framework loads"):
/// 1. linked into the framework's binary (`FrameworkBuild::static_libraries`);
/// 2. bundled in the framework's own folder (`bundled_libraries`, torch/lib);
/// 3. an `nvidia-*` wheel's copy (`BuildFacts::cuda_libraries` with origin `wheel`), the one in
///    the framework's own site folder first: whichever wheel's copy is on disk, with that
///    wheel's version and CUDA major (`nvidia-cudnn-cu12` → 12);
/// 4. a system copy, in the cudalibs probe order;
/// else `missing`. Then `users` lists every framework resolving to the same file, and `fix`
/// is set where a use is wrong (a copy built for another CUDA major, or older than the build
/// needs): one command sequence that serves all users of the file, or, when no single copy
/// can (users of two CUDA majors), the move to one CUDA major.
///
/// This is the wheel-first model of the frameworks' own loaders (torch's preload of
/// `nvidia/*/lib`, TensorFlow's and JAX's RPATHs into the wheels); the full ld.so emulation
/// per import order is the loader module's job.
///
/// `build_for_cuda`, when given, names the build of a framework for another CUDA major
/// (`torch==2.13.* (cu126, https://download.pytorch.org/whl/cu126)`; empty: unknown) for the
/// fixes that move a framework to one CUDA major; doctor answers it from the knowledge base.
using BuildForCuda =
    std::function<std::string(const facts::FrameworkBuild& build, const std::string& cuda_major)>;
void resolve_library_uses(facts::BuildFacts& builds, const BuildForCuda& build_for_cuda = {});

}  // namespace mlstack::cudalibs
