// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "mlstack/facts/gpu_facts.hpp"
#include "mlstack/facts/loader_facts.hpp"
#include "mlstack/kb/kb.hpp"
#include "mlstack/rules/finding.hpp"

namespace mlstack::kb {

/// LOAD-ARCH-MISSING (docs/rules.md): the compute-capability check of GPU-ARCH-MISSING applied
/// to the CUDA libraries an import order will really map (cuDNN, cuBLAS, ...: their fatbin
/// index in `loader.gpu_code`), for every GPU: one finding per library file and GPU that
/// neither machine code nor PTX covers, naming the import orders that map it. A GPU's
/// capability is NVML's, else gpus.toml's for its name (`kb`).
[[nodiscard]] std::vector<rules::Finding> mapped_arch_findings(const Kb& kb,
                                                               const facts::LoaderFacts& loader,
                                                               const facts::GpuFacts& gpu);

}  // namespace mlstack::kb
