// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/pep440/version.hpp"
#include "mlstack/pep508/marker_environment.hpp"
#include "mlstack/pep508/requirement.hpp"

namespace mlstack::tags {
class SupportedTags;
}

namespace mlstack::rules {

/// A distribution whose metadata pip could read: its version and every requirement.
struct CheckedDist {
  const facts::InstalledDist* dist = nullptr;
  pep440::Version version;
  std::vector<pep508::Requirement> requirements;  // all Requires-Dist, parsed
  std::vector<std::size_t> active;                // indexes into requirements: marker true
                                                  // with `extra == ""` (pip's dependencies)
};

/// pip's `PackageSet`: the distributions pip can check, by canonical name.
struct PackageSet {
  std::vector<CheckedDist> dists;  // discovery order
  std::unordered_map<std::string, std::size_t> by_name;
  /// "Error parsing dependencies of NAME: MESSAGE": the distribution is left out.
  struct ParseProblem {
    const facts::InstalledDist* dist;
    std::string message;
    bool pip_crashes = false;  // pip does not catch it (a KeyError, zipfile.BadZipFile, a
                               // RecursionError): `pip check` stops there
  };
  std::vector<ParseProblem> problems;

  [[nodiscard]] const CheckedDist* find(const std::string& canonical_name) const;
};

[[nodiscard]] PackageSet build_package_set(const facts::Inventory& inventory,
                                           const pep508::MarkerEnvironment& env);

/// What `pip check` finds, in pip's order.
struct PipCheckResult {
  // `requirement` points into the PackageSet (not a copy: one requirement may hold a
  // million specifiers).
  struct Missing {
    std::size_t dependent;  // index into PackageSet::dists
    std::string name;       // canonical name of the missing distribution
    const pep508::Requirement* requirement;
  };
  struct Conflict {
    std::size_t dependent;
    std::size_t installed;
    const pep508::Requirement* requirement;
  };
  struct Unsupported {
    const facts::InstalledDist* dist;
    std::string version;        // normalized when valid, else as found
    bool version_valid = true;  // pip stops with a traceback when printing an invalid one
  };
  std::vector<Missing> missing;
  std::vector<Conflict> conflicts;
  std::vector<Unsupported> unsupported;
  /// Local distributions whose `WHEEL` cannot be read or has a tag that does not parse
  /// (pip stops with a traceback on them).
  std::vector<std::pair<const facts::InstalledDist*, std::string>> bad_wheels;
  /// A requirement compared with an installed version whose specifier has a number past
  /// Python's `int()` digit limit: packaging raises `ValueError` there and pip stops with a
  /// traceback before printing anything. What it says, with the distribution named.
  std::optional<std::string> value_error;

  [[nodiscard]] bool healthy(const PackageSet& set) const noexcept;
};

/// Runs pip's `check_package_set` and `check_unsupported` over the package set.
/// `supported` null: the platform check is skipped (the interpreter's tags are unknown).
[[nodiscard]] PipCheckResult pip_check(const PackageSet& set, const facts::Inventory& inventory,
                                       const tags::SupportedTags* supported);

/// Why `pip check` itself would stop with a traceback (exit 2) on this environment, if it
/// would: pip does not catch a `KeyError` from a marker, a `RecursionError` from a marker nested
/// too deeply, an invalid WHEEL tag, or an invalid
/// version of a distribution it reports as unsupported.
[[nodiscard]] std::optional<std::string> pip_crash(const PackageSet& set,
                                                   const PipCheckResult& result);

/// pip's stdout lines, exactly (`X 1.0 requires y, which is not installed.`, ...); where pip
/// would stop with a traceback, the lines it prints before that.
[[nodiscard]] std::vector<std::string> pip_check_lines(const PackageSet& set,
                                                       const PipCheckResult& result);

/// pip's stderr warnings (`Error parsing dependencies of ...`, `Ignoring invalid ...`), up to
/// the distribution pip stops on with a traceback, if any.
[[nodiscard]] std::vector<std::string> pip_check_warnings(const PackageSet& set,
                                                          const facts::Inventory& inventory);

}  // namespace mlstack::rules
