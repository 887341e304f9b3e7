// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/lockfile/resolved_set.hpp"
#include "mlstack/pep440/specifier.hpp"
#include "mlstack/pep508/marker.hpp"
#include "mlstack/pep508/marker_environment.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::tags {
class SupportedTags;
}

namespace mlstack::lockfile {

/// A PEP 751 lock file (`pylock.toml`, https://peps.python.org/pep-0751/), the parts a check
/// reads. Lines are 1-based, for messages.
struct LockWheel {
  std::string file_name;           // `name`, else the last segment of `url` / `path`
  std::optional<std::string> tag;  // from the file name; none when it is not a wheel's name
  std::vector<std::string> hashes;  // `sha256:<hex>`, each of its `hashes` table (image locks)
};

struct LockDependency {
  std::string name;  // canonical
  std::optional<std::string> version;
};

struct LockPackage {
  std::string name;            // as written
  std::string canonical_name;  // PEP 503
  std::optional<std::string> version;
  std::optional<pep508::Marker> marker;
  std::optional<pep440::SpecifierSet> requires_python;
  std::vector<LockDependency> dependencies;
  std::vector<LockWheel> wheels;
  bool has_source = false;  // `sdist`, `vcs`, `directory` or `archive`: installable anywhere
  std::vector<std::string> sdist_hashes;  // the `sdist`'s `hashes`, as LockWheel::hashes
  std::size_t line = 0;
};

struct Pylock {
  std::string lock_version;
  std::string created_by;
  std::optional<pep440::SpecifierSet> requires_python;
  std::vector<pep508::Marker> environments;
  std::vector<LockPackage> packages;
};

/// Parses a lock. Pure: `text` is the file's content, `path` names it in errors, which are
/// `path:line:col: message` for bad TOML (toml++'s message) and for a key of the wrong type
/// or a value that does not parse (a marker, a specifier, a version), and `path: message` for
/// a missing top-level key. `lock-version` must be 1.x (PEP 751: a tool refuses an unknown
/// major version).
[[nodiscard]] Result<Pylock> read_pylock(std::string_view text, std::string_view path);

/// What `check --lock` finds, one line each (docs/check-inputs.md), in the lock's order.
struct LockCheck {
  std::vector<std::string> problems;   // stdout; exit 1 when any
  std::vector<std::string> notes;      // stderr: what could not be decided
  std::vector<std::size_t> installed;  // indexes of the packages the target would install
};

/// Checks the lock for one target: `environment` its marker values, `supported` its wheel
/// tags (null: wheel tags are not checked). A package is installed when it has no `marker` or
/// its marker is true (no extras, `extra == ""`); a marker naming `extras` or
/// `dependency_groups` cannot be evaluated without a request, so the package is counted as
/// not installed and a note says so. Found:
/// - the lock's `requires-python` does not contain the target's Python;
/// - none of the lock's `environments` markers is true for the target;
/// - a name installed twice (two entries whose markers are both true);
/// - an installed package's `requires-python` does not contain the target's Python;
/// - an installed package with only wheels, none of whose tags the target supports;
/// - an installed package's `dependencies` entry that names no installed package (or one at
///   another version than the entry gives).
[[nodiscard]] LockCheck check_lock(const Pylock& lock, const pep508::MarkerEnvironment& environment,
                                   const tags::SupportedTags* supported);

/// The installed packages as distributions (name, version, the wheel tag of the first wheel
/// the target supports), without requirements: a lock does not carry Requires-Dist.
[[nodiscard]] ResolvedSet to_resolved_set(const Pylock& lock, const LockCheck& check,
                                          std::string_view path);

}  // namespace mlstack::lockfile
