// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/lockfile/resolved_set.hpp"

#include <string_view>

namespace mlstack::lockfile {

/// Reads pip's installation report (`pip install --dry-run --report FILE`, version 1:
/// https://pip.pypa.io/en/stable/reference/installation-report/) into the inventory pip's
/// check reads from an environment: each `install[]` item's `metadata` (core metadata as
/// JSON: `name`, `version`, `requires_dist`, `provides_extra`, `requires_python`) is one
/// distribution; its wheel tags come from the file name of `download_info.url` when that is a
/// wheel (where an installed distribution's `WHEEL` would give them); `environment` is the
/// marker environment. Pure: `text` is the file's content, `path` only names it in errors.
///
/// Errors (code `parse`/`invalid_data`) name the file and what is wrong: not JSON (with the
/// line and column), a `version` other than `1`, a missing or mistyped key (`install[2].metadata:
/// expected key `version``), an `environment` without one of the marker variables.
[[nodiscard]] Result<ResolvedSet> read_pip_report(std::string_view text, std::string_view path);

}  // namespace mlstack::lockfile
