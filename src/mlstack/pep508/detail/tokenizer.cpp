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
    // Every operator starts with one of these: most positions the grammar tries stop here.
    if (m_pos >= m_s.size() ||
        std::string_view("=!~<>").find(m_s[m_pos]) == std::string_view::npos) {
      return std::nullopt;
    }
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
  // Tries `[-_.]? word` for each word in order, with and without the separator. Every word
  // starts with a letter, so a position without one (the end of nearly every specifier) is
  // rejected before any word is compared.
  bool sep_then_word(std::initializer_list<std::string_view> words) {
    const std::size_t save = m_pos;
    if (at_sep(save) && at_alpha(save + 1)) {
      m_pos = save + 1;
      for (const std::string_view w : words) {
        if (lit(w)) {
          return true;
        }
      }
      m_pos = save;
    }
    if (at_alpha(save)) {
      for (const std::string_view w : words) {
        if (lit(w)) {
          return true;
        }
      }
    }
    m_pos = save;
    return false;
  }
  [[nodiscard]] bool at_alpha(std::size_t pos) const {
    return pos < m_s.size() && text::is_ascii_alpha(m_s[pos]);
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

// The alternatives of packaging's VARIABLE rule `\b(...)\b`, grouped by first letter, each
// group in the regex's order. With the trailing `\b` at most one alternative matches at a
// position (the only prefix pair, `extras`/`extra`, differs by a word character), so trying
// only the group of the first letter finds the match the regex finds.
constexpr std::string_view k_variables_d[] = {"dependency_groups"};
constexpr std::string_view k_variables_e[] = {"extras", "extra"};
constexpr std::string_view k_variables_i[] = {"implementation_name", "implementation_version"};
constexpr std::string_view k_variables_o[] = {"os_name", "os.name"};
constexpr std::string_view k_variables_p[] = {
    "python_version",
    "python_full_version",
    "platform_release",
    "platform_system",
    "platform_version",
    "platform.version",
    "platform_machine",
    "platform.machine",
    "platform_python_implementation",
    "platform.python_implementation",
    "python_implementation",
};
constexpr std::string_view k_variables_s[] = {"sys_platform", "sys.platform"};

// `s.starts_with(prefix)`, comparing from the front: the alternatives differ early, and a
// loop beats a call to memcmp on these few bytes.
bool has_prefix(std::string_view s, std::string_view prefix) noexcept {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (s[i] != prefix[i]) {
      return false;
    }
  }
  return true;
}

template <std::size_t N>
std::optional<std::size_t> match_one_of(std::string_view s, std::size_t pos,
                                        const std::string_view (&words)[N]) {
  const std::string_view rest = s.substr(pos);
  for (const std::string_view w : words) {
    if (has_prefix(rest, w) && is_word_boundary(s, pos + w.size())) {
      return w.size();
    }
  }
  return std::nullopt;
}

// `[a-zA-Z0-9._-]`
constexpr std::array<bool, 256> k_identifier_chars = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    table[static_cast<std::size_t>(c)] =
        text::is_ascii_alnum(ch) || ch == '.' || ch == '_' || ch == '-';
  }
  return table;
}();

bool is_identifier_char(char c) { return k_identifier_chars[static_cast<unsigned char>(c)]; }

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

// `\b(python_version|...)\b`
std::optional<std::size_t> match_variable(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) {
    return std::nullopt;
  }
  const char first = s[pos];
  // Every variable starts with one of these letters: most quoted strings stop here.
  if (first != 'd' && first != 'e' && first != 'i' && first != 'o' && first != 'p' &&
      first != 's') {
    return std::nullopt;
  }
  if (!is_word_boundary(s, pos)) {
    return std::nullopt;
  }
  switch (first) {
    case 'd':
      return match_one_of(s, pos, k_variables_d);
    case 'e':
      return match_one_of(s, pos, k_variables_e);
    case 'i':
      return match_one_of(s, pos, k_variables_i);
    case 'o':
      return match_one_of(s, pos, k_variables_o);
    case 'p':
      return match_one_of(s, pos, k_variables_p);
    default:
      return match_one_of(s, pos, k_variables_s);
  }
}

// `\bWORD\b`
std::optional<std::size_t> match_word(std::string_view s, std::size_t pos, std::string_view word) {
  if (has_prefix(s.substr(pos), word) && is_word_boundary(s, pos) &&
      is_word_boundary(s, pos + word.size())) {
    return word.size();
  }
  return std::nullopt;
}

// `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`
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

// `'[^']*'|"[^"]*"`
std::optional<std::size_t> match_quoted(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || (s[pos] != '\'' && s[pos] != '"')) {
    return std::nullopt;
  }
  const char quote = s[pos];
  for (std::size_t i = pos + 1; i < s.size(); ++i) {
    if (s[i] == quote) {
      return i + 1 - pos;
    }
  }
  return std::nullopt;
}

// `\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*`, case-sensitive: only the length's existence matters.
std::optional<std::size_t> match_local_label_trail(std::string_view s, std::size_t pos) {
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

// `[^ \t]+`
std::optional<std::size_t> match_url(std::string_view s, std::size_t pos) {
  return match_run(s, pos, is_not_ws);
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
