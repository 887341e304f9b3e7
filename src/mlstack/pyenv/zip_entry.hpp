// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

/// What the scan needs to treat a zip archive on `sys.path` as importlib.metadata does
/// (`FastPath.zip_children`, `Lookup`) and as pip 26.3 skips wheels (`_looks_like_wheel`).
/// Pure: the archive itself is read through `io::FileSystem::read_zip`.
namespace mlstack::pyenv::detail {

/// packaging's `parse_wheel_filename` accepts `base_name` (`foo-1.0-py3-none-any.whl`):
/// `.whl`, 4 or 5 `-`, a name of word characters, `.` and `_` without `__`, a PEP 440
/// version, a build tag starting with a digit, a valid tag set. pip does not look inside such
/// a file on `sys.path`; any other file, `.whl` or not, importlib opens as a zip archive.
/// Non-ASCII bytes count as word characters (Python's `\w` is Unicode).
[[nodiscard]] bool is_wheel_file_name(std::string_view base_name);

/// The files read from a distribution's metadata folder inside a zip archive: `<child>/<file>`
/// with `<file>` one of METADATA, PKG-INFO, requires.txt, WHEEL, INSTALLER (zip names are
/// case-sensitive, as zipfile's lookups). Which children are metadata folders is decided
/// later (`Lookup`), so any two-part name with such a file is selected.
[[nodiscard]] bool is_metadata_member(std::string_view name);

/// `FastPath.zip_children`: the first `/`-separated part of each name, without repeats, in
/// order of first appearance.
[[nodiscard]] std::vector<std::string> zip_children(const std::vector<std::string>& names);

}  // namespace mlstack::pyenv::detail
