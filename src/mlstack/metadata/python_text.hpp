// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// What Python does to text that metadata files go through, on UTF-8 bytes.
namespace mlstack::metadata {

/// Where strict UTF-8 decoding fails, as Python's `UnicodeDecodeError` reports it.
struct Utf8Error {
  std::size_t begin = 0;    // first byte of the undecodable sequence
  std::size_t end = 1;      // one past its last byte
  std::string_view reason;  // `invalid start byte`, `invalid continuation byte`, ...
};

/// The first strict-UTF-8 error in `bytes` (Python's `bytes.decode("utf-8")`: no
/// surrogates, no overlongs, nothing over U+10FFFF), or nullopt when all of it decodes.
/// ASCII runs are checked 32 bytes at a time.
[[nodiscard]] std::optional<Utf8Error> find_utf8_error(std::string_view bytes) noexcept;

/// Python's message: "'utf-8' codec can't decode byte 0xff in position 3: invalid start byte".
[[nodiscard]] std::string describe(const Utf8Error& error, std::string_view bytes);

/// Python's text-mode universal newlines: `\r\n` and lone `\r` become `\n`. Returns `text`
/// itself when it has no `\r`, else `storage` filled with the translation.
[[nodiscard]] std::string_view translate_newlines(std::string_view text, std::string& storage);

/// A line break found by `find_line_break`: `[begin, end)` are its bytes.
struct LineBreak {
  std::size_t begin = 0;
  std::size_t end = 0;
};

/// The first `str.splitlines()` line break at or after `pos`, or `{size, size}` when the
/// rest of `text` has none. Lines can be walked without building a vector:
/// `for (pos = 0; pos < size; pos = brk.end) { brk = find_line_break(text, pos); ... }`.
[[nodiscard]] LineBreak find_line_break(std::string_view text, std::size_t pos) noexcept;

/// Python's `str.splitlines()` on UTF-8 text: breaks at `\n`, `\r`, `\r\n`, `\v`, `\f`,
/// `\x1c`-`\x1e`, U+0085, U+2028 and U+2029; no final empty line.
[[nodiscard]] std::vector<std::string_view> python_splitlines(std::string_view text);

/// Python's `str.strip()` on UTF-8 text: removes Unicode white space (`str.isspace`) at
/// both ends.
[[nodiscard]] std::string_view python_strip(std::string_view text) noexcept;

/// `textwrap.dedent(text)`: blanks lines made only of spaces and tabs, then removes the
/// longest common leading run of spaces and tabs from the other lines.
[[nodiscard]] std::string textwrap_dedent(std::string_view text);

}  // namespace mlstack::metadata
