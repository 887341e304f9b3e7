// SPDX-License-Identifier: MIT
#include "mlstack/cli/commands.hpp"

#include <optional>
#include <ostream>

#include <fmt/format.h>

#include "mlstack/pep440/version.hpp"
#include "mlstack/pep508/marker_environment.hpp"
#include "mlstack/rules/package_findings.hpp"
#include "mlstack/rules/pip_check.hpp"
#include "mlstack/tags/supported_tags.hpp"
#include "mlstack/version.hpp"

namespace mlstack::cli {
namespace {

void print_error(std::ostream& err, const Error& e) {
  err << "mlstack: error: " << render(e) << '\n';
}

std::optional<tags::SupportedTags> supported_tags(const facts::PythonFacts& py,
                                                  std::ostream& err) {
  auto tags = tags::SupportedTags::from_facts(py.tags);
  if (!tags) {
    err << "WARNING: platform check skipped: " << render(tags.error()) << '\n';
    return std::nullopt;
  }
  return std::move(*tags);
}

std::vector<report::DistRow> dist_rows(const rules::PackageSet& set,
                                       const facts::Inventory& inventory) {
  std::vector<report::DistRow> rows;
  rows.reserve(inventory.dists.size());
  for (const facts::InstalledDist& d : inventory.dists) {
    report::DistRow row;
    row.name = d.canonical_name;
    row.location = d.location;
    row.installer = d.installer;
    if (const rules::CheckedDist* c = set.find(d.canonical_name); c != nullptr && c->dist == &d) {
      row.version = c->version.to_string();
      for (const auto& r : c->requirements) {
        row.requires_dist.push_back(r.to_string());
      }
    } else {
      row.version = d.version_text.value_or("");
      row.requires_dist = d.requires_dist;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

ExitCode run_check(const CheckOptions& options, std::ostream& out, std::ostream& err) {
  auto target = load_target(options.target, pyenv::ScanDepth::pip_check);
  if (!target) {
    print_error(err, target.error());
    return ExitCode::usage_error;
  }
  const pep508::MarkerEnvironment env(target->python.markers);
  const auto supported = supported_tags(target->python, err);
  const rules::PackageSet set = rules::build_package_set(target->inventory, env);
  const rules::PipCheckResult result =
      rules::pip_check(set, target->inventory, supported ? &*supported : nullptr);
  for (const std::string& w : rules::pip_check_warnings(set, target->inventory)) {
    err << "WARNING: " << w << '\n';
  }
  std::string buffer;
  for (const std::string& line : rules::pip_check_lines(set, result)) {
    buffer += line;
    buffer += '\n';
  }
  out << buffer;
  if (const auto crash = rules::pip_crash(set, result)) {
    // pip stops here with a traceback and exit status 2; so does its drop-in.
    err << fmt::format("mlstack: error: pip check cannot check this environment: {}\n"
                       "hint: `mlstack doctor` reports every problem\n",
                       *crash);
    return ExitCode::usage_error;
  }
  return result.healthy(set) ? ExitCode::healthy : ExitCode::problems_found;
}

ExitCode run_doctor(const DoctorOptions& options, std::ostream& out, std::ostream& err) {
  auto target = load_target(options.target, pyenv::ScanDepth::full);
  if (!target) {
    print_error(err, target.error());
    return ExitCode::usage_error;
  }
  const pep508::MarkerEnvironment env(target->python.markers);
  const auto supported = supported_tags(target->python, err);
  const rules::PackageSet set = rules::build_package_set(target->inventory, env);
  const rules::PipCheckResult pip =
      rules::pip_check(set, target->inventory, supported ? &*supported : nullptr);

  report::Report rep;
  rep.mlstack_version = std::string(k_version);
  rep.distributions = dist_rows(set, target->inventory);
  rep.findings = rules::package_findings(
      rules::PackageContext{target->python, target->inventory, env, set, pip});
  rep.python = std::move(target->python);
  if (options.json) {
    report::render_json(rep, out);
  } else {
    report::render_text(rep, out, options.color);
  }
  return rules::count(rep.findings).errors > 0 ? ExitCode::problems_found : ExitCode::healthy;
}

}  // namespace mlstack::cli
