// SPDX-License-Identifier: MIT
#include "mlstack/cli/plan_command.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "mlstack/base/text.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/kb/kb.hpp"
#include "mlstack/plan/plan.hpp"
#include "mlstack/resolve/resolver.hpp"
#include "mlstack/spec/spec.hpp"

namespace mlstack::cli {
namespace {

// A spec is a few dozen lines; the bound keeps a wrong path from reaching the TOML parser.
constexpr std::size_t k_max_spec_size = std::size_t{1} << 20U;

void print_error(std::ostream& err, const Error& e) {
  err << "mlstack: error: " << text::escape_controls(render(e)) << '\n';
}

// The resolver's message, its last lines (where uv and pip say why), at most 6 of them.
std::string last_lines(const std::string& message) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < message.size()) {
    std::size_t nl = message.find('\n', start);
    nl = nl == std::string::npos ? message.size() : nl;
    const std::size_t first = message.find_first_not_of(" \t\r", start);
    if (first < nl) {
      lines.push_back(message.substr(first, std::min<std::size_t>(nl - first, 300)));
    }
    start = nl + 1;
  }
  constexpr std::size_t k_keep = 6;
  std::string out;
  for (std::size_t i = lines.size() > k_keep ? lines.size() - k_keep : 0; i < lines.size(); ++i) {
    out += lines[i] + "\n";
  }
  return out;
}

// Each variant resolved by the `resolve` module (uv, else pip) with the plan's indexes and
// the user's, then the package checks on its set. The exit code: a collision the resolver
// found (no_plan) before problems in a set (problems_found) before a variant not resolved.
ExitCode resolve_variants(const plan::Plan& plan, const PlanOptions& options,
                          plan::Resolution& resolution) {
  bool collided = false;
  bool problems = false;
  bool unresolved = false;
  for (const plan::ResolveInput& input : plan::resolve_inputs(plan)) {
    plan::VariantResolution v;
    v.variant = input.variant;
    std::vector<std::string> requirements;
    for (const plan::Requirement& r : input.requirements) {
      requirements.push_back(r.text);
    }
    resolve::Target target;
    target.python_version = input.python_version;
    resolve::IndexOptions index;
    index.index_url = options.index_url;
    index.extra_index_urls = input.index_urls;
    index.extra_index_urls.insert(index.extra_index_urls.end(), options.extra_index_urls.begin(),
                                  options.extra_index_urls.end());
    index.find_links = options.find_links;
    index.no_index = options.no_index;
    const auto started = std::chrono::steady_clock::now();
    auto resolved = resolve::resolve(requirements, target, index);
    // The resolver's wall time, failed runs included (the plan's own overhead is the rest).
    v.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!resolved) {
      const resolve::Failure failure = resolve::failure_of(resolved.error());
      v.status = failure == resolve::Failure::no_solution
                     ? plan::VariantResolution::Status::no_solution
                     : plan::VariantResolution::Status::unresolved;
      v.message = std::string(resolve::to_string(failure)) + ": " +
                  last_lines(to_string(resolved.error()));
      (failure == resolve::Failure::no_solution ? collided : unresolved) = true;
      resolution.variants.push_back(std::move(v));
      continue;
    }
    v.tool = resolved->tool == resolve::Tool::uv ? "uv" : "pip";
    for (const facts::InstalledDist& d : resolved->resolved.inventory.dists) {
      v.packages.push_back(d.canonical_name + "==" + d.version_text.value_or("?"));
    }
    std::sort(v.packages.begin(), v.packages.end());
    auto check = resolve::check_resolution(*resolved, target);
    if (!check) {
      v.status = plan::VariantResolution::Status::unresolved;
      v.message = "the resolution could not be checked: " + to_string(check.error());
      unresolved = true;
    } else if (!check->healthy) {
      v.status = plan::VariantResolution::Status::problems;
      v.problems = check->lines;
      problems = true;
    } else {
      v.status = plan::VariantResolution::Status::resolved;
    }
    resolution.variants.push_back(std::move(v));
  }
  if (collided) {
    return ExitCode::no_plan;
  }
  if (problems) {
    return ExitCode::problems_found;
  }
  return unresolved ? ExitCode::not_resolved : ExitCode::healthy;
}

}  // namespace

std::optional<plan::Plan> read_spec_plan(const std::string& path, std::ostream& err,
                                         ExitCode& code) {
  // A directory or a FIFO is refused before reading (a FIFO would block).
  const io::RealFileSystem fs;
  io::FileStat st;
  io::IoStatus status = fs.stat(path, io::Follow::yes, st);
  if (status.ok() && st.kind == io::FileKind::directory) {
    status.kind = io::IoStatus::Kind::is_directory;
    status.errno_value = EISDIR;
  } else if (status.ok() && st.kind != io::FileKind::regular) {
    status.kind = io::IoStatus::Kind::not_regular;
  }
  std::string text;
  if (status.ok()) {
    status = fs.read_file(path, k_max_spec_size, text);
  }
  if (!status.ok()) {
    print_error(err, io::make_io_error(status, "read spec", path));
    code = ExitCode::usage_error;
    return std::nullopt;
  }
  auto spec = spec::parse_spec(path, text);
  if (!spec) {
    print_error(err, spec.error());
    code = ExitCode::usage_error;
    return std::nullopt;
  }
  auto kb = kb::load_kb({});
  if (!kb) {
    print_error(err, kb.error());
    code = ExitCode::internal_error;
    return std::nullopt;
  }
  return plan::make_plan(*spec, *kb);
}

ExitCode run_plan(const PlanOptions& options, std::ostream& out, std::ostream& err) {
  ExitCode read_code = ExitCode::healthy;
  const std::optional<plan::Plan> read = read_spec_plan(options.spec, err, read_code);
  if (!read) {
    return read_code;
  }
  const plan::Plan& plan = *read;
  plan::Resolution resolution;
  ExitCode code = ExitCode::healthy;
  if (!plan.ok()) {
    resolution.note = "there is no plan to resolve";
    code = ExitCode::no_plan;
  } else if (options.no_resolve) {
    resolution.note = "--no-resolve: the choice above is not checked against an index";
  } else {
    resolution.done = true;
    code = resolve_variants(plan, options, resolution);
  }
  out << (options.json ? plan::render_json(plan, resolution) : plan::render_text(plan, resolution));
  if (!plan.ok()) {
    err << "mlstack: error: no plan for " << text::escape_controls(options.spec) << ": "
        << plan.collisions.size() << " constraint collision"
        << (plan.collisions.size() == 1 ? "" : "s") << " (listed under `No plan`)\n";
  } else if (code != ExitCode::healthy) {
    std::size_t failed = 0;
    for (const plan::VariantResolution& v : resolution.variants) {
      failed += v.status != plan::VariantResolution::Status::resolved ? 1 : 0;
    }
    err << "mlstack: error: " << failed << " of " << resolution.variants.size()
        << " variants did not resolve cleanly (listed under `Resolution`)\n";
  }
  return code;
}

}  // namespace mlstack::cli
