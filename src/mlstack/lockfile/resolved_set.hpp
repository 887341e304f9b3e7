// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/python_facts.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::lockfile {

/// What a resolver says it would install, as the inventory `rules::pip_check` reads: one
/// `InstalledDist` per package (`local`, `location` and `info_path` name the file and the
/// item, such as `report.json` and `install[3]`).
struct ResolvedSet {
  facts::Inventory inventory;
  /// The marker environment the resolver evaluated markers in (a pip report's
  /// `environment`); none for a lock.
  std::optional<facts::MarkerValues> environment;
};

/// The wheel tag of a wheel file name (`name-version[-build]-py-abi-platform.whl`), such as
/// `cp39-cp39-manylinux1_x86_64`; nullopt when `file_name` is not named like a wheel.
[[nodiscard]] std::optional<std::string> wheel_tag_of(std::string_view file_name);

/// The last path segment of a URL, without query or fragment, percent-decoded
/// (`torch-1.12.1%2Bcu113-...whl` → `torch-1.12.1+cu113-...whl`).
[[nodiscard]] std::string url_file_name(std::string_view url);

}  // namespace mlstack::lockfile
