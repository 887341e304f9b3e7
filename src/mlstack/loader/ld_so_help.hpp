// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mlstack::loader {

/// What the dynamic loader says of its search with `--help` (glibc ≥ 2.33:
/// `/lib64/ld-linux-x86-64.so.2 --help`), for `LoaderConfig::default_dirs` and `subdirs`.
struct LdSoSearch {
  std::vector<std::string> default_dirs;  // "Shared library search path": the "(system search path)" lines
  /// The subfolders tried inside every folder, before it, in ld.so's order: each searched
  /// `glibc-hwcaps/NAME` in priority order, then the legacy HWCAP ones — every combination of
  /// the searched legacy names (all of them first, in the listed order, down to one), with
  /// `tls/` before them when `tls` is searched, then `tls` alone, then the same without `tls`
  /// (glibc 2.36 elf/dl-hwcaps.c `_dl_important_hwcaps`; the order `LD_DEBUG=libs` shows).
  std::vector<std::string> subdirs;
};

/// Parses `ld.so --help` output. Pure; unknown lines are passed over, so a glibc without a
/// section gives empty lists.
[[nodiscard]] LdSoSearch parse_ld_so_help(std::string_view text);

}  // namespace mlstack::loader
