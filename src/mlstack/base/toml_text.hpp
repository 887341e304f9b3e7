// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"

#include <string_view>

namespace mlstack::text {

/// Checks a TOML file's text (a KB file, a lock) before toml++ sees it, refusing what Debian's toml++ 3.3.0 does
/// not handle safely (an assertion, or `__builtin_unreachable` in a release build):
/// - invalid UTF-8 (overlong forms, surrogates, past U+10FFFF, cut sequences);
/// - control characters other than tab, and CR not followed by LF: TOML allows none anywhere
///   (`[\x11` reached an assertion in `parse_key`);
/// - a table header whose `[` or `[[` is not followed by a key, a quote or `]` (`[` and a line
///   break reached the same assertion);
/// - a `}` where an array element is expected (`a = [}`: an assertion in `parse_value`);
/// - non-ASCII characters outside strings and comments, where TOML 1.0 allows none;
/// - U+FB26 to U+FEFE inside strings: toml++'s whitespace table has no case for them (its
///   `is_non_ascii_horizontal_whitespace` reaches `TOML_UNREACHABLE`), and it asks that table
///   about the characters of quoted keys and multi-line strings. `\uFEBF` in a `"..."` string
///   says the same and is safe.
/// A leading byte order mark is accepted. Every TOML 1.0 file without those characters in its
/// strings passes. The error reads `name:line:column: message` (the column in characters) and
/// carries no span, so the offending bytes are never echoed to a terminal.
[[nodiscard]] Result<void> check_toml_text(std::string_view name, std::string_view text);

}  // namespace mlstack::text
