// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "mlstack/facts/build_facts.hpp"
#include "mlstack/facts/loader_facts.hpp"
#include "mlstack/rules/finding.hpp"

/// LOAD-LIB-CUDA-MAJOR (docs/rules.md): in some import order, a file name a GPU build asks for
/// (`libcusparse.so.12`) is served by a copy built for another CUDA major than the build's,
/// where the wheel-first answer (`FrameworkBuild::libraries`, FW-LIB-CUDA-MISMATCH) named a
/// copy of the build's own major. Pure.
namespace mlstack::rules {

/// The CUDA major a mapped copy is built for: its wheel's name (`nvidia-cusparse-cu12` → 12),
/// else its folder (`nvidia/cu13/lib`, `/usr/local/cuda-13.0/`); empty when neither tells.
[[nodiscard]] std::string mapped_cuda_major(const facts::MappedLibrary& m);

[[nodiscard]] std::vector<Finding> cuda_major_findings(const facts::LoaderFacts& loader,
                                                       const facts::BuildFacts& builds);

}  // namespace mlstack::rules
