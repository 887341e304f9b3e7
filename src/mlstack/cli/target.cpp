// SPDX-License-Identifier: MIT
#include "mlstack/cli/target.hpp"

#include <chrono>
#include <cmath>

#include "mlstack/io/file_system.hpp"
#include "mlstack/pyenv/interpreter_probe.hpp"
#include "mlstack/pyenv/synthesize.hpp"

namespace mlstack::cli {

Result<Target> load_target(const TargetOptions& options, pyenv::ScanDepth depth,
                           bool read_installer) {
  Target target;
  if (!options.sites.empty()) {
    const std::string version = options.python_version.empty() ? "3.12" : options.python_version;
    const std::string platform = options.platform.empty() ? "linux-x86_64" : options.platform;
    MLSTACK_TRY_ASSIGN(target.python, pyenv::synthesize_facts(version, platform, options.sites));
  } else {
    pyenv::ProbeOptions probe;
    probe.timeout = std::chrono::milliseconds(
        static_cast<std::int64_t>(std::llround(options.probe_timeout_s * 1000.0)));
    const std::string python = options.python.empty() ? "python3" : options.python;
    MLSTACK_TRY_ASSIGN(target.python, pyenv::probe_interpreter(python, probe));
  }
  const io::RealFileSystem fs;
  pyenv::ScanOptions scan;
  scan.depth = depth;
  scan.read_installer = read_installer;
  target.inventory = pyenv::scan(target.python, fs, scan);
  return target;
}

}  // namespace mlstack::cli
