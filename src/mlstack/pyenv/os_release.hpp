// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/python_facts.hpp"
#include "mlstack/facts/system_facts.hpp"
#include "mlstack/io/file_system.hpp"

#include <map>
#include <string>
#include <string_view>

namespace mlstack::pyenv {

/// The assignments of an os-release file (os-release(5)): `KEY=value` lines, values unquoted
/// (`"..."` or `'...'`, with `\` escaping `"`, `\`, `$` and `` ` `` in double quotes);
/// comments, blank lines and lines that are not assignments are skipped. Pure.
[[nodiscard]] std::map<std::string, std::string> parse_os_release(std::string_view text);

/// The system `python` runs on: `root` + `/etc/os-release`, else `root` +
/// `/usr/lib/os-release` (os-release(5)'s order), and the interpreter's glibc from its tag
/// facts. A missing or unreadable file leaves the OS fields empty.
[[nodiscard]] facts::SystemFacts read_system_facts(const io::FileSystem& fs,
                                                   const facts::PythonFacts& python,
                                                   std::string_view root = {});

}  // namespace mlstack::pyenv
