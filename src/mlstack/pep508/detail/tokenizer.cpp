// SPDX-License-Identifier: MIT
#include "mlstack/pep508/detail/tokenizer.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/pep508/detail/python_chars.hpp"

#include <array>

namespace mlstack::pep508::detail {
namespace {

// Reproduces packaging's `Specifier._specifier_regex_str` (VERBOSE | IGNORECASE) with the
// greedy, first-alternative-wins semantics of `re.match`: nothing after an optional group is
// mandatory, so no backtracking into a group that matched is ever needed.
class SpecifierMatcher {
 public:
  SpecifierMatcher(std::string_view s, std::size_t pos) : m_s(s), m_start(pos), m_pos(pos) {}

  std::optional<std::size_t> run() {
    if (lit("===")) {
      spaces();
      while (m_pos < m_s.size()) {
        std::size_t length = 0;
        const std::uint32_t cp = decode_utf8(m_s, m_pos, &length);
        if (is_python_space(cp) || cp == ';' || cp == ')') {
          break;
        }
        m_pos += length;
      }
      return m_pos - m_start;
    }
    if (lit("==") || lit("!=")) {
      if (!version_head(ReleaseMin::one)) {
        return std::nullopt;
      }
      if (!lit(".*")) {
        pre();
        post();
        dev();
        local();
      }
      return m_pos - m_start;
    }
    if (lit("~=")) {
      if (!version_head(ReleaseMin::two)) {
        return std::nullopt;
      }
      pre();
      post();
      dev();
      return m_pos - m_start;
    }
    if (lit("<=") || lit(">=") || lit("<") || lit(">")) {
      if (!version_head(ReleaseMin::one)) {
        return std::nullopt;
      }
      pre();
      post();
      dev();
      return m_pos - m_start;
    }
    return std::nullopt;
  }

 private:
  enum class ReleaseMin { one, two };

  bool lit(std::string_view word) {
    if (m_s.size() - m_pos < word.size()) {
      return false;
    }
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (text::ascii_lower(m_s[m_pos + i]) != word[i]) {
        return false;
      }
    }
    m_pos += word.size();
    return true;
  }
  [[nodiscard]] bool at(char c) const { return m_pos < m_s.size() && m_s[m_pos] == c; }
  [[nodiscard]] bool at_digit(std::size_t pos) const {
    return pos < m_s.size() && text::is_ascii_digit(m_s[pos]);
  }
  [[nodiscard]] bool at_sep(std::size_t pos) const {
    return pos < m_s.size() && (m_s[pos] == '-' || m_s[pos] == '_' || m_s[pos] == '.');
  }
  std::size_t digits() {
    const std::size_t begin = m_pos;
    while (at_digit(m_pos)) {
      ++m_pos;
    }
    return m_pos - begin;
  }
  void spaces() {
    while (m_pos < m_s.size()) {
      std::size_t length = 0;
      if (!is_python_space(decode_utf8(m_s, m_pos, &length))) {
        break;
      }
      m_pos += length;
    }
  }
  // \s* v? (?:[0-9]+!)? [0-9]+(?:\.[0-9]+)*  (or `+` for ReleaseMin::two)
  bool version_head(ReleaseMin min) {
    spaces();
    (void)lit("v");
    const std::size_t save = m_pos;
    if (digits() == 0 || !at('!')) {
      m_pos = save;
    } else {
      ++m_pos;
    }
    if (digits() == 0) {
      return false;
    }
    std::size_t parts = 1;
    while (at('.') && at_digit(m_pos + 1)) {
      ++m_pos;
      (void)digits();
      ++parts;
    }
    return min == ReleaseMin::one || parts >= 2;
  }
  // Tries `[-_.]? word` for each word in order, with and without the separator.
  bool sep_then_word(std::initializer_list<std::string_view> words) {
    const std::size_t save = m_pos;
    for (const bool with_sep : {true, false}) {
      m_pos = save;
      if (with_sep) {
        if (!at_sep(m_pos)) {
          continue;
        }
        ++m_pos;
      }
      for (const std::string_view w : words) {
        if (lit(w)) {
          return true;
        }
      }
    }
    m_pos = save;
    return false;
  }
  void optional_sep_digits() {
    if (at_sep(m_pos)) {
      ++m_pos;
    }
    (void)digits();
  }
  // [-_\.]?(alpha|beta|preview|pre|a|b|c|rc)[-_\.]?[0-9]*
  void pre() {
    if (sep_then_word({"alpha", "beta", "preview", "pre", "a", "b", "c", "rc"})) {
      optional_sep_digits();
    }
  }
  // (?:-[0-9]+)|(?:[-_\.]?(post|rev|r)[-_\.]?[0-9]*)
  void post() {
    if (at('-') && at_digit(m_pos + 1)) {
      ++m_pos;
      (void)digits();
      return;
    }
    if (sep_then_word({"post", "rev", "r"})) {
      optional_sep_digits();
    }
  }
  // [-_\.]?dev[-_\.]?[0-9]*
  void dev() {
    if (sep_then_word({"dev"})) {
      optional_sep_digits();
    }
  }
  // \+[a-z0-9]+(?:[-_\.][a-z0-9]+)*
  void local() {
    if (!at('+') || !is_alnum(m_pos + 1)) {
      return;
    }
    ++m_pos;
    while (is_alnum(m_pos)) {
      ++m_pos;
    }
    while (at_sep(m_pos) && is_alnum(m_pos + 1)) {
      ++m_pos;
      while (is_alnum(m_pos)) {
        ++m_pos;
      }
    }
  }
  [[nodiscard]] bool is_alnum(std::size_t pos) const {
    return pos < m_s.size() && text::is_ascii_alnum(m_s[pos]);
  }

