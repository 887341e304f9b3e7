// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "mlstack/facts/build_facts.hpp"
#include "mlstack/facts/gpu_facts.hpp"
#include "mlstack/rules/finding.hpp"

namespace mlstack::rules {

/// Problems met while gathering the GPU and framework facts, as findings (docs/rules.md):
/// GPU-PROBE (NVML errors, a driver/library version mismatch, unreadable driver files) and
/// FW-BUILD-UNREADABLE (a framework's build files that could not be read or disagree).
[[nodiscard]] std::vector<Finding> fact_findings(const facts::GpuFacts& gpu,
                                                 const facts::BuildFacts& builds);

}  // namespace mlstack::rules
