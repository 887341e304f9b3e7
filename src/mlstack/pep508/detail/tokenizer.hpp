// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/error.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mlstack::pep508::detail {

/// The token kinds of packaging's `_tokenizer.DEFAULT_RULES`.
enum class TokenKind {
  left_parenthesis,           // (
  right_parenthesis,          // )
  left_bracket,               // [
  right_bracket,              // ]
  semicolon,                  // ;
  comma,                      // ,
  quoted_string,              // '[^']*' | "[^"]*"
  op,                         // === == ~= != <= >= < >
  boolop,                     // \b(or|and)\b
  in,                         // \bin\b
  not_,                       // \bnot\b
  variable,                   // \b(python_version|...)\b
  specifier,                  // Specifier._specifier_regex_str, case-insensitive
  at,                         // @
  url,                        // [^ \t]+
  identifier,                 // \b[a-zA-Z0-9][a-zA-Z0-9._-]*\b
  version_prefix_trail,       // \.\*
  version_local_label_trail,  // \+[a-z0-9]+(?:[-_\.][a-z0-9]+)*
  ws,                         // [ \t]+
  end,                        // \Z
};

struct Token {
  TokenKind kind;
  std::string_view text;
  std::size_t position;
};

/// A parse `Error` for packaging's `ParserSyntaxError(message, span=(begin, end))`: the message
/// with its first letter lowercased, `, found X` (what sits at `end`) appended to "Expected"
/// messages, and a span covering `[begin, end]` (packaging's `~~~^`).
[[nodiscard]] Error syntax_error(std::string_view packaging_message, std::string_view source,
                                 std::size_t begin, std::size_t end);

/// Context-sensitive tokenizer with the matching rules of packaging's `Tokenizer`: each rule is
/// tried only where the grammar asks for it. Python's `re` semantics are reproduced by hand,
/// including Unicode-aware `\b` and `\s` (see python_chars.hpp).
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view source) : m_source(source) {}

  /// Length of the match of `kind` at the current position, if it matches.
  [[nodiscard]] std::optional<std::size_t> match(TokenKind kind) const;
  /// True (and the token is read) when `kind` matches here.
  bool check_read(TokenKind kind, Token* out = nullptr);
  [[nodiscard]] bool peek(TokenKind kind) const { return match(kind).has_value(); }
  void consume(TokenKind kind) { (void)check_read(kind); }

  [[nodiscard]] std::size_t position() const noexcept { return m_position; }
  [[nodiscard]] std::string_view source() const noexcept { return m_source; }

  /// packaging's `raise_syntax_error`: the span runs from `begin` to the current position.
  [[nodiscard]] Error error(std::string_view message) const {
    return syntax_error(message, m_source, m_position, m_position);
  }
  [[nodiscard]] Error error(std::string_view message, std::size_t begin) const {
    return syntax_error(message, m_source, begin, m_position);
  }

 private:
  std::string_view m_source;
  std::size_t m_position = 0;
};

/// Length of the longest prefix of `s` matched by packaging's specifier regex (without the
/// surrounding `\s*`), or nullopt.
[[nodiscard]] std::optional<std::size_t> match_specifier(std::string_view s, std::size_t pos);

}  // namespace mlstack::pep508::detail
