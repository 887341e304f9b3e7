// SPDX-License-Identifier: MIT
#include "mlstack/cli/compare_command.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/compare/report.hpp"
#include "mlstack/tensors/reader.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <ostream>

namespace mlstack::cli {

CLI::App* add_compare_command(CLI::App& app, CompareOptions& options) {
  auto* cmd = app.add_subcommand(
      "compare", "compare the tensors of two files or ONNX test data sets (.npy, .npz, "
                 ".safetensors, ONNX .pb) with numpy's, torch's or Polygraphy's tolerances");
  cmd->add_option("a", options.a, "the file under test")->required();
  cmd->add_option("b", options.b, "the reference (relative errors are relative to it)")
      ->required();
  cmd->add_flag("--json", options.json, "print the mlstack.compare/1 JSON document");
  cmd->add_option("--map", options.maps, "pair tensor A of the first with B of the second (A=B, "
                                         "repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--rtol", options.rtol,
                  "relative tolerance, [NAME:]VALUE (repeatable): without NAME for every tensor, "
                  "with it for the first file's tensor NAME (its name in A, also under --map); "
                  "default: the rule's")
      ->allow_extra_args(false);
  cmd->add_option("--atol", options.atol,
                  "absolute tolerance, [NAME:]VALUE (repeatable, as --rtol); default: the rule's")
      ->allow_extra_args(false);
  cmd->add_flag("--equal-nan", options.equal_nan, "NaN equals NaN (every tensor)");
  cmd->add_option("--semantics", options.semantics,
                  "numpy (default: isclose/allclose), torch (assert_close, dtype defaults) or "
                  "polygraphy (elemwise)")
      ->check(CLI::IsMember({"numpy", "torch", "polygraphy"}));
  return cmd;
}

ExitCode run_compare(const CompareOptions& options, std::ostream& out, std::ostream& err) {
  auto fail = [&](const Error& e) {
    err << "mlstack: error: " << text::escape_controls(render(e)) << '\n';
    return ExitCode::usage_error;
  };
  std::vector<std::pair<std::string, std::string>> map;
  for (const auto& m : options.maps) {
    const auto eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
      return fail(make_error(ErrorCode::parse,
                             fmt::format("expected `--map A=B`, found `{}`", m)));
    }
    map.emplace_back(m.substr(0, eq), m.substr(eq + 1));
  }
  auto a = tensors::read_tensors(options.a);
  if (!a) {
    return fail(a.error());
  }
  auto b = tensors::read_tensors(options.b);
  if (!b) {
    return fail(b.error());
  }
  auto pairing = compare::pair_tensors(*a, *b, map);
  if (!pairing) {
    return fail(pairing.error());
  }
  compare::Options o;
  o.semantics = options.semantics == "torch"        ? compare::Semantics::torch
                : options.semantics == "polygraphy" ? compare::Semantics::polygraphy
                                                    : compare::Semantics::numpy;
  const auto overrides = compare::resolve_tolerances(
      {options.rtol, options.atol, options.equal_nan}, o.semantics, *a, *b, *pairing);
  if (!overrides) {
    return fail(overrides.error());
  }
  const auto result = compare::compare_files(*a, *b, *pairing, o, *overrides);
  out << (options.json ? compare::render_json(result) : compare::render_text(result));
  return result.agree() ? ExitCode::healthy : ExitCode::problems_found;
}

}  // namespace mlstack::cli
