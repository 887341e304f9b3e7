// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mlstack/base/result.hpp"
#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/io/file_facts_cache.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/pyenv/scan.hpp"

namespace mlstack::cli {

/// Where the environment lives (`--python` or `--site`), as given on the command line.
struct TargetOptions {
  std::string python;              // empty: `python3` on PATH
  std::vector<std::string> sites;  // `--site DIR`, repeatable; excludes `python`
  std::string python_version;      // with `--site`; empty: from the site path, else 3.12
  std::string platform;            // with `--site`
  // `--root DIR`: an unpacked root file system; `--image ARCHIVE`: an image archive, read in
  // place. With either, `python` is an interpreter path inside it (default: `python3` on the
  // image's PATH).
  std::string root;
  std::string image;
  double probe_timeout_s = 10.0;

  [[nodiscard]] bool foreign() const noexcept { return !root.empty() || !image.empty(); }
};

struct Target {
  facts::PythonFacts python;
  facts::Inventory inventory;
  // `interpreter`, or for `--site`: `option`, `site_path` or `default`; `root_files` for
  // `--root` / `--image` (report::Report).
  std::string python_version_source = "interpreter";
  // The files the environment lives in: this machine's, an unpacked root's or an image's
  // (paths in `python` and `inventory` are that file system's own).
  std::shared_ptr<const io::FileSystem> fs;
  // `--root` / `--image`: what was inspected, the file the Python version was read from, and
  // the environment variables the image sets (its config's ENV; empty for a root): nothing of
  // this process's environment applies to a foreign root.
  std::string root_kind;  // "" (this machine), "directory" or "image"
  std::string root_path;
  std::string python_version_evidence;
  std::map<std::string, std::string> environment;
};

/// `--image ARCHIVE`: the image's file system, read in place (rootfs/), its config's ENV in
/// `target.environment`, `root_kind` "image" (image_target.cpp).
[[nodiscard]] Result<void> open_image_target(const std::string& archive, Target& target);

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
