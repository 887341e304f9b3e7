// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace mlstack::pep508::detail {

/// Sets `out` to the value of a quoted marker string as `str(ast.literal_eval(token))` computes
/// it: Python's escape sequences (`\n`, `\x41`, `\u00e9`, octal, line continuation...) are
/// decoded, and what Python rejects (an unescaped line break, a NUL, a truncated `\x`) gives
/// false. `token` includes its quotes. Deviation: `\N{name}` needs the Unicode name database
/// and is rejected.
[[nodiscard]] bool decode_python_string(std::string_view token, std::string& out);

}  // namespace mlstack::pep508::detail
