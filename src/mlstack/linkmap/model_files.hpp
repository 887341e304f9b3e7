// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/inventory.hpp"
#include "mlstack/io/file_system.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// What the load models ask of the files: a Python source's text, the extension module a
/// `import a.b` finds, a glob in one folder (as Python's `glob.glob`).
namespace mlstack::linkmap {

/// fnmatch(3) without flags: `*`, `?`, `[...]` (with `!` negation and ranges). Pure.
[[nodiscard]] bool fnmatch(std::string_view pattern, std::string_view name);

/// The names in `dir` matching `pattern`, sorted (Python's glob gives readdir order; sorting
/// makes the choice among several matches stable); none when `dir` cannot be listed.
[[nodiscard]] std::vector<std::string> glob_names(const io::FileSystem& fs, const std::string& dir,
                                                  std::string_view pattern);

/// The file Python's import of the extension module `stem` in `dir` loads: `stem` + the
/// interpreter's EXT_SUFFIX, else `.abi3.so`, else `.so` (importlib's EXTENSION_SUFFIXES
/// order); nothing when none is there.
[[nodiscard]] std::optional<std::string> extension_module(const io::FileSystem& fs,
                                                          const std::string& dir,
                                                          std::string_view stem,
                                                          std::string_view ext_suffix);

/// The text of a (Python source) file, or nothing when it cannot be read.
[[nodiscard]] std::optional<std::string> source_text(const io::FileSystem& fs, const std::string& path);

/// The location of the installed distribution `canonical_name`, or nothing.
[[nodiscard]] std::optional<std::string> dist_location(const facts::Inventory& inventory,
                                                       std::string_view canonical_name);

}  // namespace mlstack::linkmap

namespace mlstack::linkmap {

/// Whether `import tensorflow` in `location` imports jax when it is installed
/// (tensorflow/lite/python/util.py: `from jax import jit`).
[[nodiscard]] bool tensorflow_imports_jax(const io::FileSystem& fs, const std::string& location);

}  // namespace mlstack::linkmap
