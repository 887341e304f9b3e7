// SPDX-License-Identifier: MIT
// libFuzzer target: `check --report FILE`: pip's installation report (nlohmann-json), then
// pip check's rules on the distributions it lists, in the report's own marker environment.
#include "mlstack/lockfile/pip_report.hpp"
#include "mlstack/pep508/marker_environment.hpp"
#include "mlstack/rules/pip_check.hpp"

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = mlstack::fuzz::as_text(data, size);
  auto set = mlstack::lockfile::read_pip_report(text, "report.json");
  if (!set) {
    (void)mlstack::render(set.error());
    return 0;
  }
  MLSTACK_FUZZ_CHECK(set->environment.has_value());
  const mlstack::pep508::MarkerEnvironment env(*set->environment);
  const auto packages = mlstack::rules::build_package_set(set->inventory, env);
  const auto result = mlstack::rules::pip_check(packages, set->inventory, nullptr);
  const auto lines = mlstack::rules::pip_check_lines(packages, result);
  // pip prints a line, or warns that it could not parse a distribution's requirements, or
  // stops with a traceback (a marker naming an unknown variable, such as `extras`).
  const auto warnings = mlstack::rules::pip_check_warnings(packages, set->inventory);
  MLSTACK_FUZZ_CHECK(!lines.empty() || !warnings.empty() ||
                     mlstack::rules::pip_crash(packages, result).has_value());
  return 0;
}
