// SPDX-License-Identifier: MIT
#include "mlstack/report/report.hpp"

#include <map>
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mlstack/facts/build_facts_json.hpp"
#include "mlstack/facts/gpu_facts_json.hpp"
#include "mlstack/facts/loader_facts_json.hpp"
#include "mlstack/facts/probe_facts_json.hpp"

namespace mlstack::report {
namespace {

nlohmann::ordered_json finding_json(const rules::Finding& f) {
  using nlohmann::ordered_json;
  return ordered_json{{"id", f.id},
                      {"severity", std::string(rules::to_string(f.severity))},
                      {"title", f.title},
                      {"subjects", f.subjects},
                      {"evidence", f.evidence},
                      {"why", f.why.empty() ? ordered_json(nullptr) : ordered_json(f.why)},
                      {"fix", f.fix.empty() ? ordered_json(nullptr) : ordered_json(f.fix)}};
}

}  // namespace

void render_json(const Report& report, std::ostream& out) {
  using nlohmann::ordered_json;
  const auto or_null = [](const std::string& s) {
    return s.empty() ? ordered_json(nullptr) : ordered_json(s);
  };
  ordered_json j;
  j["schema"] = k_doctor_schema;
  j["mlstack_version"] = report.mlstack_version;
  const facts::PythonFacts& py = report.python;
  const bool interpreter = !py.executable.empty() && report.root_kind.empty();
  if (!report.root_kind.empty()) {
    j["root"] = {{"kind", report.root_kind},
                 {"path", report.root_path},
                 {"python_version_evidence", or_null(report.python_version_evidence)}};
  }
  j["python"] = {{"executable", or_null(py.executable)},
                 {"version", py.version},
                 {"version_source", interpreter || report.python_version_source.empty()
                                        ? "interpreter"
                                        : report.python_version_source},
                 {"prefix", or_null(py.prefix)},
                 {"in_virtualenv", !py.executable.empty() ? ordered_json(py.in_virtualenv)
                                                          : ordered_json()},
                 {"markers", py.markers},
                 {"site_dirs", py.site_dirs},
                 {"sys_path", py.sys_path}};
  if (report.system) {
    const facts::SystemFacts& sys = *report.system;
    j["system"] = {{"os", or_null(sys.os_name)},
                   {"os_id", or_null(sys.os_id)},
                   {"os_version_id", or_null(sys.os_version_id)},
                   {"os_source", or_null(sys.os_source)},
                   {"glibc", or_null(sys.glibc_version)}};
  } else {
    j["system"] = nullptr;
  }
  ordered_json dists = ordered_json::array();
  for (const DistRow& d : report.distributions) {
    dists.push_back({{"name", d.name},
                     {"version", or_null(d.version)},
                     {"location", d.location},
                     {"installer", or_null(d.installer)},
                     {"requires", d.requires_dist}});
  }
  j["distributions"] = std::move(dists);
  if (report.gpu) {
    j["gpu"] = facts::gpu_facts_to_json(*report.gpu);
  }
  if (report.builds) {
    j["frameworks"] = facts::frameworks_to_json(*report.builds);
    j["cuda_libraries"] = facts::cuda_libraries_to_json(*report.builds);
  }
  if (report.loader) {
    j["loader"] = facts::loader_facts_to_json(*report.loader);
  }
  if (report.probes) {
    j["probes"] = facts::probes_to_json(*report.probes);
  }
  ordered_json findings = ordered_json::array();
  for (const rules::Finding& f : report.findings) {
    findings.push_back(finding_json(f));
  }
  j["findings"] = std::move(findings);
  const rules::FindingCounts c = rules::count(report.findings);
  j["summary"] = {{"errors", c.errors}, {"warnings", c.warnings}, {"infos", c.infos}};
  out << j.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace mlstack::report
