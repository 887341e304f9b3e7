// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mlstack::pep508::detail {

/// The value of a quoted marker string as `str(ast.literal_eval(token))` computes it: Python's
/// escape sequences (`\n`, `\x41`, `\u00e9`, octal, line continuation...) are decoded, and what
/// Python rejects (an unescaped line break, a NUL, a truncated `\x`) gives nullopt.
/// `token` includes its quotes. Deviation: `\N{name}` needs the Unicode name database and is
/// rejected.
[[nodiscard]] std::optional<std::string> decode_python_string(std::string_view token);

}  // namespace mlstack::pep508::detail
