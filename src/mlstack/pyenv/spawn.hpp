// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace mlstack::pyenv {

/// What a finished child process left.
struct ProcessOutput {
  std::string stdout_text;
  std::string stderr_text;
  int exit_status = 0;  // exit code, or 128 + signal number
};

/// Runs `argv` (argv[0] is a path; no shell, no PATH search) with stdin from /dev/null and
/// stdout/stderr captured, in its own process group. When `timeout` passes, the whole group
/// is killed (SIGKILL) and the error is "`argv[0]` did not answer within N s" (code
/// `timeout`). A failed exec gives "cannot run `argv[0]`: <strerror>".
[[nodiscard]] Result<ProcessOutput> run_process(const std::vector<std::string>& argv,
                                                std::chrono::milliseconds timeout);

}  // namespace mlstack::pyenv
