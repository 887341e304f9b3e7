// SPDX-License-Identifier: MIT
#pragma once

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

/// The first field of each row of a RECORD file, parsed as Python's `csv.reader` with the
/// default dialect (`,` separated, `"` quoted, `""` escapes); empty rows are skipped.
/// With `relative_to`, paths not starting with `/` are prefixed with it and a `/` (none is
/// added when it already ends with one), such as `/venv/site-packages/torch/__init__.py`.
[[nodiscard]] std::vector<std::string> parse_record_paths(std::string_view text,
                                                          std::string_view relative_to = {});

}  // namespace mlstack::metadata
