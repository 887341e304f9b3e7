// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <string>
#include <vector>

/// What the isolated import probes (`doctor --probe`, probe/) saw: the target interpreter run
/// in child processes, each framework alone and each pair in both orders (docs/probe.md).
namespace mlstack::facts {

/// One `import` inside a probe, in order.
struct ProbeImport {
  std::string framework;
  // `ok`, `import-error` (an exception: `error`), or the probe's own status (`crash`,
  // `timeout`, `exit`) when the process ended during this import.
  std::string status;
  double import_s = 0;  // wall time of the import statement; 0 when it did not finish
  std::string version;  // its `__version__`
  std::string error;    // the exception, one line
  // The shared objects first mapped during this import, real paths, sorted: for the first
  // import, what the framework alone maps on top of the interpreter (ProbeResult::baseline).
  std::vector<std::string> mapped_new;
};

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
  double cpu_s = 0;  // user + system time of the interpreter process (not its children)
  std::map<std::string, std::string> versions;  // framework → its `__version__`
  std::map<std::string, std::vector<std::string>> devices;  // framework → devices it sees
  // framework → what it offers without touching a GPU: JAX's registered backends (`cpu`,
  // `cuda`), ONNX Runtime's available execution providers.
  std::map<std::string, std::vector<std::string>> backends;
  std::vector<ProbeImport> imports;  // each import started, in order
  // The shared objects mapped after the imports (/proc/self/maps), real paths, sorted.
  std::vector<std::string> mapped;
  // Mapped before any framework's import: the interpreter and the probe's own modules.
  std::vector<std::string> baseline;
  // First mapped while the devices were listed, after the imports (TensorFlow's dlopen of
  // the CUDA libraries; with `--probe-gpu`, JAX's CUDA plugin): a framework's first GPU use.
  std::vector<std::string> mapped_by_devices;
  std::string error;        // the exception or why it did not run, one line
  std::string stderr_tail;  // the last lines of stderr (crash, exit, timeout)
  bool output_truncated = false;  // stdout or stderr was longer than what was kept
  std::vector<std::string> notes;  // what could not be observed, one sentence each
};

struct ProbeFacts {
  bool done = false;       // false: `--probe` not given
  std::string python;      // the interpreter the probes ran
  double timeout_s = 0;    // per probe
  int jobs = 0;            // probes run at once
  bool gpu = false;        // `--probe-gpu`: devices listed even where that creates a context
  // Set in every probe's environment so that no framework takes GPU memory: `NAME=value`.
  std::vector<std::string> environment;
  double wall_s = 0;       // all probes
  double cpu_s = 0;        // all probes' cpu_s
  std::vector<ProbeResult> probes;
};

}  // namespace mlstack::facts
