// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>

#include "mlstack/cli/exit_code.hpp"
#include "mlstack/cli/target.hpp"
#include "mlstack/report/report.hpp"

namespace mlstack::cli {

struct CheckOptions {
  TargetOptions target;
};

struct DoctorOptions {
  TargetOptions target;
  bool json = false;
  report::Color color = report::Color::never;
  std::string output;
};

/// `mlstack check`: pip check's lines on `out`, its warnings on `err`, its exit code.
[[nodiscard]] ExitCode run_check(const CheckOptions& options, std::ostream& out,
                                 std::ostream& err);

/// `mlstack doctor`: the report on `out` (terminal text or JSON).
[[nodiscard]] ExitCode run_doctor(const DoctorOptions& options, std::ostream& out,
                                  std::ostream& err);

}  // namespace mlstack::cli
