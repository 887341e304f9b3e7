// SPDX-License-Identifier: MIT
#include "mlstack/base/toml_text.hpp"

#include "mlstack/base/text.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace mlstack::text {
namespace {

// The code points toml++ 3.3.0's `is_non_ascii_horizontal_whitespace` sends to
// TOML_UNREACHABLE: those in [U+00A0, U+FEFF] whose `(c - 0xA0) / 0x3FA` is 63, but U+FEFF.
constexpr char32_t k_unsafe_first = 0xFB26;
constexpr char32_t k_unsafe_last = 0xFEFE;

enum class State : std::uint8_t {
  outside,            // keys, values, punctuation
  comment,            // from `#` to the end of the line
  basic,              // "..."
  literal,            // '...'
  multiline_basic,    // """..."""
  multiline_literal,  // '''...'''
};

bool in_string(State s) {
  return s == State::basic || s == State::literal || s == State::multiline_basic ||
         s == State::multiline_literal;
}

class Checker {
 public:
  Checker(std::string_view name, std::string_view text) : m_name(name), m_text(text) {}

  Result<void> run() {
    std::size_t i = 0;
    if (m_text.starts_with("\xEF\xBB\xBF")) {
      i = 3;  // a byte order mark
    }
    bool escaped = false;  // the previous character was a backslash in a basic string
    while (i < m_text.size()) {
      const text::Utf8Char d = text::decode_utf8(m_text, i);
      if (d.length == 0) {
        return fail(
            i, fmt::format("invalid UTF-8 (byte 0x{:02x})", static_cast<std::uint8_t>(m_text[i])));
      }
      const char32_t c = d.code_point;
      if (c == '\r' && (i + 1 >= m_text.size() || m_text[i + 1] != '\n')) {
        return fail(i, "carriage return not followed by a line feed");
      }
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
        return fail(i, fmt::format("control character U+{:04X} (TOML allows none but tab)",
                                   static_cast<std::uint32_t>(c)));
      }
      if (c >= 0x80 && m_state == State::outside) {
        return fail(i, fmt::format("character U+{:04X} outside a string or comment (TOML "
                                   "allows only ASCII there)",
                                   static_cast<std::uint32_t>(c)));
      }
      if (c >= k_unsafe_first && c <= k_unsafe_last && in_string(m_state)) {
        return fail(i, fmt::format("character U+{0:04X} is not accepted in a string (toml++ "
                                   "3.3.0 mishandles U+FB26 to U+FEFE); hint: write it as "
                                   "`\\u{0:04X}` in a \"...\" string",
                                   static_cast<std::uint32_t>(c)));
      }
      if (escaped) {
        escaped = false;
        i += d.length;
        continue;
      }
      i = step(i, d.length);
      if (m_header_error) {
        return std::move(*m_header_error);
      }
      if (m_escape_next) {
        m_escape_next = false;
        escaped = true;
      }
    }
    return {};
  }