  std::string_view m_s;
  std::size_t m_start;
  std::size_t m_pos;
};

// `\b(...)\b` over the alternatives of packaging's VARIABLE rule, in the regex's order.
constexpr std::array<std::string_view, 20> k_variables = {
    "python_version",
    "python_full_version",
    "os_name",
    "os.name",
    "sys_platform",
    "sys.platform",
    "platform_release",
    "platform_system",
    "platform_version",
    "platform.version",
    "platform_machine",
    "platform.machine",
    "platform_python_implementation",
    "platform.python_implementation",
    "python_implementation",
    "implementation_name",
    "implementation_version",
    "extras",
    "extra",
    "dependency_groups",
};

std::optional<std::size_t> match_words(std::string_view s, std::size_t pos,
                                       std::initializer_list<std::string_view> words) {
  if (!is_word_boundary(s, pos)) {
    return std::nullopt;
  }
  for (const std::string_view w : words) {
    if (s.substr(pos).starts_with(w) && is_word_boundary(s, pos + w.size())) {
      return w.size();
    }
  }
  return std::nullopt;
}

bool is_identifier_char(char c) {
  return text::is_ascii_alnum(c) || c == '.' || c == '_' || c == '-';
}

std::optional<std::size_t> match_identifier(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || !text::is_ascii_alnum(s[pos]) || !is_word_boundary(s, pos)) {
    return std::nullopt;
  }
  std::size_t end = pos + 1;
  while (end < s.size() && is_identifier_char(s[end])) {
    ++end;
  }
  for (; end > pos; --end) {  // backtrack to the longest run that ends on `\b`
    if (is_word_boundary(s, end)) {
      return end - pos;
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> match_run(std::string_view s, std::size_t pos, bool (*pred)(char)) {
  std::size_t end = pos;
  while (end < s.size() && pred(s[end])) {
    ++end;
  }
  if (end == pos) {
    return std::nullopt;
  }
  return end - pos;
}

std::optional<std::size_t> match_char(std::string_view s, std::size_t pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    return 1;
  }
  return std::nullopt;
}

std::optional<std::size_t> match_op(std::string_view s, std::size_t pos) {
  const std::string_view rest = s.substr(pos);
  for (const std::string_view op : {"===", "==", "~=", "!=", "<=", ">=", "<", ">"}) {
    if (rest.starts_with(op)) {
      return op.size();
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> match_quoted(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || (s[pos] != '\'' && s[pos] != '"')) {
    return std::nullopt;
  }
  const std::size_t close = s.find(s[pos], pos + 1);
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  return close + 1 - pos;
}

std::optional<std::size_t> match_local_label_trail(std::string_view s, std::size_t pos) {
  // \+[a-z0-9]+(?:[-_\.][a-z0-9]+)*, case-sensitive: only the length's existence matters.
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || text::is_ascii_digit(c); };
  if (pos + 1 < s.size() && s[pos] == '+' && lower_alnum(s[pos + 1])) {
    std::size_t end = pos + 2;
    while (end < s.size() && lower_alnum(s[end])) {
      ++end;
    }
    return end - pos;
  }
  return std::nullopt;
}

bool is_ws(char c) { return c == ' ' || c == '\t'; }
bool is_not_ws(char c) { return !is_ws(c); }

// ", found X" for the house-style message: what sits at the error position.
std::string describe_found(std::string_view source, std::size_t pos) {
  if (pos >= source.size()) {
    return "end of input";
  }
  const char c = source[pos];
  if (c == ' ' || c == '\t') {
    return "whitespace";
  }
  if (c == '\n' || c == '\r') {
    return "a line break";
  }
  if (is_identifier_char(c)) {
    const std::size_t n = match_run(source, pos, is_identifier_char).value_or(1);
    return "`" + std::string(source.substr(pos, n)) + "`";
  }
  std::size_t length = 0;
  (void)decode_utf8(source, pos, &length);
  return "`" + std::string(source.substr(pos, length)) + "`";
}

}  // namespace

std::optional<std::size_t> match_specifier(std::string_view s, std::size_t pos) {
  return SpecifierMatcher(s, pos).run();
}

std::optional<std::size_t> Tokenizer::match(TokenKind kind) const {
  const std::string_view s = m_source;
  const std::size_t p = m_position;
  switch (kind) {
    case TokenKind::left_parenthesis:
      return match_char(s, p, '(');
    case TokenKind::right_parenthesis:
      return match_char(s, p, ')');
    case TokenKind::left_bracket:
      return match_char(s, p, '[');
    case TokenKind::right_bracket:
      return match_char(s, p, ']');
    case TokenKind::semicolon:
      return match_char(s, p, ';');
    case TokenKind::comma:
      return match_char(s, p, ',');
    case TokenKind::at:
      return match_char(s, p, '@');
    case TokenKind::quoted_string:
      return match_quoted(s, p);
    case TokenKind::op:
      return match_op(s, p);
    case TokenKind::boolop:
      return match_words(s, p, {"or", "and"});
    case TokenKind::in:
      return match_words(s, p, {"in"});
    case TokenKind::not_:
      return match_words(s, p, {"not"});
    case TokenKind::variable: {
      // Every variable starts with one of these letters: most quoted strings stop here.
      if (p >= s.size() || std::string_view("deiops").find(s[p]) == std::string_view::npos ||
          !is_word_boundary(s, p)) {
        return std::nullopt;
      }
      for (const std::string_view v : k_variables) {
        if (s.substr(p).starts_with(v) && is_word_boundary(s, p + v.size())) {
          return v.size();
        }
      }
      return std::nullopt;
    }
    case TokenKind::specifier:
      return match_specifier(s, p);
    case TokenKind::url:
      return match_run(s, p, is_not_ws);
    case TokenKind::identifier:
      return match_identifier(s, p);
    case TokenKind::version_prefix_trail:
      if (s.substr(p).starts_with(".*")) {
        return 2;
      }
      return std::nullopt;
    case TokenKind::version_local_label_trail:
      return match_local_label_trail(s, p);
    case TokenKind::ws:
      return match_run(s, p, is_ws);
    case TokenKind::end:
      if (p == s.size()) {
        return 0;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

bool Tokenizer::check_read(TokenKind kind, Token* out) {
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

Error syntax_error(std::string_view packaging_message, std::string_view source, std::size_t begin,
                   std::size_t end) {
  std::string message(packaging_message);
  if (!message.empty()) {
    message[0] = text::ascii_lower(message[0]);
  }
  if (message.starts_with("expected ")) {
    message += ", found ";
    message += describe_found(source, end);
  }
  return make_parse_error(std::move(message), std::string(source), begin, end - begin + 1);
}

}  // namespace mlstack::pep508::detail
