// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "mlstack/base/result.hpp"
#include "mlstack/lockfile/pylock.hpp"

namespace mlstack::image {

/// A PEP 751 lock (a resolver's `pylock.toml`) as requirements.txt lines that pip installs
/// with `--require-hashes --no-deps`, the pip of any base (pip installs pylock.toml only from
/// 25.x on): per package `name==version[ ; marker]` and a `--hash=` for each of its files
/// (wheels and sdist), on continued lines, in the lock's order.
/// Errors: a package with no version (a VCS, directory or archive source) or no hashes,
/// which a hash-checked install cannot take; the message names the package and its line.
[[nodiscard]] Result<std::vector<std::string>> requirements_from_lock(const lockfile::Pylock& lock);

}  // namespace mlstack::image
