// SPDX-License-Identifier: MIT
#include "mlstack/frameworks/python_literals.hpp"

#include "mlstack/base/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace mlstack::frameworks {
namespace {

// CPython's tokenizer allows 200 nested brackets (MAXLEVEL in Parser/tokenizer.c): a 201st is
// "SyntaxError: too many nested parentheses", so such a file cannot be imported at all.
constexpr int k_max_nesting = 200;

bool is_name_start(char c) { return text::is_ascii_alpha(c) || c == '_'; }
bool is_name_char(char c) { return text::is_ascii_alnum(c) || c == '_'; }

class Parser {
 public:
  explicit Parser(std::string_view s) : m_s(s) {}

  // Skips blanks, newlines (inside brackets only when `multiline`) and comments.
  void skip(bool multiline) {
    while (m_i < m_s.size()) {
      const char c = m_s[m_i];
      if (c == ' ' || c == '\t' || c == '\f' || (multiline && (c == '\n' || c == '\r'))) {
        ++m_i;
      } else if (c == '\\' && m_i + 1 < m_s.size() && m_s[m_i + 1] == '\n') {
        m_i += 2;
      } else if (c == '#') {
        while (m_i < m_s.size() && m_s[m_i] != '\n') {
          ++m_i;
        }
      } else {
        return;
      }
    }
  }

  bool eat(char c, bool multiline) {
    skip(multiline);
    if (m_i < m_s.size() && m_s[m_i] == c) {
      ++m_i;
      return true;
    }
    return false;
  }

  std::optional<std::string> string_literal() {
    std::size_t j = m_i;
    bool raw = false;
    while (j < m_s.size() && j - m_i < 2 && text::is_ascii_alpha(m_s[j])) {
      const char p = text::ascii_lower(m_s[j]);
      if (p != 'r' && p != 'b' && p != 'u') {
        return std::nullopt;  // f-strings and names are not literals we read
      }
      raw = raw || p == 'r';
      ++j;
    }
    if (j >= m_s.size() || (m_s[j] != '\'' && m_s[j] != '"')) {
      return std::nullopt;
    }
    const char q = m_s[j];
    const bool triple = m_s.substr(j, 3) == std::string(3, q);
    j += triple ? 3 : 1;
    std::string out;
    while (j < m_s.size()) {
      const char c = m_s[j];
      if (triple ? m_s.substr(j, 3) == std::string(3, q) : c == q) {
        m_i = j + (triple ? 3 : 1);
        return out;
      }
      if (!triple && c == '\n') {
        return std::nullopt;
      }
      if (c == '\\' && !raw && j + 1 < m_s.size()) {
        const char e = m_s[j + 1];
        j += 2;
        switch (e) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case '\n':
            break;
          case '\\':
          case '\'':
          case '"':
            out += e;
            break;
          default:
            out += '\\';
            out += e;
            break;
        }
        continue;
      }
      out += c;
      ++j;
    }
    return std::nullopt;
  }

  std::optional<PyValue> literal() {
    skip(m_depth > 0);
    if (m_i >= m_s.size()) {
      return std::nullopt;
    }
    PyValue v;
    const char c = m_s[m_i];
    if (auto s = string_literal()) {
      v.kind = PyValue::Kind::string;
      v.text = std::move(*s);
      // Adjacent literals concatenate.
      for (;;) {
        const auto save = m_i;
        skip(m_depth > 0);
        auto more = string_literal();
        if (!more) {
          m_i = save;
          break;
        }
        v.text += *more;
      }
      return v;
    }
    if (text::is_ascii_digit(c) || c == '-' || c == '+' || c == '.') {
      std::size_t j = m_i + 1;
      bool floating = c == '.';
      while (j < m_s.size() && (text::is_ascii_alnum(m_s[j]) || m_s[j] == '.' || m_s[j] == '_')) {
        floating = floating || m_s[j] == '.' || m_s[j] == 'e' || m_s[j] == 'E';
        ++j;
      }
      v.kind = floating ? PyValue::Kind::floating : PyValue::Kind::integer;
      v.text = std::string(m_s.substr(m_i, j - m_i));
      m_i = j;
      return v;
    }
    if (c == '[' || c == '(') {
      if (!open_bracket()) {
        return std::nullopt;
      }
      v.kind = PyValue::Kind::list;
      const char close = c == '[' ? ']' : ')';
      while (!eat(close, true)) {
        auto item = literal();
        if (!item) {
          return std::nullopt;
        }
        v.items.push_back(std::move(*item));
        if (!eat(',', true) && !eat(close, true)) {
          return std::nullopt;
        }
        if (m_i > 0 && m_s[m_i - 1] == close) {
          break;
        }
      }
      --m_depth;
      return v;
    }
    if (c == '{') {
      if (!open_bracket()) {
        return std::nullopt;
      }
      v.kind = PyValue::Kind::dict;
      while (!eat('}', true)) {
        auto key = literal();
        if (!key || !eat(':', true)) {
          return std::nullopt;
        }
        auto value = literal();
        if (!value) {
          return std::nullopt;
        }
        v.entries.push_back(PyEntry{key->text, std::move(*value)});
        if (!eat(',', true) && !eat('}', true)) {
          return std::nullopt;
        }
        if (m_s[m_i - 1] == '}') {
          break;
        }
      }
      --m_depth;
      return v;
    }
    if (is_name_start(c)) {
      std::size_t j = m_i;
      while (j < m_s.size() && (is_name_char(m_s[j]) || m_s[j] == '.')) {
        ++j;
      }
      const auto word = m_s.substr(m_i, j - m_i);
      if (word == "True" || word == "False") {
        m_i = j;
        v.kind = PyValue::Kind::boolean;
        v.text = std::string(word);
        return v;
      }
      if (word == "None") {
        m_i = j;
        v.kind = PyValue::Kind::none;
        return v;
      }
      if (word == "OrderedDict" || word == "collections.OrderedDict" || word == "dict") {
        m_i = j;
        skip(false);
        if (m_i >= m_s.size() || m_s[m_i] != '(' || !open_bracket()) {
          return std::nullopt;
        }
        auto pairs = eat(')', true) ? std::optional(PyValue{}) : literal();
        if (pairs && pairs->kind == PyValue::Kind::other) {
          pairs->kind = PyValue::Kind::list;  // `OrderedDict()`
        } else if (!pairs || !eat(')', true)) {
          return std::nullopt;
        }
        --m_depth;
        v.kind = PyValue::Kind::dict;
        for (auto& pair : pairs->items) {
          if (pair.kind != PyValue::Kind::list || pair.items.size() != 2) {
            return std::nullopt;
          }
          v.entries.push_back(PyEntry{pair.items[0].text, std::move(pair.items[1])});
        }
        return v;
      }
    }
    return std::nullopt;
  }

