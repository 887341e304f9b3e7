// SPDX-License-Identifier: MIT
#pragma once

// Version-set helpers of the planner (pure). Specifier sets are compared by probing: the
// versions that decide them (each specifier's version, its neighbours, a wildcard's first 40
// patch releases) are tried against both sets. That is exact for the sets the knowledge base
// and specs use (bounds, `==X.Y.*`, pins) without enumerating an index.

#include "mlstack/pep440/specifier.hpp"
#include "mlstack/pep440/version.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::plan::detail {

/// The versions that decide `set`.
[[nodiscard]] std::vector<pep440::Version> probes(const pep440::SpecifierSet& set);

/// Whether some version is in both sets.
[[nodiscard]] bool overlap(const pep440::SpecifierSet& a, const pep440::SpecifierSet& b);

/// Whether some version is in `set`.
[[nodiscard]] bool satisfiable(const pep440::SpecifierSet& set);

/// The sets' intersection, written as one set (`<3.20,>=3.9.2`); duplicates dropped.
[[nodiscard]] pep440::SpecifierSet intersect(const std::vector<const pep440::SpecifierSet*>& sets);

/// A version from KB text (`11.3`, `450.80.02`), or none.
[[nodiscard]] std::optional<pep440::Version> version(std::string_view text);

/// `major.minor` of a version text (`11.3.1` -> `11.3`; a major alone stays so: `11`).
[[nodiscard]] std::string major_minor(std::string_view text);

/// The first release number (`11.3` -> 11, `12.x` -> 12), 0 when there is none.
[[nodiscard]] std::uint64_t major(std::string_view text);

/// The exact version a set pins (`==1.12.1`, no wildcard, one specifier), if any.
[[nodiscard]] std::optional<std::string> exact_pin(const pep440::SpecifierSet& set);

}  // namespace mlstack::plan::detail
