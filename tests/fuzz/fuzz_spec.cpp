// SPDX-License-Identifier: MIT
// libFuzzer target: a spec (`mlstack.toml`) as `mlstack plan` reads it: the TOML text check,
// toml++, the spec reader, and, for a spec that parses, the planner over the embedded KB and
// both renderings.
#include "mlstack/plan/plan.hpp"
#include "mlstack/spec/spec.hpp"

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const mlstack::kb::Kb kb = mlstack::kb::load_kb({}).value();
  const std::string_view text = mlstack::fuzz::as_text(data, size);
  const auto spec = mlstack::spec::parse_spec("fuzz.toml", text);
  if (!spec) {
    (void)mlstack::render(spec.error());
    return 0;
  }
  const mlstack::plan::Plan plan = mlstack::plan::make_plan(*spec, kb);
  (void)mlstack::plan::render_text(plan, mlstack::plan::Resolution{false, "-", {}});
  (void)mlstack::plan::render_json(plan, mlstack::plan::Resolution{false, "-", {}});
  (void)mlstack::plan::resolve_inputs(plan);
  return 0;
}
