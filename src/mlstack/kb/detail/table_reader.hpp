// SPDX-License-Identifier: MIT
#pragma once

// Internals shared by the toml++ adapter (toml_loader.cpp) and the rows reader
// (table_reader.cpp).

#include "mlstack/base/result.hpp"
#include "mlstack/kb/flat.hpp"
#include "mlstack/kb/kb.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::kb::detail {

/// A KB file's name and text, for error messages. The text is split into lines only when an
/// error is built.
class FileContext {
 public:
  FileContext(std::string_view name, std::string_view text) : m_name(name), m_text(text) {}

  [[nodiscard]] const std::string& name() const noexcept { return m_name; }

  /// `name:line:column: message` and the line with a caret under `length` characters.
  [[nodiscard]] Error error(Where w, std::string message, std::size_t length = 1) const;

  /// Maps an error inside a string value (the expression or template) to the file: the
  /// value starts at `w` (its opening quote). Exact for literal strings ('...', '''...''')
  /// and for basic strings without escapes.
  [[nodiscard]] Error relocate(Where w, Error inner) const;

 private:
  [[nodiscard]] std::string_view line_text(long line) const;

  std::string m_name;
  std::string_view m_text;
};

/// Reads `rows` into `kb` (appending), stopping at the first error. Does not record the file
/// in `kb.files`.
[[nodiscard]] Result<void> read_rows(Kb& kb, const FileContext& file,
                                     const std::vector<FlatRow>& rows);

/// The error for a root key that is not a known `[[kind]]`.
[[nodiscard]] Error unknown_table(const FileContext& file, Where w, std::string_view kind);

/// Whether `kind` is a known `[[kind]]`.
[[nodiscard]] bool is_known_kind(std::string_view kind) noexcept;

}  // namespace mlstack::kb::detail
