// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "mlstack/base/result.hpp"
#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/io/file_facts_cache.hpp"
#include "mlstack/pyenv/scan.hpp"

namespace mlstack::cli {

/// Where the environment lives (`--python` or `--site`), as given on the command line.
struct TargetOptions {
  std::string python;              // empty: `python3` on PATH
  std::vector<std::string> sites;  // `--site DIR`, repeatable; excludes `python`
  std::string python_version;      // with `--site`; empty: from the site path, else 3.12
  std::string platform;            // with `--site`
  double probe_timeout_s = 10.0;
};

struct Target {
  facts::PythonFacts python;
  facts::Inventory inventory;
  // `interpreter`, or for `--site`: `option`, `site_path` or `default` (report::Report).
  std::string python_version_source = "interpreter";
};

/// Locates the environment and scans its distributions. Fails only on the tool's own
/// inputs (no such interpreter, a `--site` that is not a site-packages folder, bad
/// `--python-version`); problems inside the environment are recorded in the inventory.
/// Notes and warnings about the target (the Python version assumed for `--site`, a site
/// folder with nothing in it) go to `err`.
/// `read_installer`: see pyenv::ScanOptions.
/// `file_cache` (doctor): set to the environment's file-facts cache (io/file_facts_cache.hpp:
/// `$XDG_CACHE_HOME/mlstack/files-<hash of sys.path>.bin`, disabled by `MLSTACK_NO_CACHE=1`
/// or without a cache folder), which the scan uses; the caller uses it for the rest of the
/// run and saves it.
[[nodiscard]] Result<Target> load_target(
    const TargetOptions& options, pyenv::ScanDepth depth, std::ostream& err,
    bool read_installer = true, std::unique_ptr<io::FileFactsCache>* file_cache = nullptr);

}  // namespace mlstack::cli
