// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Python's case mapping of names, where pip and importlib use `str.lower()` (full Unicode,
/// not ASCII-only): a `Kelvin-1.0.dist-info` spelled with U+212A KELVIN SIGN is the
/// distribution `kelvin`.
///
/// Text is UTF-8. A byte that is not part of valid UTF-8 stands for itself, as Python's
/// `surrogateescape` decoding of file names keeps it (no case, not cased).
///
/// ASCII text never leaves the fast path. Other text is mapped with ICU (Debian's libicu72,
/// loaded on first use so that the common all-ASCII run does not pay for loading it): the
/// full lowercase mappings of the root locale (`İ` → `i̇`, two code points), and the capital
/// sigma's Final_Sigma context as CPython's `handle_capital_sigma` tests it (preceded, past
/// case-ignorable characters, by a cased one; not followed, past case-ignorable ones, by a
/// cased one), with ICU's Cased and Case_Ignorable properties. ICU 72 holds Unicode 15.0 (as
/// Python 3.12); Python 3.11's Unicode 14.0 has the same case mappings and differs only for
/// characters assigned in 15.0 (111 code points that are Cased or Case_Ignorable there).
namespace mlstack::names {

/// `str.lower()`.
[[nodiscard]] std::string python_lower(std::string_view text);

/// Whether `name` matches pip's check of an installed distribution's canonical name,
/// `re.match(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", name, re.IGNORECASE)` on a str:
/// Unicode case-insensitive, so a character also matches `[A-Z0-9]` when its simple lowercase
/// is an ASCII letter or digit (`K` KELVIN SIGN, `İ`) or one of the lowercase letters that
/// Python's `re` treats as equal to one (those whose uppercase is an ASCII letter: `ı`, `ſ`);
/// `$` also matches before a final newline.
[[nodiscard]] bool matches_pip_name_pattern(std::string_view name);

/// Why Unicode case mapping is unavailable (ICU could not be loaded), once a non-ASCII name
/// needed it; then such names were lowercased in ASCII only. Empty otherwise.
[[nodiscard]] std::optional<std::string> unicode_case_error();

}  // namespace mlstack::names
