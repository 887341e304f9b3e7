// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/io/file_system.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mlstack::pyenv {

/// A `--site DIR` folder, checked before it is scanned.
struct SiteFolder {
  std::string path;  // as given
  // Whether the folder holds anything the scan reads (`*.dist-info`, `*.egg-info`,
  // `*.egg-link`, any case): without one, the scan finds nothing there.
  bool has_distributions = false;
  // `3.11` when a `pythonX.Y` folder holds it (`lib/python3.11/site-packages`).
  std::optional<std::string> python_version;
};

/// Checks that `path` can be a site-packages folder. Errors (the path named):
/// - it does not exist, is not a folder, or cannot be listed;
/// - it holds no distributions but site-packages folders below it do: a virtual
///   environment or prefix (`venv/`, `/usr/local`), a `lib/pythonX.Y` folder, a rootfs. The
///   error says which folder was meant:
///   "--site `venv` is a virtual environment, not a site-packages folder" with the hint
///   "did you mean `--site venv/lib/python3.11/site-packages`?".
[[nodiscard]] Result<SiteFolder> check_site_folder(const io::FileSystem& fs,
                                                   const std::string& path);

/// `3.11` from a path whose last two parts are `pythonX.Y` and `site-packages` or
/// `dist-packages` (a trailing `/` allowed); nullopt otherwise (`python3/dist-packages`,
/// `Lib/site-packages`, free-threaded `python3.13t`). Pure.
[[nodiscard]] std::optional<std::string> python_version_from_site_path(std::string_view path);

}  // namespace mlstack::pyenv
