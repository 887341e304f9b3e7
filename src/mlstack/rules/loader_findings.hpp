// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mlstack/facts/build_facts.hpp"
#include "mlstack/facts/loader_facts.hpp"
#include "mlstack/rules/finding.hpp"

/// Findings about what the dynamic loader would map per import order (docs/rules.md, LOAD-*):
/// pure functions of the loader's prediction (facts::LoaderFacts) and the framework builds.
namespace mlstack::rules {

/// `import torch; import tensorflow`: an import order as a user types it.
[[nodiscard]] std::string import_order_text(const std::vector<std::string>& order);

/// Import orders as a finding names them: `` `import torch`, `import torch; import jax` ``, or
/// `every import order with tensorflow` when they are all the scenarios of `loader` that
/// import it (`every import order` when all are).
[[nodiscard]] std::string import_orders_text(const std::vector<std::vector<std::string>>& orders,
                                             const facts::LoaderFacts& loader);

/// How docs and findings name a tracked library: `cudnn` → `cuDNN`, `libstdcxx` → `libstdc++`.
[[nodiscard]] std::string library_title(std::string_view library);

/// LOAD-LIB-TOO-OLD (a framework would use a cuDNN, cuBLAS or NCCL older than it was built
/// for, or of another major, in some import order), LOAD-LIB-DUPLICATE (two files of one
/// library in one process), LOAD-SYMBOL-VERSION (a needed symbol version missing),
/// LOAD-LD-LIBRARY-PATH (a folder of `LD_LIBRARY_PATH` shadows a wheel's copy) and
/// LOAD-LIB-NOT-FOUND (a library an import order needs is not found) and LOAD-INCOMPLETE
/// (what the emulation could not follow). Each names the file and the
/// import orders it concerns; one finding per problem, however many orders show it.
[[nodiscard]] std::vector<Finding> loader_findings(const facts::LoaderFacts& loader,
                                                   const facts::BuildFacts& builds);

}  // namespace mlstack::rules
