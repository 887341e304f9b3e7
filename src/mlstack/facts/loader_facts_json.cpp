// SPDX-License-Identifier: MIT
#include "mlstack/facts/loader_facts_json.hpp"

#include <nlohmann/json.hpp>

#include "mlstack/facts/detail/json_values.hpp"

namespace mlstack::facts {
namespace {

using nlohmann::ordered_json;
using detail::sourced;
using detail::string_or_null;

ordered_json library(const MappedLibrary& m) {
  return ordered_json{{"library", string_or_null(m.library)},
                      {"path", m.path},
                      {"real_path", string_or_null(m.real_path)},
                      {"soname", string_or_null(m.soname)},
                      {"version", sourced(m.version)},
                      {"origin", string_or_null(m.origin)},
                      {"package", string_or_null(m.package)},
                      {"rule", string_or_null(m.rule)},
                      {"why", string_or_null(m.why)},
                      {"loaded_by", string_or_null(m.loaded_by)},
                      {"when", m.when}};
}

ordered_json scenario(const LoadScenario& s) {
  ordered_json libraries = ordered_json::array();
  for (const MappedLibrary& m : s.libraries) {
    libraries.push_back(library(m));
  }
  ordered_json versions = ordered_json::array();
  for (const MissingSymbolVersion& v : s.missing_versions) {
    versions.push_back({{"object", v.object},
                        {"file", v.file},
                        {"provider", string_or_null(v.provider)},
                        {"version", v.version},
                        {"weak", v.weak}});
  }
  return ordered_json{{"order", s.order},
                      {"libraries", std::move(libraries)},
                      {"missing", s.missing},
                      {"missing_versions", std::move(versions)},
                      {"problems", s.problems}};
}

}  // namespace

ordered_json loader_facts_to_json(const LoaderFacts& facts) {
  ordered_json scenarios = ordered_json::array();
  for (const LoadScenario& s : facts.scenarios) {
    scenarios.push_back(scenario(s));
  }
  ordered_json code = ordered_json::array();
  for (const GpuCode& c : facts.gpu_code) {
    code.push_back({{"path", c.path},
                    {"sass", c.sass},
                    {"ptx", c.ptx},
                    {"sass_entries", c.sass_entries},
                    {"ptx_entries", c.ptx_entries}});
  }
  return ordered_json{{"emulated", facts.emulated},
                      {"skipped", string_or_null(facts.skipped)},
                      {"settings",
                       {{"interpreter", string_or_null(facts.interpreter)},
                        {"ld_library_path", string_or_null(facts.ld_library_path)},
                        {"cache", string_or_null(facts.cache)},
                        {"default_dirs", facts.default_dirs}}},
                      {"scenarios", std::move(scenarios)},
                      {"gpu_code", std::move(code)},
                      {"problems", facts.problems}};
}

}  // namespace mlstack::facts
