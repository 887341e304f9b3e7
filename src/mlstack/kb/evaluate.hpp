// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/build_facts.hpp"
#include "mlstack/facts/gpu_facts.hpp"
#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/kb/kb.hpp"
#include "mlstack/rules/finding.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::kb {

/// Environment variables as the rules see them (`env("TF_FORCE_GPU_ALLOW_GROWTH")`).
using Environment = std::map<std::string, std::string, std::less<>>;

/// The facts the KB rules read. References only: the caller owns the facts.
struct KbInput {
  const facts::PythonFacts& python;
  const facts::Inventory& inventory;
  const facts::GpuFacts& gpu;
  const facts::BuildFacts& builds;
  // The environment the frameworks will run with (doctor's own); null: every variable unset.
  const Environment* environment = nullptr;
};

/// Runs every `[[rule]]` of `kb` over `input`: one finding per rule and binding whose `when`
/// is true, in KB order. Each finding's evidence lists the facts the rule read (value and
/// where it came from), the KB rows it looked up, and the rule's `source`.
///
/// **Example**
/// ```
/// // tensorflow 2.9.0 and protobuf 4.21.12 installed:
/// evaluate(kb, input)[0].id == "KB-PROTOBUF-TF-PB2"
/// ```
[[nodiscard]] std::vector<rules::Finding> evaluate(const Kb& kb, const KbInput& input);

/// The frameworks.toml build of `framework` for CUDA `cuda_major`, for fix texts:
/// `torch==2.13.* (cu126, https://download.pytorch.org/whl/cu126)`, the installed release's
/// variant when the KB has one, else the newest; empty when the KB has none.
[[nodiscard]] std::string build_for_cuda(const Kb& kb, std::string_view framework,
                                         std::string_view installed_version,
                                         std::string_view cuda_major);

}  // namespace mlstack::kb
