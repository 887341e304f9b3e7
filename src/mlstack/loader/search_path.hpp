// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Search-path lists as glibc's ld.so reads them (elf/dl-load.c: `fillin_rpath`,
/// `_dl_dst_substitute`, `_dl_init_paths`). Pure.
namespace mlstack::loader {

/// What the dynamic string tokens stand for.
struct DstValues {
  std::string origin;    // `$ORIGIN`: the folder of the object the list belongs to (empty: unknown)
  std::string lib;       // `$LIB`: `lib/x86_64-linux-gnu` on Debian x86-64 (glibc's DL_DST_LIB)
  std::string platform;  // `$PLATFORM`: `x86_64` (AT_PLATFORM)
};

/// `entry` with `$ORIGIN`, `$LIB`, `$PLATFORM` (also `${ORIGIN}` ...) replaced; none when a
/// token has no value (ld.so drops such an entry). A `$` not starting a known token is kept.
[[nodiscard]] std::optional<std::string> expand_tokens(std::string_view entry,
                                                       const DstValues& values);

/// The folders of a DT_RPATH / DT_RUNPATH (separated by `:`) or of `LD_LIBRARY_PATH` (`:` or
/// `;`, `env = true`), tokens expanded, in order: an empty entry is the current folder (`.`),
/// a trailing `/` is dropped, an entry whose token has no value is left out, and a folder
/// already in the list is not repeated (ld.so shares one entry per folder).
[[nodiscard]] std::vector<std::string> split_search_path(std::string_view list,
                                                         const DstValues& values, bool env);

/// The folder part of `path` (`/a/b/libx.so` → `/a/b`, `libx.so` → `.`), lexically.
[[nodiscard]] std::string parent_folder(std::string_view path);

}  // namespace mlstack::loader
