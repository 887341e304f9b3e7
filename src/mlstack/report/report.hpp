// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mlstack/facts/build_facts.hpp"
#include "mlstack/facts/gpu_facts.hpp"
#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/loader_facts.hpp"
#include "mlstack/facts/probe_facts.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/facts/system_facts.hpp"
#include "mlstack/rules/finding.hpp"

namespace mlstack::report {

inline constexpr const char* k_doctor_schema = "mlstack.doctor/2";

/// One row of the package inventory as reported.
struct DistRow {
  std::string name;     // canonical
  std::string version;  // normalized when valid, else as found
  std::string location;
  std::string installer;
  std::vector<std::string> requires_dist;  // Requires-Dist, normalized when parseable (JSON only)
  // The requirements pip checks (marker true with `extra == ""`), normalized; filled for the
  // HTML page's dependency paths only.
  std::vector<std::string> depends;
};

/// The doctor report: the data every renderer reads.
struct Report {
  std::string mlstack_version;
  facts::PythonFacts python;
  // Where `python.version` comes from: `interpreter`, or for `--site` `option`
  // (--python-version), `site_path` (`lib/python3.11/site-packages`) or `default`.
  std::string python_version_source = "interpreter";
  // `--root DIR` / `--image ARCHIVE`: what was inspected ("directory" or "image", and its
  // path) and the file the Python version was read from (`root_files`); paths in the report
  // are the root's own. Empty: this machine.
  std::string root_kind;
  std::string root_path;
  std::string python_version_evidence;
  std::optional<facts::SystemFacts> system;  // absent: unknown (`--site`)
  std::vector<DistRow> distributions;
  std::optional<facts::GpuFacts> gpu;        // absent: not gathered (`--site` without GPU)
  std::optional<facts::BuildFacts> builds;   // frameworks and CUDA libraries
  // What each import order would map (linkmap); absent: not emulated (`--site`).
  std::optional<facts::LoaderFacts> loader;
  std::optional<facts::ProbeFacts> probes;   // absent: `--probe` not given
  std::vector<rules::Finding> findings;
  // The ids of the checks this run evaluated (rules/checks.hpp, then the KB's rules), in
  // order; a finding's id may be missing here (a check added elsewhere): renderers add it.
  std::vector<std::string> checks;
};

enum class Color { never, always };

/// How the terminal report is laid out.
struct TextOptions {
  Color color = Color::never;
  // Lines are wrapped to this many columns (the terminal's width; 100 when not a terminal).
  std::size_t width = 100;
};

/// `mlstack.doctor/2` JSON (docs/doctor.schema.json), pretty-printed.
void render_json(const Report& report, std::ostream& out);

/// The terminal report: readable without colour; colour only adds emphasis. Text read from the
/// environment is escaped (text::escape_controls): it cannot drive the terminal. Findings
/// with the same id, subject and explanation are grouped; the `pip install` fixes are merged
/// into one command per interpreter at the end.
void render_text(const Report& report, std::ostream& out, const TextOptions& options);

}  // namespace mlstack::report
