// SPDX-License-Identifier: MIT
#include "mlstack/cli/plan_command.hpp"

#include <cerrno>
#include <ostream>
#include <string>

#include "mlstack/base/text.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/kb/kb.hpp"
#include "mlstack/plan/plan.hpp"
#include "mlstack/spec/spec.hpp"

namespace mlstack::cli {
namespace {

// A spec is a few dozen lines; the bound keeps a wrong path from reaching the TOML parser.
constexpr std::size_t k_max_spec_size = std::size_t{1} << 20U;

void print_error(std::ostream& err, const Error& e) {
  err << "mlstack: error: " << text::escape_controls(render(e)) << '\n';
}

}  // namespace

ExitCode run_plan(const PlanOptions& options, std::ostream& out, std::ostream& err) {
  const io::RealFileSystem fs;
  io::FileStat st;
  io::IoStatus status = fs.stat(options.spec, io::Follow::yes, st);
  if (status.ok() && st.kind == io::FileKind::directory) {
    status.kind = io::IoStatus::Kind::is_directory;
    status.errno_value = EISDIR;
  } else if (status.ok() && st.kind != io::FileKind::regular) {
    status.kind = io::IoStatus::Kind::not_regular;
  }
  std::string text;
  if (status.ok()) {
    status = fs.read_file(options.spec, k_max_spec_size, text);
  }
  if (!status.ok()) {
    print_error(err, io::make_io_error(status, "read spec", options.spec));
    return ExitCode::usage_error;
  }
  auto spec = spec::parse_spec(options.spec, text);
  if (!spec) {
    print_error(err, spec.error());
    return ExitCode::usage_error;
  }
  auto kb = kb::load_kb({});
  if (!kb) {
    print_error(err, kb.error());
    return ExitCode::internal_error;
  }
  const plan::Plan plan = plan::make_plan(*spec, *kb);
  // The resolver (`uv pip compile`) is wired in after the framework choice; until then every
  // run stops where `--no-resolve` does. `plan::resolve_inputs(plan)` is what it will take.
  std::string resolution = "not done: this build has no resolver step yet; the choice above is "
                           "not checked against an index";
  if (!plan.ok()) {
    resolution = "not done: there is no plan to resolve";
  } else if (options.no_resolve) {
    resolution = "not done (--no-resolve): the choice above is not checked against an index";
  }
  out << (options.json ? plan::render_json(plan, resolution) : plan::render_text(plan, resolution));
  if (!plan.ok()) {
    err << "mlstack: error: no plan for " << text::escape_controls(options.spec) << ": "
        << plan.collisions.size() << " constraint collision"
        << (plan.collisions.size() == 1 ? "" : "s") << " (listed under `No plan`)\n";
    return ExitCode::no_plan;
  }
  if (!options.no_resolve) {
    err << "mlstack: note: resolution not done: no resolver step in this build yet\n";
  }
  return ExitCode::healthy;
}

}  // namespace mlstack::cli
