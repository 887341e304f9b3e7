// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/io/file_system.hpp"

#include <optional>
#include <string>

namespace mlstack::pyenv {

/// The interpreter facts cache: one small JSON file per interpreter and environment, in
/// `$XDG_CACHE_HOME/mlstack/` (default `~/.cache/mlstack/`), never inside the inspected
/// environment.
///
/// A file is named after a hash of its key: the interpreter path as invoked (a venv's
/// `bin/python` is a symlink to the base interpreter, so the path, not its target, decides
/// the environment) and the variables Python reads at start-up (PYTHONPATH, PYTHONHOME,
/// PYTHONNOUSERSITE, PYTHONUSERBASE, PYTHONSAFEPATH, PYTHONPLATLIBDIR, HOME, VIRTUAL_ENV, and
/// the working directory when PYTHONPATH has a relative entry). It stores the facts and
/// validators: stat results (mtime in ns, size, inode, or "missing") of the interpreter's
/// target, both `pyvenv.cfg` candidates, every sys.path entry and site dir (adding or
/// removing a `.pth` file changes the dir's mtime) and every `*.pth` file in the site dirs.
/// A warm load stats those paths and reads one file; it never spawns a process.
/// Reading and writing never fail loudly: a missing, read-only or corrupt cache just misses.
class FactsCache {
 public:
  /// `dir` empty: the XDG default.
  explicit FactsCache(std::string dir = {});

  [[nodiscard]] const std::string& dir() const noexcept { return m_dir; }
  /// The cache file for the interpreter `python` in the current environment.
  [[nodiscard]] std::string file_for(const std::string& python) const;

  /// The cached facts when the entry exists and every validator still holds.
  [[nodiscard]] std::optional<facts::PythonFacts> load(const std::string& python) const;

  /// Writes the entry atomically (temp file + rename).
  Result<void> store(const std::string& python, const facts::PythonFacts& facts) const;

 private:
  std::string m_dir;
  io::RealFileSystem m_fs;
};

}  // namespace mlstack::pyenv
