// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "mlstack/cli/doctor_output.hpp"
#include "mlstack/cli/exit_code.hpp"
#include "mlstack/cli/target.hpp"
#include "mlstack/pep508/marker_environment.hpp"
#include "mlstack/report/report.hpp"

namespace mlstack::tags {
class SupportedTags;
}

namespace mlstack::cli {

struct CheckOptions {
  TargetOptions target;
  std::string report_file;  // `--report FILE`: pip's installation report
  std::string lock_file;    // `--lock FILE`: a PEP 751 lock
};

enum class GpuProbe { automatic, skip };

struct DoctorOptions {
  TargetOptions target;
  std::vector<std::string> kb_files;  // `--kb FILE`, added to the embedded knowledge base
  std::string nvml_library;           // `--nvml-library PATH`
  GpuProbe gpu = GpuProbe::automatic;  // `--no-gpu`
  bool json = false;  // the report is for `--json` / `--format json` (its extra fields read)
  DoctorFormat format = DoctorFormat::text;  // `--format`
  std::optional<std::int64_t> started_s;    // when the run started (run_started_s)
  std::int64_t nfd_expiry_s = 600;          // `--expiry`, with `--format nfd`
  bool strict = false;  // `--strict`: warnings make the exit status 1 too
  bool healthcheck = false;        // `--healthcheck`: one status line (run_healthcheck)
  double healthcheck_timeout_s = 20;  // `--timeout`, with `--healthcheck`
  report::Color color = report::Color::never;
  std::size_t width = 100;  // the terminal's columns (text report)
  std::string output;
  std::string html;  // `--html FILE`: the HTML page too, written atomically (docs/html.md)
  // `--probe`: import probes in child processes (probe/, docs/probe.md).
  bool probe = false;
  bool probe_gpu = false;       // `--probe-gpu`: list devices even where that creates a context
  std::size_t probe_jobs = 0;   // `--probe-jobs N`; 0: the usable CPUs
  double probe_timeout_s = 120;  // each probe; `--probe-timeout` when given
};

/// `mlstack check`: pip check's lines on `out`, its warnings on `err`, its exit code.
[[nodiscard]] ExitCode run_check(const CheckOptions& options, std::ostream& out,
                                 std::ostream& err);

/// pip check's lines for `inventory` on `out`, its warnings on `err`, its exit code (the body
/// of `check`, shared by `check --report` and `check --lock`). `supported` null: no platform
/// check.
[[nodiscard]] ExitCode print_pip_check(const facts::Inventory& inventory,
                                       const pep508::MarkerEnvironment& env,
                                       const tags::SupportedTags* supported, std::ostream& out,
                                       std::ostream& err);

/// `mlstack check --report FILE` / `--lock FILE` (check_input.cpp, docs/check-inputs.md).
[[nodiscard]] ExitCode run_check_input(const CheckOptions& options, std::ostream& out,
                                       std::ostream& err);

/// `mlstack doctor`: the report on `out` (terminal text or JSON).
[[nodiscard]] ExitCode run_doctor(const DoctorOptions& options, std::ostream& out,
                                  std::ostream& err);

/// `mlstack doctor --healthcheck`: one line on `out`, `healthy` or `unhealthy: ID title
/// (+N more errors)` (report::health_status), exit 0 or 1; nothing on stderr. A target that
/// cannot be inspected is unhealthy too. Bounded by `options.healthcheck_timeout_s`: past it
/// the process prints `unhealthy: no answer within N s` and exits 1 (arm_healthcheck_deadline).
[[nodiscard]] ExitCode run_healthcheck(const DoctorOptions& options, std::ostream& out);

/// Arms a real-time timer: when `seconds` pass, the process writes `unhealthy: no answer
/// within N s` to stdout and exits 1 at once (from the signal handler: a hung NVML call or
/// file system cannot hold it). For `--healthcheck` only.
void arm_healthcheck_deadline(double seconds);

}  // namespace mlstack::cli
