// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::metadata {

/// One header as Python's `email` package (policy compat32) stores it: the name exactly as
/// written, and the raw value. Both view into the parsed text.
struct Header {
  std::string_view name;
  std::string_view value;
};

/// A problem `email.feedparser` records as a defect (it never raises).
struct HeaderDefect {
  enum class Kind : std::uint8_t {
    first_line_is_continuation,  // FirstHeaderLineIsContinuationDefect: line ignored
    missing_header_name,         // InvalidHeaderDefect("Missing header name."): `: x`
    misplaced_envelope_header,   // MisplacedEnvelopeHeaderDefect: `From ` mid-headers
    missing_body_separator,      // MissingHeaderBodySeparatorDefect: headers end without a
                                 // blank line; the line starts the body
  };
  Kind kind;
  std::size_t line = 0;  // 1-based line number in the text
};

/// `not a header line, the header section ends here (no blank line before it)`, ...
[[nodiscard]] std::string describe(const HeaderDefect& defect);

/// The header section of an RFC 822 style text as `email.message_from_string(text)` sees it
/// with policy compat32 (what importlib.metadata, pip and packaging use for METADATA,
/// PKG-INFO and WHEEL).
///
/// Grammar (feedparser.headerRE and _parse_headers), on `\n`-separated lines:
/// ```
/// header-line   = "From " ... | name ":" value | continuation
/// name          = *( %x21-39 / %x3B-7E )      ; printable ASCII but `:`; may be empty
/// continuation  = ( " " / HTAB ) ...          ; appended to the previous value, verbatim
/// ```
/// The section ends at the first empty line (consumed) or at the first line that is none of
/// these (a defect; that line starts the body). A value is the text after the first `:` with
/// leading spaces and tabs removed, then the continuation lines with their line breaks, with
/// trailing `\r`/`\n` removed (compat32 `header_source_parse`).
///
/// **Example**
/// ```
/// Name: torch          →  {"Name", "torch"}
/// Requires-Dist: a     →  {"Requires-Dist", "a\n  ; extra == 'x'"}
///   ; extra == 'x'
/// ```
class HeaderSection {
 public:
  /// Parses `text`, whose line breaks must already be `\n` only (`translate_newlines`).
  /// The result views into `text`, which must outlive it.
  [[nodiscard]] static HeaderSection parse(std::string_view text);

  [[nodiscard]] const std::vector<Header>& headers() const noexcept { return m_headers; }
  [[nodiscard]] const std::vector<HeaderDefect>& defects() const noexcept { return m_defects; }
  /// The unix-from line (`From ...` as the first line), without its line break.
  [[nodiscard]] std::optional<std::string_view> unixfrom() const noexcept { return m_unixfrom; }
  /// Everything after the header section (the message payload).
  [[nodiscard]] std::string_view body() const noexcept { return m_body; }

  /// `Message.get(name)`: the first value whose name matches ASCII-case-insensitively.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const noexcept;
  /// `Message.get_all(name)`: every matching value, in order.
  [[nodiscard]] std::vector<std::string_view> get_all(std::string_view name) const;

 private:
  std::vector<Header> m_headers;
  std::vector<HeaderDefect> m_defects;
  std::optional<std::string_view> m_unixfrom;
  std::string_view m_body;
};

/// The repair importlib.metadata applies to every value (`_adapters.Message.redent`): a value
/// with a line break becomes `textwrap.dedent(8 * " " + value)`; others are unchanged.
[[nodiscard]] std::string importlib_redent(std::string_view value);

}  // namespace mlstack::metadata
