// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/facts/python_facts.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace mlstack::pyenv {

/// Whether `probe_interpreter` may use the facts cache.
enum class CacheMode : std::uint8_t {
  use,     // read a valid entry, else probe and write one (the default)
  bypass,  // always probe, never read or write (also: MLSTACK_NO_CACHE=1)
};

struct ProbeOptions {
  std::chrono::milliseconds timeout{10'000};
  CacheMode cache = CacheMode::use;
  /// Where cache files go; empty means `$XDG_CACHE_HOME/mlstack`, else `~/.cache/mlstack`.
  std::string cache_dir;
};

/// What the probe did, for tests and `--verbose`.
enum class ProbeSource : std::uint8_t { cache, interpreter };

/// The facts of the interpreter `python` (a path, or a name looked up on PATH), as pip
/// running under it would see them.
///
/// Runs `python -c <probe>` once, without `-I`, `-S`, `-E` or `-s`: PYTHONPATH, the user
/// site and .pth files apply exactly as they do for pip. `sys_path` is `sys.path` without
/// the entry Python puts first for `-c` (none under PYTHONSAFEPATH). That is the view of
/// the `pip` console script, whose first entry is its own `bin/` directory (which holds no
/// distributions); `python -m pip check` would also search the working directory first.
///
/// `markers` are packaging 26.3's `default_environment()` (python_full_version raw, as
/// `platform.python_version()`: packaging repairs a trailing `+` when it evaluates), `tags`
/// come from src/mlstack/tags/tag_facts_probe.py. A warm cache answers without a spawn
/// (see facts_cache.hpp). Errors name the path: "`/x/python` did not answer within 10 s",
/// "`/x/python` is not a Python interpreter: ...", "cannot run `/x/python`: permission denied".
[[nodiscard]] Result<facts::PythonFacts> probe_interpreter(std::string_view python,
                                                           const ProbeOptions& options = {},
                                                           ProbeSource* source = nullptr);

/// Runs the probe, never the cache. `python` must be a path (see `resolve_interpreter`).
[[nodiscard]] Result<facts::PythonFacts> run_probe(const std::string& python,
                                                   std::chrono::milliseconds timeout);

/// `python` as an absolute-or-relative path: unchanged when it has a `/`, else the first
/// executable `PATH` entry with that name. Error: "`python9` was not found on PATH".
[[nodiscard]] Result<std::string> resolve_interpreter(std::string_view python);

/// The Python source `run_probe` passes with `-c` (tags snippet included).
[[nodiscard]] std::string probe_script();

}  // namespace mlstack::pyenv
