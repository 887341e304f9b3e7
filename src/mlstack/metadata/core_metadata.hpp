// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::metadata {

/// The core-metadata fields mlstack reads from METADATA / PKG-INFO, as raw strings exactly
/// as `importlib.metadata`'s message returns them (`msg["Name"]`, `msg.get_all(...)`):
/// unstripped, with folded values re-indented as importlib does. Parsing into types
/// (pep440, pep508) happens later; pip strips each Requires-Dist before parsing it.
struct CoreMetadata {
  std::optional<std::string> metadata_version;  // first `Metadata-Version`
  std::optional<std::string> name;              // first `Name`
  std::optional<std::string> version;           // first `Version`
  std::optional<std::string> summary;           // first `Summary`
  std::optional<std::string> requires_python;   // first `Requires-Python`
  std::vector<std::string> requires_dist;       // every `Requires-Dist`
  std::vector<std::string> provides_extra;      // every `Provides-Extra`
};

/// A parsed metadata file: the fields, and every problem found (the parse never fails).
struct ParsedMetadata {
  CoreMetadata metadata;
  /// Set when the bytes are not strict UTF-8: importlib (and so pip) cannot read the file
  /// at all, and `metadata` is left empty. Python's message, such as
  /// "'utf-8' codec can't decode byte 0xff in position 12: invalid start byte".
  std::optional<std::string> decode_error;
  /// One sentence each: the decode error, header defects (with line numbers), missing
  /// `Name` / `Version` / `Metadata-Version`, an invalid `Name`.
  std::vector<std::string> problems;
};

/// Parses the bytes of a METADATA or PKG-INFO file as importlib.metadata does:
/// strict UTF-8 over the whole file, universal newlines, `email.message_from_string` with
/// policy compat32, then importlib's re-indentation of folded values. Only the header
/// section is examined.
///
/// **Example**
/// ```
/// parse_core_metadata("Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n\nbody")
///   .metadata.name == "six"
/// ```
[[nodiscard]] ParsedMetadata parse_core_metadata(std::string_view bytes);

/// `parse_core_metadata` on bytes the caller has already checked with `find_utf8_error`
/// (as importlib's `read_text` does before parsing), so the file is not validated twice.
[[nodiscard]] ParsedMetadata parse_core_metadata_text(std::string_view decoded);

}  // namespace mlstack::metadata
