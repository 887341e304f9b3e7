// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace mlstack::pyenv {

/// What a finished child process left.
struct ProcessOutput {
  std::string stdout_text;
  std::string stderr_text;
  int exit_status = 0;  // exit code, or 128 + signal number
};

/// How much of a child's output is kept: past either cap the child is stopped.
struct OutputLimits {
  std::size_t max_stdout = std::size_t{8} << 20U;
  std::size_t max_stderr = std::size_t{1} << 20U;
};

/// Runs `argv` (argv[0] is a path; no shell, no PATH search) with stdin from /dev/null and
/// stdout/stderr captured, in its own process group. The timeout covers the whole run: reading
/// either stream and waiting for the exit (a child that closes its output and lingers is
/// stopped too). When `timeout` passes, the whole group is killed (SIGKILL) and the error is
/// "`argv[0]` did not answer within N s" (code `timeout`). Output past a cap of `limits` kills
/// the group as well: "`argv[0]` wrote more than N bytes to stdout" (code `invalid_data`). A
/// failed exec gives "cannot run `argv[0]`: <strerror>".
[[nodiscard]] Result<ProcessOutput> run_process(const std::vector<std::string>& argv,
                                                std::chrono::milliseconds timeout,
                                                const OutputLimits& limits = {});

}  // namespace mlstack::pyenv
