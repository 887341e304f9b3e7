// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/metadata/python_text.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::metadata {

/// What mlstack reads from a `*.dist-info/WHEEL` file.
struct WheelFile {
  /// Every `Tag` value, raw and unstripped, as pip's `check_unsupported` reads them with
  /// `email.parser.Parser().parsestr(text).get_all("Tag", [])` (compat32, no re-indent).
  std::vector<std::string> tags;
  /// Set when the bytes are not strict UTF-8 (pip's read_text raises); `tags` is empty.
  std::optional<std::string> decode_error;
};

/// Parses the bytes of a WHEEL file.
[[nodiscard]] WheelFile parse_wheel_file(std::string_view bytes);

/// The first non-empty stripped line of an INSTALLER file (pip's `installer` property),
/// or an empty string; non-UTF-8 content gives an empty string as pip's does.
[[nodiscard]] std::string parse_installer(std::string_view bytes);

/// Reads the first field of each row of a RECORD file, parsed as Python's `csv.reader` with
/// the default dialect (`,` separated, `"` quoted, `""` escapes) over `str.splitlines()`;
/// empty rows are skipped. The paths are returned as they are written (relative ones are
/// not joined to anything), one per `next()` call, without allocating for unquoted ones:
///
///     RecordReader reader(text);
///     while (const auto path = reader.next()) { use(*path); }
class RecordReader {
 public:
  explicit RecordReader(std::string_view text) noexcept : m_text(text) {}
  /// The next row's first field, or nothing after the last row. The view points into the
  /// text, or for a quoted field into the reader, and is valid until the next call.
  [[nodiscard]] std::optional<std::string_view> next();
  /// True when every byte read so far is ASCII, so the text read is valid UTF-8 without a
  /// separate `find_utf8_error` pass (false means "not known", not "invalid").
  [[nodiscard]] bool only_ascii() const noexcept { return m_only_ascii; }
  /// The size the row returned last declares (its last field, PEP 376's third), or nothing
  /// when that field is empty or not a plain decimal number.
  [[nodiscard]] std::optional<std::uint64_t> size() const noexcept;
  /// The hash the row returned last declares (its middle field, `sha256=<urlsafe-b64>`), or
  /// empty when the row has no such field. A view into the text, valid as `next()`'s.
  [[nodiscard]] std::string_view hash() const noexcept;

 private:
  LineBreak break_at(std::size_t stop) noexcept;
  LineBreak line_break_from(std::size_t i) noexcept;

  std::string_view m_text;
  std::size_t m_pos = 0;
  std::size_t m_row_begin = 0;  // the line of the row returned last: [begin, end)
  std::size_t m_row_end = 0;
  std::string m_field;  // a quoted field, unescaped
  bool m_only_ascii = true;
};

}  // namespace mlstack::metadata
