// SPDX-License-Identifier: MIT
#include "mlstack/facts/probe_facts_json.hpp"

#include <nlohmann/json.hpp>

#include "mlstack/facts/detail/json_values.hpp"

#include <cmath>

namespace mlstack::facts {
namespace {

using nlohmann::ordered_json;
using detail::string_or_null;

// Seconds to the millisecond: enough for import times, and stable to read.
double seconds(double s) { return std::round(s * 1000.0) / 1000.0; }

ordered_json lists(const std::map<std::string, std::vector<std::string>>& by_framework) {
  ordered_json out = ordered_json::object();
  for (const auto& entry : by_framework) {
    out[entry.first] = entry.second;
  }
  return out;
}

ordered_json import_json(const ProbeImport& i) {
  return ordered_json{{"framework", i.framework},
                      {"status", i.status},
                      {"import_s", seconds(i.import_s)},
                      {"version", string_or_null(i.version)},
                      {"error", string_or_null(i.error)},
                      {"mapped_new", i.mapped_new}};
}

ordered_json result_json(const ProbeResult& r) {
  ordered_json imports = ordered_json::array();
  for (const ProbeImport& i : r.imports) {
    imports.push_back(import_json(i));
  }
  ordered_json versions = ordered_json::object();
  for (const auto& entry : r.versions) {
    versions[entry.first] = entry.second;
  }
  ordered_json signal_number = nullptr;
  if (r.signal != 0) {
    signal_number = r.signal;
  }
  return ordered_json{{"order", r.order},
                      {"status", r.status},
                      {"exit_code", r.exit_code},
                      {"signal", string_or_null(r.signal_name)},
                      {"signal_number", signal_number},
                      {"wall_s", seconds(r.wall_s)},
                      {"cpu_s", seconds(r.cpu_s)},
                      {"versions", versions},
                      {"devices", lists(r.devices)},
                      {"backends", lists(r.backends)},
                      {"imports", imports},
                      {"baseline", r.baseline},
                      {"mapped", r.mapped},
                      {"mapped_by_devices", r.mapped_by_devices},
                      {"error", string_or_null(r.error)},
                      {"stderr_tail", string_or_null(r.stderr_tail)},
                      {"output_truncated", r.output_truncated},
                      {"notes", r.notes}};
}

}  // namespace

ordered_json probes_to_json(const ProbeFacts& facts) {
  ordered_json results = ordered_json::array();
  for (const ProbeResult& r : facts.probes) {
    results.push_back(result_json(r));
  }
  return ordered_json{{"python", string_or_null(facts.python)},
                      {"timeout_s", facts.timeout_s},
                      {"jobs", facts.jobs},
                      {"gpu", facts.gpu},
                      {"environment", facts.environment},
                      {"wall_s", seconds(facts.wall_s)},
                      {"cpu_s", seconds(facts.cpu_s)},
                      {"results", results}};
}

}  // namespace mlstack::facts
