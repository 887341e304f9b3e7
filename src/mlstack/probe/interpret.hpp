// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/probe_facts.hpp"
#include "mlstack/pyenv/spawn.hpp"

#include <string>
#include <vector>

namespace mlstack::probe {

/// How many lines of stderr a probe that did not end `ok` keeps (ProbeResult::stderr_tail).
inline constexpr std::size_t k_stderr_tail_lines = 20;

/// The ProbeResult of one probe that ran `order` and ended as `run` says: its answer (the JSON
/// lines of import_probe.py) read record by record, so that a probe killed halfway keeps
/// every record it wrote; its status from how it ended (docs/probe.md, "Statuses"). The
/// import in progress when it ended takes the probe's status. `timeout_s` is only named in
/// the error. Pure: no I/O.
[[nodiscard]] facts::ProbeResult interpret_run(const std::vector<std::string>& order,
                                               const pyenv::ChildRun& run, double timeout_s);

/// The last `lines` lines of `text` (a final newline dropped), at most 4000 bytes.
[[nodiscard]] std::string last_lines(const std::string& text, std::size_t lines);

/// `SIGSEGV` for 11; `signal 99` for a number without a name.
[[nodiscard]] std::string signal_name(int signal);

}  // namespace mlstack::probe
