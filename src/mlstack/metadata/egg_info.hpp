// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/metadata/core_metadata.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mlstack::metadata {

/// One entry of an egg-info `requires.txt` (pip's `RequiresEntry`).
struct RequiresEntry {
  std::string requirement;  // the stripped line
  std::string extra;        // the section's extra, as written (not canonicalized)
  std::string marker;       // the section's marker, as written
};

/// pip's `_iter_requires_txt_entries`: Python `splitlines()`, each line stripped; empty
/// lines and `#` comments skipped; `[extra]`, `[:marker]`, `[extra:marker]` start sections
/// (the line stripped of `[`/`]` characters, split at the first `:`).
[[nodiscard]] std::vector<RequiresEntry> parse_requires_txt(std::string_view text);

/// pip's `_iter_egg_info_dependencies`: each entry as a PEP 508 string, such as
/// `pytest ; (python_version < "3.8") and extra == "test"` (the extra canonicalized).
[[nodiscard]] std::vector<std::string> egg_info_requires_dist(
    const std::vector<RequiresEntry>& entries);

/// pip's `_iter_egg_info_extras`: the canonicalized extras of the sections, first
/// occurrence order, without the empty one.
[[nodiscard]] std::vector<std::string> egg_info_provides_extra(
    const std::vector<RequiresEntry>& entries);

/// Whether `_add_egg_info_requires` would read requires.txt for this metadata: when it has
/// no `Requires-Dist` or no `Provides-Extra`.
[[nodiscard]] bool needs_egg_info_requires(const CoreMetadata& metadata) noexcept;

/// pip's `_add_egg_info_requires`: fills Requires-Dist from requires.txt when the metadata
/// has none, and Provides-Extra likewise. `requires_txt` is the decoded file's text.
void add_egg_info_requires(CoreMetadata& metadata, std::string_view requires_txt);

}  // namespace mlstack::metadata
