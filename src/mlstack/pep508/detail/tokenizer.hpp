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

/// The out-of-line matchers of `Tokenizer::match`: the length of the token of that kind at
/// byte `pos` of `s`, if one starts there.
[[nodiscard]] std::optional<std::size_t> match_identifier(std::string_view s, std::size_t pos);
[[nodiscard]] std::optional<std::size_t> match_variable(std::string_view s, std::size_t pos);
[[nodiscard]] std::optional<std::size_t> match_quoted(std::string_view s, std::size_t pos);
[[nodiscard]] std::optional<std::size_t> match_word(std::string_view s, std::size_t pos,
                                                    std::string_view word);
[[nodiscard]] std::optional<std::size_t> match_local_label_trail(std::string_view s,
                                                                 std::size_t pos);
[[nodiscard]] std::optional<std::size_t> match_url(std::string_view s, std::size_t pos);

/// Context-sensitive tokenizer with the matching rules of packaging's `Tokenizer`: each rule is
/// tried only where the grammar asks for it. Python's `re` semantics are reproduced by hand,
/// including Unicode-aware `\b` and `\s` (see python_chars.hpp).
///
/// `match` is inline: the parsers call it with a constant kind, so each call site compiles to
/// the one rule it asks for (a character test for the punctuation, whitespace and end rules).
/// `mlstack check` reads every Requires-Dist of an environment through here.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view source) : m_source(source) {}

  /// Length of the match of `kind` at the current position, if it matches.
  [[nodiscard]] std::optional<std::size_t> match(TokenKind kind) const;
  /// True (and the token is read) when `kind` matches here.
  bool check_read(TokenKind kind, Token* out = nullptr) {
    const std::optional<std::size_t> n = match(kind);
    if (!n) {
      return false;
    }
    if (out != nullptr) {
      *out = Token{kind, m_source.substr(m_position, *n), m_position};
    }
    m_position += *n;
    return true;
  }
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
  [[nodiscard]] std::optional<std::size_t> match_char(char c) const noexcept {
    if (m_position < m_source.size() && m_source[m_position] == c) {
      return 1;
    }
    return std::nullopt;
  }
  // `[ \t]+`
  [[nodiscard]] std::optional<std::size_t> match_ws() const noexcept {
    std::size_t end = m_position;
    while (end < m_source.size() && (m_source[end] == ' ' || m_source[end] == '\t')) {
      ++end;
    }
    if (end == m_position) {
      return std::nullopt;
    }
    return end - m_position;
  }
  // `===|==|~=|!=|<=|>=|<|>`, first alternative first.
  [[nodiscard]] std::optional<std::size_t> match_op() const noexcept {
    const std::size_t p = m_position;
    if (p >= m_source.size()) {
      return std::nullopt;
    }
    const char c = m_source[p];
    const bool eq_next = p + 1 < m_source.size() && m_source[p + 1] == '=';
    switch (c) {
      case '=':
        if (!eq_next) {
          return std::nullopt;
        }
        return p + 2 < m_source.size() && m_source[p + 2] == '=' ? 3 : 2;
      case '~':
      case '!':
        if (!eq_next) {
          return std::nullopt;
        }
        return 2;
      case '<':
      case '>':
        return eq_next ? 2 : 1;
      default:
        return std::nullopt;
    }
  }

  std::string_view m_source;
  std::size_t m_position = 0;
};

/// Length of the longest prefix of `s` matched by packaging's specifier regex (without the
/// surrounding `\s*`), or nullopt.
[[nodiscard]] std::optional<std::size_t> match_specifier(std::string_view s, std::size_t pos);

inline std::optional<std::size_t> Tokenizer::match(TokenKind kind) const {
  const std::string_view s = m_source;
  const std::size_t p = m_position;
  switch (kind) {
    case TokenKind::left_parenthesis:
      return match_char('(');
    case TokenKind::right_parenthesis:
      return match_char(')');
    case TokenKind::left_bracket:
      return match_char('[');
    case TokenKind::right_bracket:
      return match_char(']');
    case TokenKind::semicolon:
      return match_char(';');
    case TokenKind::comma:
      return match_char(',');
    case TokenKind::at:
      return match_char('@');
    case TokenKind::quoted_string:
      return match_quoted(s, p);
    case TokenKind::op:
      return match_op();
    case TokenKind::boolop:
      if (p < s.size() && s[p] == 'o') {
        return match_word(s, p, "or");
      }
      if (p < s.size() && s[p] == 'a') {
        return match_word(s, p, "and");
      }
      return std::nullopt;
    case TokenKind::in:
      if (p < s.size() && s[p] == 'i') {
        return match_word(s, p, "in");
      }
      return std::nullopt;
    case TokenKind::not_:
      if (p < s.size() && s[p] == 'n') {
        return match_word(s, p, "not");
      }
      return std::nullopt;
    case TokenKind::variable:
      return match_variable(s, p);
    case TokenKind::specifier:
      return match_specifier(s, p);
    case TokenKind::url:
      return match_url(s, p);
    case TokenKind::identifier:
      return match_identifier(s, p);
    case TokenKind::version_prefix_trail:
      if (p + 1 < s.size() && s[p] == '.' && s[p + 1] == '*') {
        return 2;
      }
      return std::nullopt;
    case TokenKind::version_local_label_trail:
      return match_local_label_trail(s, p);
    case TokenKind::ws:
      return match_ws();
    case TokenKind::end:
      if (p == s.size()) {
        return 0;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace mlstack::pep508::detail
