// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "mlstack/launch/plan.hpp"

namespace mlstack::launch {

/// Exit codes of a command that could not be started, as POSIX shells give them.
inline constexpr int k_exit_not_found = 127;
inline constexpr int k_exit_cannot_execute = 126;

/// Replaces this process with `argv` (searched on PATH as execvp does), its environment this
/// process's plus the plan's settings (never one that is `kept`) and, with `shim_dir`,
/// PYTHONPATH with the shim's folder first. No process is left between the caller and the
/// command: its exit status, signals, stdin, stdout and stderr are the command's own. Returns
/// only when exec failed: 127 after `mlstack: error: `cmd`: command not found` on stderr,
/// else 126 with the reason.
[[nodiscard]] int exec_command(const std::vector<std::string>& argv, const Plan& plan,
                               const std::string& shim_dir);

}  // namespace mlstack::launch