  std::size_t pos() const { return m_i; }
  void seek(std::size_t i) { m_i = i; }
  /// Where a bracket past k_max_nesting opens, once one did.
  std::optional<std::size_t> too_deep() const { return m_too_deep; }

 private:
  // Steps over the bracket at m_i; false (and m_too_deep set) past the nesting limit.
  bool open_bracket() {
    if (m_depth >= k_max_nesting) {
      m_too_deep = m_i;
      return false;
    }
    ++m_i;
    ++m_depth;
    return true;
  }

  std::string_view m_s;
  std::size_t m_i = 0;
  int m_depth = 0;
  std::optional<std::size_t> m_too_deep;
};

std::size_t line_end(std::string_view s, std::size_t i) {
  const auto nl = s.find('\n', i);
  return nl == std::string_view::npos ? s.size() : nl;
}

}  // namespace

const PyValue* PyValue::find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) {
      return &v;
    }
  }
  return nullptr;
}

Result<std::vector<PyAssignment>> parse_python_assignments(std::string_view source) {
  std::vector<PyAssignment> out;
  std::size_t i = 0;
  std::size_t line = 1;
  const auto advance_to = [&](std::size_t to) {
    for (; i < to && i < source.size(); ++i) {
      line += source[i] == '\n' ? std::size_t{1} : std::size_t{0};
    }
  };
  while (i < source.size()) {
    const auto end = line_end(source, i);
    const char c = source[i];
    Parser p(source);
    p.seek(i);
    if (c == '"' || c == '\'') {
      // A docstring or bare string: skip it whole (it may span lines).
      if (p.literal()) {
        advance_to(line_end(source, p.pos()));
      } else {
        advance_to(end);
      }
      advance_to(i + 1);
      continue;
    }
    if (!is_name_start(c)) {
      advance_to(end + 1);
      continue;
    }
    std::size_t j = i;
    while (j < end && is_name_char(source[j])) {
      ++j;
    }
    std::string name(source.substr(i, j - i));
    // Optional annotation, then a single `=`.
    std::size_t k = j;
    while (k < end && (source[k] == ' ' || source[k] == '\t')) {
      ++k;
    }
    if (k < end && source[k] == ':') {
      while (k < end && source[k] != '=') {
        ++k;
      }
    }
    if (k >= end || source[k] != '=' || (k + 1 < end && source[k + 1] == '=')) {
      advance_to(end + 1);
      continue;
    }
    p.seek(k + 1);
    const auto start_line = line;
    auto value = p.literal();
    if (const auto at = p.too_deep()) {
      const auto before = source.substr(0, *at);
      const auto bad_line =
          1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
      return unexpected(make_error(
          ErrorCode::limit, fmt::format("line {}: too many nested parentheses (Python allows {})",
                                        bad_line, k_max_nesting)));
    }
    std::size_t stop = 0;
    if (value) {
      p.skip(false);
      const auto rest = line_end(source, p.pos());
      if (p.pos() != rest && source[p.pos()] != '\r') {
        value.reset();  // `x = 1 + 2`: not a plain literal
      } else {
        stop = rest;
      }
    }
    if (!value) {
      value = PyValue{};
      value->kind = PyValue::Kind::other;
      value->text = std::string(text::trim(source.substr(k + 1, end - k - 1)));
      stop = end;
    }
    out.push_back({std::move(name), std::move(*value), start_line});
    advance_to(stop + 1);
  }
  return out;
}

const PyValue* find_assignment(const std::vector<PyAssignment>& assignments,
                               std::string_view name) {
  const PyValue* found = nullptr;
  for (const auto& a : assignments) {
    if (a.name == name) {
      found = &a.value;
    }
  }
  return found;
}

}  // namespace mlstack::frameworks
