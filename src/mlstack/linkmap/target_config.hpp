// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/loader/ld_cache.hpp"
#include "mlstack/loader/resolve.hpp"

#include <memory>
#include <string>
#include <vector>

/// The dynamic loader's settings for a target interpreter of this machine.
namespace mlstack::linkmap {

/// The PT_INTERP of the ELF executable at `path` (`/lib64/ld-linux-x86-64.so.2`); an error
/// naming the file when it cannot be read or has none.
[[nodiscard]] Result<std::string> program_interpreter(
    const std::string& path, const io::FileSystem& fs = io::real_file_system());

struct TargetLoader {
  loader::LoaderConfig config;
  std::unique_ptr<loader::LdCache> cache;  // `config.cache` points here
  std::string cache_path;                  // empty when no cache was read
  std::string interpreter;                 // the interpreter's real path
  std::vector<std::string> problems;
};

struct TargetLoaderInput {
  std::string python;           // the target interpreter as given (symlinks kept)
  std::string ld_library_path;  // LD_LIBRARY_PATH as the target would see it
  // `PT_INTERP --help` output (loader::parse_ld_so_help): default folders and hwcaps
  // subfolders; empty: Debian x86-64's default folders, no subfolders.
  std::string ld_so_help;
  std::string ld_cache_path = "/etc/ld.so.cache";
};

/// The settings: LD_LIBRARY_PATH, the ld.so cache (an unreadable one is a problem and no
/// cache), the search folders of `ld.so --help`, the dynamic loader already mapped (PT_INTERP),
/// the interpreter's real path.
[[nodiscard]] TargetLoader target_loader(const io::FileSystem& fs, const TargetLoaderInput& input);

}  // namespace mlstack::linkmap
