// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

#include "mlstack/base/result.hpp"

namespace mlstack::launch {

/// The `sitecustomize.py` `mlstack run` puts first on PYTHONPATH when a cap needs a framework's
/// own API (torch, TensorFlow; docs/run.md). It reads MLSTACK_SHARE and MLSTACK_SHARE_GPU_MIB,
/// installs a meta-path finder that applies each cap right after its framework's top-level
/// module has been executed, and then runs the `sitecustomize` that comes next on `sys.path`
/// (the environment's own), as if the shim were not there.
[[nodiscard]] std::string_view shim_source() noexcept;

/// The folder the shim lives in by default: `$XDG_CACHE_HOME/mlstack/shim-<hash>` (the hash is
/// of the shim's text, so a new mlstack writes a new folder and never rewrites one a running
/// program reads), else `/tmp/mlstack-<uid>/shim-<hash>`.
[[nodiscard]] std::string default_shim_dir();

/// Makes sure `dir/sitecustomize.py` holds the shim: nothing to do when a file of its size is
/// there (one stat), else the folder is created (0700 for the last level) and the file
/// written to a temporary name and renamed. Under /tmp the folder must belong to this user and
/// not be a link. Errors name the path.
[[nodiscard]] Result<void> ensure_shim(const std::string& dir);

}  // namespace mlstack::launch
