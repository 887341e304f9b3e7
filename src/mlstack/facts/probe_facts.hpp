// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <string>
#include <vector>

/// What the isolated import probes (`doctor --probe`, probe/) saw: the target interpreter run
/// in child processes, each framework alone and each pair in both orders.
namespace mlstack::facts {

struct ProbeResult {
  std::vector<std::string> order;  // framework names in import order
  // `ok`, `import-error` (an exception; `error`), `crash` (killed by `signal`), `exit` (a
  // non-zero exit without an answer), `timeout` (its process group killed), `not-run` (could
  // not start: `error`).
  std::string status;
  int exit_code = 0;
  int signal = 0;           // the signal that ended it, 0 when none
  std::string signal_name;  // `SIGSEGV`
  double wall_s = 0;
  std::map<std::string, std::string> versions;  // framework → its `__version__`
  std::map<std::string, std::vector<std::string>> devices;  // framework → devices it sees
  // The shared objects mapped after the imports (/proc/self/maps), real paths, sorted.
  std::vector<std::string> mapped;
  std::string error;        // the exception or why it did not run, one line
  std::string stderr_tail;  // the last lines of stderr (crash, exit, timeout)
  bool output_truncated = false;
};

struct ProbeFacts {
  bool done = false;       // false: `--probe` not given
  double timeout_s = 0;    // per probe
  int jobs = 0;            // probes run at once
  double wall_s = 0;       // all probes
  std::vector<ProbeResult> probes;
};

}  // namespace mlstack::facts
