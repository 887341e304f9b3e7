// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/pep508/marker_environment.hpp"
#include "mlstack/rules/finding.hpp"
#include "mlstack/rules/pip_check.hpp"

namespace mlstack::rules {

/// Everything `doctor` needs to judge the packages of one environment.
struct PackageContext {
  const facts::PythonFacts& python;
  const facts::Inventory& inventory;
  const pep508::MarkerEnvironment& env;
  const PackageSet& set;
  const PipCheckResult& pip;
};

/// The PKG-* findings (docs/rules.md): pip's own problems plus extras, duplicates,
/// Requires-Python, file clashes and bad metadata. Deterministic order: by id, then subject.
[[nodiscard]] std::vector<Finding> package_findings(const PackageContext& ctx);

}  // namespace mlstack::rules
