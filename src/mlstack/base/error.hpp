// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace mlstack {

/// `limit`: the input is past one of mlstack's bounds (nesting depth, size, count), which are
/// set where the reference tool stops too or where no real input goes.
enum class ErrorCode { parse, io, not_found, unsupported, invalid_data, timeout, limit };

/// The part of an input an error points at; rendered as the input line plus a caret line.
struct SourceSpan {
  std::string input;
  std::size_t begin = 0;
  std::size_t length = 1;
};

/// An error on input. `message` says what (lowercase, no final period, "expected X, found Y");
/// `context` says where, innermost first, added by each layer on the way up.
struct Error {
  ErrorCode code = ErrorCode::parse;
  std::string message;
  std::vector<std::string> context;
  std::optional<SourceSpan> span;
};

[[nodiscard]] Error make_error(ErrorCode code, std::string message);
[[nodiscard]] Error make_parse_error(std::string message, std::string input, std::size_t begin,
                                     std::size_t length = 1);

/// Appends `where` (such as `path:14`) to the error's context.
[[nodiscard]] Error with_context(Error e, std::string where);

/// One-line form: `outer: inner: message`.
[[nodiscard]] std::string to_string(const Error& e);

/// Multi-line form: the one-line form, then the input and a caret line when there is a span.
///
/// **Example**
/// ```
/// expected version after `>=`, found `;`
///     torch>=; python_version > "3.8"
///            ^
/// ```
[[nodiscard]] std::string render(const Error& e);

}  // namespace mlstack
