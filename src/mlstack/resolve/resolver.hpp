// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/lockfile/pylock.hpp"
#include "mlstack/lockfile/resolved_set.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Resolving a variant's package set with a real resolver run as a subprocess (docs/resolve.md):
/// `uv pip compile --format pylock.toml` (preferred) or `pip install --dry-run
/// --ignore-installed --report`. No resolver of our own.
namespace mlstack::resolve {

enum class Tool : std::uint8_t { uv, pip };

/// The interpreter the set is resolved for.
struct Target {
  std::string python_version;             // `3.9` or `3.9.18`
  std::string platform = "linux-x86_64";  // pyenv::synthesize_facts's names
  std::string glibc;  // Linux: the target's glibc (`2.31`): the newest manylinux it takes;
                      // empty: 2.28 for uv's `--python-platform`, 2.17 for pip's `--platform`
};

/// Where packages come from, passed to the resolver as its own options. Empty: the tool's
/// configuration applies as the tool reads it (pip: pip.conf, `PIP_INDEX_URL`,
/// `PIP_FIND_LINKS`...; uv: uv.toml, `UV_INDEX_URL`, `UV_DEFAULT_INDEX`...; uv does not
/// read pip.conf).
struct IndexOptions {
  std::string index_url;                      // `--index-url`
  std::vector<std::string> extra_index_urls;  // `--extra-index-url`, each
  std::vector<std::string> find_links;        // `--find-links`, each
  bool no_index = false;                      // `--no-index`
};

/// pip's own index settings, from what `pip config list` prints (pure): for each of
/// `index-url`, `extra-index-url`, `find-links` and `no-index`, the `PIP_*` variable
/// (`:env:.`) over the `install.` section over `global.`, as pip ranks them; the lists split
/// on whitespace, as pip splits them.
[[nodiscard]] IndexOptions index_options_from_pip_config(std::string_view config_list);

struct ResolverOptions {
  std::optional<Tool> tool;  // none: uv when found, else pip
  std::string uv;            // uv's path; empty: find_uv()
  std::string pip_python;    // the interpreter whose pip runs; empty: `python3` on PATH
  std::chrono::milliseconds timeout{600'000};
  std::size_t max_output = std::size_t{16} << 20U;  // bytes kept of each stream; past it the
                                                    // resolver is stopped
};

/// What a failed resolution was. `resolve()`'s error carries it as its `ErrorCode`
/// (`failure_of` maps back).
enum class Failure : std::uint8_t {
  resolver_not_found,  // ErrorCode::not_found: no uv / no python3 / pip missing
  no_solution,         // ErrorCode::invalid_data: the requirements collide (message quoted)
  index_unreachable,   // ErrorCode::io: an index or find-links location could not be fetched
  timeout,             // ErrorCode::timeout
  failed,              // ErrorCode::unsupported: any other failure (message quoted)
  bad_output,          // ErrorCode::parse: the tool's lock or report does not read
};
[[nodiscard]] Failure failure_of(const Error& error);
[[nodiscard]] std::string_view to_string(Failure failure);

/// How a resolver's failed run reads (pure): `no_solution` for uv's `No solution found` and
/// pip's `ResolutionImpossible` / `Could not find a version` / `No matching distribution`,
/// unless connection errors are in the output too (`index_unreachable`: uv's `Failed to
/// fetch` / `error sending request`, pip's `NewConnectionError` / `Max retries exceeded` /
/// `Failed to establish a new connection`, DNS and refused connections); else `failed`.
[[nodiscard]] Failure classify_failure(Tool tool, std::string_view stderr_text);

/// The uv binary: `uv` on PATH, else `refvenv/bin/uv` beside or one folder above this
/// executable (a build tree's `build/refvenv`); empty when none.
[[nodiscard]] std::string find_uv();

/// The argv of a run (pure): `requirements_file` holds the requirement lines, `output` is
/// where the tool writes the lock (uv: a `pylock.toml` path) or report (pip).
[[nodiscard]] std::vector<std::string> resolver_argv(Tool tool, const std::string& program,
                                                     const std::string& requirements_file,
                                                     const std::string& output,
                                                     const Target& target,
                                                     const IndexOptions& index);

struct Resolution {
  Tool tool = Tool::uv;
  std::vector<std::string> argv;         // the command that ran (temporary paths included)
  std::string lock_text;                 // uv: the pylock.toml; pip: the installation report (JSON)
  std::optional<lockfile::Pylock> lock;  // uv
  lockfile::ResolvedSet resolved;        // the set it would install (pip: with Requires-Dist)
  std::string resolver_stderr;           // what it said (warnings), bounded
  double wall_s = 0;                     // the resolver's wall time
};

/// Resolves `requirements` (requirement lines, one variant's) for `target`. The failures are
/// above (`failure_of(error)`); their message quotes the resolver's own (its last 4 KiB).
[[nodiscard]] Result<Resolution> resolve(const std::vector<std::string>& requirements,
                                         const Target& target, const IndexOptions& index,
                                         const ResolverOptions& options = {});

/// The package checks on a resolution, for its target: pip check's rules on a pip report
/// (requirements, conflicts, platform), the lock checks on a uv lock (docs/check-inputs.md).
struct ResolutionCheck {
  std::vector<std::string> lines;     // as `mlstack check` prints them
  std::vector<std::string> warnings;  // pip check's warnings; notes on the lock
  bool healthy = true;
};
[[nodiscard]] Result<ResolutionCheck> check_resolution(const Resolution& resolution,
                                                       const Target& target);

/// The target's facts as `check --python-version/--platform` makes them (markers and tags;
/// glibc from `target.glibc` when given).
[[nodiscard]] Result<facts::PythonFacts> target_facts(const Target& target);

}  // namespace mlstack::resolve