 private:
  // Moves the lexical state over the character at `i`; returns where the next one starts.
  std::size_t step(std::size_t i, std::size_t length) {
    const char c = m_text[i];
    const auto run_of = [&](char q) {  // how many `q` start at i (at most 5)
      std::size_t n = 0;
      while (n < 5 && i + n < m_text.size() && m_text[i + n] == q) {
        ++n;
      }
      return n;
    };
    switch (m_state) {
      case State::outside: {
        if (c == '\n') {
          m_line_start = true;
          m_key_context = m_key_context || m_depth == 0;
          break;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
          break;
        }
        if (c == '[' && m_line_start && m_depth == 0) {
          return table_header(i);
        }
        // Where toml++ reads a quote as a string: a key (a line's start, after `.`, `{`, `,`)
        // or a value (after `=`, `[`, `,`). Elsewhere (`1.5"x`) it is an error to toml++, which
        // then reads on outside a string, and so does this check.
        const bool string_may_start =
            m_key_context ? m_line_start || m_prev == '.' || m_prev == '{' || m_prev == ',' ||
                                m_prev == '['
                          : m_prev == '=' || m_prev == '[' || m_prev == ',';
        if (c == '=') {
          m_key_context = false;
        }
        m_line_start = false;
        if (c != '#') {
          m_prev = c;
        }
        if (c == '}' && m_array_value_expected) {
          // toml++ asserts (`parse_value`: `!is_value_terminator(*cp)`) on `[}` and `[1, }`.
          m_header_error = fail(i, "expected a value or `]` in an array, found `}`");
          return i + 1;
        }
        if (c != '#') {
          m_array_value_expected = false;
        }
        if (c == '[' || c == '{') {
          ++m_depth;
          m_open.push_back(c);
          m_array_value_expected = c == '[';
          m_key_context = c == '{';
        } else if ((c == ']' || c == '}') && m_depth > 0) {
          --m_depth;
          if (!m_open.empty()) {
            m_open.pop_back();
          }
          m_key_context = false;  // what follows a value
        } else if (c == ',' && !m_open.empty()) {
          m_array_value_expected = m_open.back() == '[';
          m_key_context = m_open.back() == '{';
        } else if (c == '#') {
          m_state = State::comment;
        } else if ((c == '"' || c == '\'') && string_may_start) {
          const bool triple = m_text.substr(i, 3) == std::string(3, c);
          m_state = c == '"' ? (triple ? State::multiline_basic : State::basic)
                             : (triple ? State::multiline_literal : State::literal);
          return i + (triple ? 3 : 1);
        }
        break;
      }
      case State::comment:
        if (c == '\n') {
          m_state = State::outside;
          m_line_start = true;
          m_key_context = m_key_context || m_depth == 0;
        }
        break;
      case State::basic:
      case State::literal:
        // A line break ends the (invalid) string: toml++ reports it, the rest is outside.
        if (c == '\n' || c == (m_state == State::basic ? '"' : '\'')) {
          m_state = State::outside;
          m_prev = c == '\n' ? m_prev : c;
          m_line_start = c == '\n';
          m_key_context = m_key_context || (c == '\n' && m_depth == 0);
        } else if (c == '\\' && m_state == State::basic) {
          m_escape_next = true;
        }
        break;
      case State::multiline_basic:
      case State::multiline_literal: {
        const char q = m_state == State::multiline_basic ? '"' : '\'';
        if (c == q) {
          // One or two quotes may stand just inside the closing delimiter.
          const std::size_t n = run_of(q);
          if (n >= 3) {
            m_state = State::outside;
            m_prev = q;
          }
          return i + n;
        }
        if (c == '\\' && m_state == State::multiline_basic) {
          m_escape_next = true;
        }
        break;
      }
    }
    return i + length;
  }

  // A table header, `[` or `[[` at the start of a line outside any value: toml++ asserts
  // (`parse_key`) unless a key, a quote or `]` follows the brackets and blanks. Returns where
  // scanning goes on (the key), or sets m_header_error.
  std::size_t table_header(std::size_t i) {
    m_prev = '[';  // a quoted key may follow
    m_key_context = true;
    std::size_t j = i + 1;
    if (j < m_text.size() && m_text[j] == '[') {
      ++j;
    }
    while (j < m_text.size() && (m_text[j] == ' ' || m_text[j] == '\t')) {
      ++j;
    }
    m_line_start = false;
    if (j >= m_text.size()) {
      return j;
    }
    const char c = m_text[j];
    const bool key_start = text::is_ascii_alnum(c) || c == '_' || c == '-' || c == '"' ||
                           c == '\'' || c == ']';
    if (!key_start && (c == '\n' || c == '\r' || (c > ' ' && c < 0x7F))) {
      m_header_error = fail(j, c == '\n' || c == '\r'
                                   ? std::string("expected a key after `[`, found a line break")
                                   : fmt::format("expected a key after `[`, found `{}`", c));
    }
    return j;
  }

  Unexpected<Error> fail(std::size_t at, std::string message) const {
    long line = 1;
    std::size_t line_start = 0;
    for (std::size_t k = 0; k < at; ++k) {
      if (m_text[k] == '\n') {
        ++line;
        line_start = k + 1;
      }
    }
    long column = 1;
    for (std::size_t k = line_start; k < at; ++k) {
      // Characters, not bytes: count every byte but UTF-8 continuation bytes.
      if ((static_cast<std::uint8_t>(m_text[k]) & 0xC0U) != 0x80U) {
        ++column;
      }
    }
    return unexpected(with_context(make_error(ErrorCode::parse, std::move(message)),
                                   fmt::format("{}:{}:{}", m_name, line, column)));
  }

  std::string_view m_name;
  std::string_view m_text;
  State m_state = State::outside;
  bool m_escape_next = false;
  bool m_line_start = true;  // only blanks since the last line break (outside strings)
  int m_depth = 0;           // `[` and `{` of values open here
  std::string m_open;        // those brackets, innermost last
  bool m_array_value_expected = false;  // after an array's `[` or `,`, blanks and comments
  char m_prev = '\n';  // the last character outside strings and comments but blanks
  bool m_key_context = true;  // a key is read here (a line's start, a table header, `{`, `,` in `{}`)
  std::optional<Unexpected<Error>> m_header_error;
};

}  // namespace

Result<void> check_toml_text(std::string_view name, std::string_view text) {
  return Checker(name, text).run();
}

}  // namespace mlstack::text
