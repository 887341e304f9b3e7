// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "mlstack/cli/exit_code.hpp"
#include "mlstack/cli/target.hpp"

namespace mlstack::cli {

struct RunOptions {
  TargetOptions target;             // `--python` (the environment whose frameworks are set up)
  std::vector<std::string> shares;  // `--share FW=FRACTION,...` (repeatable)
  bool print_env = false;           // `--print-env`
  std::string format = "sh";        // `--format sh|dockerfile|json`
  std::string shim_dir;             // `--shim-dir DIR`
  std::string write_shim;           // `--write-shim DIR`
  std::string nvml_library;         // `--nvml-library PATH`
  std::vector<std::string> command;
};

/// `mlstack run`: plans the environment (launch::plan_launch) and execs the command, or prints
/// the plan (`--print-env`). Returns only when it did not exec: 0 after printing, 2 on a usage
/// error or a refused cap, 126/127 when the command cannot be started.
[[nodiscard]] int run_run(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mlstack::cli
