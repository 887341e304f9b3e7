// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/facts/python_facts.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mlstack::pyenv {

/// PythonFacts for `--site DIR` mode, where no interpreter runs: CPython `python_version`
/// (`3.12`, or `3.12.4`; `3.12` means `3.12.0`) on `platform`, with `site_dirs` as both
/// sys.path and the site dirs.
///
/// Platforms and the values they give (platform_release / platform_version are left empty:
/// nothing static knows the kernel):
///
/// | platform        | sys_platform | platform_system | platform_machine | os_name | tags platform
/// |
/// |-----------------|--------------|-----------------|------------------|---------|----------------------|
/// | linux-x86_64    | linux        | Linux           | x86_64           | posix   | linux-x86_64,
/// glibc 2.35 | | linux-aarch64   | linux        | Linux           | aarch64          | posix   |
/// linux-aarch64, glibc 2.35 | | macos-arm64     | darwin       | Darwin          | arm64 | posix
/// | macosx-11.0-arm64, macOS 14.0 | | macos-x86_64    | darwin       | Darwin          | x86_64 |
/// posix   | macosx-10.9-x86_64, macOS 14.0 | | windows-amd64   | win32        | Windows         |
/// AMD64            | nt      | win-amd64            |
///
/// Error: "expected a platform such as `linux-x86_64`, found `beos`" (the list follows).
[[nodiscard]] Result<facts::PythonFacts> synthesize_facts(
    std::string_view python_version, std::string_view platform,
    const std::vector<std::string>& site_dirs);

}  // namespace mlstack::pyenv
