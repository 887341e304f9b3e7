// SPDX-License-Identifier: MIT
#include "mlstack/pep508/requirement.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/pep508/detail/python_chars.hpp"
#include "mlstack/pep508/detail/tokenizer.hpp"

#include <algorithm>
#include <set>

namespace mlstack::pep508 {
namespace {

using detail::Token;
using detail::Tokenizer;
using detail::TokenKind;

constexpr std::string_view k_invalid_specifier = "invalid specifier: ";

// The text handed to `SpecifierSet::parse`: packaging joins the SPECIFIER tokens with `,` (a
// `,` for every comma read, so `>=1,` gives `>=1,`). Between them there is only space, tab
// and the commas, which `SpecifierSet` splits on and strips, so the input from the first token
// to the last token or comma parses the same: a view, never a copy (a `Requires-Dist` may
// hold a million specifiers).
class SpecifierText {
 public:
  /// `part` is a view into the requirement's text, after the parts given before.
  void append(std::string_view part) noexcept {
    if (m_begin == nullptr) {
      m_begin = part.data();
    }
    m_end = part.data() + part.size();
  }
  [[nodiscard]] std::string_view str() const noexcept {
    if (m_begin == nullptr) {
      return {};
    }
    return {m_begin, static_cast<std::size_t>(m_end - m_begin)};
  }
  [[nodiscard]] bool empty() const noexcept { return str().empty(); }

 private:
  const char* m_begin = nullptr;
  const char* m_end = nullptr;
};

struct ParsedRequirement {
  std::string_view name;
  std::string_view url;
  std::vector<std::string> extras;  // without exact duplicates, first occurrence kept
  SpecifierText specifier;
  std::size_t specifier_begin = 0;
  bool has_marker = false;
  detail::MarkerList marker;
};

void add_extra(std::vector<std::string>& extras, std::string_view extra) {
  if (std::find(extras.begin(), extras.end(), extra) == extras.end()) {
    extras.emplace_back(extra);
  }
}

// extras_list = IDENTIFIER (WS? ',' WS? IDENTIFIER)*
Result<void> parse_extras_list(Tokenizer& tokenizer, std::vector<std::string>& extras) {
  Token token{};
  if (!tokenizer.check_read(TokenKind::identifier, &token)) {
    return {};
  }
  add_extra(extras, token.text);
  while (true) {
    tokenizer.consume(TokenKind::ws);
    if (tokenizer.peek(TokenKind::identifier)) {
      return unexpected(tokenizer.error("Expected comma between extra names"));
    }
    if (!tokenizer.check_read(TokenKind::comma)) {
      break;
    }
    tokenizer.consume(TokenKind::ws);
    if (!tokenizer.check_read(TokenKind::identifier, &token)) {
      return unexpected(tokenizer.error("Expected extra name after comma"));
    }
    add_extra(extras, token.text);
  }
  return {};
}

Result<void> parse_extras(Tokenizer& tokenizer, std::vector<std::string>& extras) {
  if (!tokenizer.peek(TokenKind::left_bracket)) {
    return {};
  }
  const std::size_t open_position = tokenizer.position();
  tokenizer.consume(TokenKind::left_bracket);
  tokenizer.consume(TokenKind::ws);
  if (Result<void> list = parse_extras_list(tokenizer, extras); !list) {
    return list;
  }
  tokenizer.consume(TokenKind::ws);
  if (!tokenizer.check_read(TokenKind::right_bracket)) {
    return unexpected(tokenizer.error(
        "Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras", open_position));
  }
  return {};
}

// version_many = (SPECIFIER (WS? ',' WS? SPECIFIER)*)?
Result<void> parse_version_many(Tokenizer& tokenizer, SpecifierText& specifiers) {
  Token token{};
  while (tokenizer.check_read(TokenKind::specifier, &token)) {
    specifiers.append(token.text);
    if (tokenizer.peek(TokenKind::version_prefix_trail)) {
      const bool equality = token.text.starts_with("!=") ||
                            (token.text.starts_with("==") && !token.text.starts_with("==="));
      return unexpected(detail::syntax_error(
          equality ? ".* suffix cannot be used with pre-release, post-release, dev or local "
                     "versions"
                   : ".* suffix can only be used with `==` or `!=` operators",
          tokenizer.source(), token.position, tokenizer.position() + 1));
    }
    if (tokenizer.peek(TokenKind::version_local_label_trail)) {
      return unexpected(tokenizer.error(
          "Local version label can only be used with `==` or `!=` operators", token.position));
    }
    tokenizer.consume(TokenKind::ws);
    Token comma{};
    if (!tokenizer.check_read(TokenKind::comma, &comma)) {
      break;
    }
    specifiers.append(comma.text);
    tokenizer.consume(TokenKind::ws);
  }
  return {};
}

// specifier = '(' WS? version_many WS? ')' | WS? version_many WS?
Result<void> parse_specifier(Tokenizer& tokenizer, SpecifierText& specifiers) {
  const std::size_t open_position = tokenizer.position();
  const bool parenthesized = tokenizer.check_read(TokenKind::left_parenthesis);
  tokenizer.consume(TokenKind::ws);
  if (Result<void> many = parse_version_many(tokenizer, specifiers); !many) {
    return many;
  }
  tokenizer.consume(TokenKind::ws);
  if (parenthesized && !tokenizer.check_read(TokenKind::right_parenthesis)) {
    return unexpected(tokenizer.error(
        "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier",
        open_position));
  }
  return {};
}

// requirement_marker = ';' marker WS?
Result<void> parse_requirement_marker(Tokenizer& tokenizer, std::size_t span_begin,
                                      std::string_view expected, ParsedRequirement& out) {
  if (!tokenizer.check_read(TokenKind::semicolon)) {
    return unexpected(tokenizer.error("Expected " + std::string(expected) + " or end", span_begin));
  }
  out.has_marker = true;
  if (Result<void> marker = detail::parse_marker_list(tokenizer, out.marker); !marker) {
    return marker;
  }
  tokenizer.consume(TokenKind::ws);
  return {};
}

Result<void> parse_details(Tokenizer& tokenizer, ParsedRequirement& out) {
  if (tokenizer.check_read(TokenKind::at)) {
    tokenizer.consume(TokenKind::ws);
    const std::size_t url_begin = tokenizer.position();
    Token token{};
    if (!tokenizer.check_read(TokenKind::url, &token)) {
      return unexpected(tokenizer.error("Expected URL after @"));
    }
    out.url = token.text;
    if (tokenizer.peek(TokenKind::end)) {
      return {};
    }
    if (!tokenizer.check_read(TokenKind::ws)) {
      return unexpected(tokenizer.error("Expected whitespace after URL"));
    }
    if (tokenizer.peek(TokenKind::end)) {
      return {};
    }
    return parse_requirement_marker(tokenizer, url_begin, "semicolon (after URL and whitespace)",
                                    out);
  }
  out.specifier_begin = tokenizer.position();
  if (Result<void> specifier = parse_specifier(tokenizer, out.specifier); !specifier) {
    return specifier;
  }
  tokenizer.consume(TokenKind::ws);
  if (tokenizer.peek(TokenKind::end)) {
    return {};
  }
  return parse_requirement_marker(tokenizer, out.specifier_begin,
                                  out.specifier.empty()
                                      ? "semicolon (after name with no version specifier)"
                                      : "comma (within version specifier), semicolon (after "
                                        "version specifier)",
                                  out);
}

Result<void> parse_requirement(std::string_view text, ParsedRequirement& out) {
  Tokenizer tokenizer(text);
  tokenizer.consume(TokenKind::ws);
  Token token{};
  if (!tokenizer.check_read(TokenKind::identifier, &token)) {
    return unexpected(
        tokenizer.error("Expected package name at the start of dependency specifier"));
  }
  out.name = token.text;
  tokenizer.consume(TokenKind::ws);
  if (Result<void> extras = parse_extras(tokenizer, out.extras); !extras) {
    return extras;
  }
  tokenizer.consume(TokenKind::ws);
  if (Result<void> details = parse_details(tokenizer, out); !details) {
    return details;
  }
  if (!tokenizer.peek(TokenKind::end)) {
    return unexpected(tokenizer.error("Expected end of dependency specifier"));
  }
  return {};
}

std::set<std::string> normalized_extras(const std::vector<std::string>& extras) {
  std::set<std::string> out;
  for (const std::string& e : extras) {
    out.insert(names::canonicalize(e));
  }
  return out;
}

void hash_combine(std::size_t& seed, std::size_t value) {
  seed ^= value + 0x9e3779b97f4a7c15ULL + (seed << 6U) + (seed >> 2U);
}

}  // namespace

Result<Requirement> Requirement::parse(std::string_view text) {
  ParsedRequirement parsed;
  if (Result<void> ok = parse_requirement(text, parsed); !ok) {
    return unexpected(std::move(ok).error());
  }
  Requirement r;
  r.m_name = parsed.name;
  r.m_extras = std::move(parsed.extras);
  if (const std::string_view specifier_text = parsed.specifier.str(); !specifier_text.empty()) {
    auto specifier = pep440::SpecifierSet::parse(specifier_text);
    if (!specifier) {
      // `InvalidSpecifier` from `SpecifierSet(...)`: only reachable through `===` versions
      // holding a comma, such as `foo===1,x`. packaging's message has no caret.
      Error e = std::move(specifier).error();
      e.code = ErrorCode::parse;
      e.span = SourceSpan{std::string(text), parsed.specifier_begin,
                          std::max<std::size_t>(specifier_text.size(), 1)};
      // The offending item is the first one that fails on its own.
      for (const std::string_view item : text::split(specifier_text, ',')) {
        const std::string_view stripped = text::trim(item);
        if (!stripped.empty() && !pep440::Specifier::parse(stripped)) {
          e.message = std::string(k_invalid_specifier) + "`" + std::string(stripped) + "`";
          break;
        }
      }
      return unexpected(std::move(e));
    }
    r.m_specifier = std::move(*specifier);
  }
  if (!parsed.url.empty()) {
    r.m_url.emplace(parsed.url);
  }
  if (parsed.has_marker) {
    r.m_marker = Marker::from_markers(std::move(parsed.marker));
  }
  return r;
}

std::string Requirement::to_string() const {
  std::string out = m_name;
  if (!m_extras.empty()) {
    std::vector<std::string> sorted = m_extras;
    std::sort(sorted.begin(), sorted.end());
    out += '[';
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      if (i != 0) {
        out += ',';
      }
      out += sorted[i];
    }
    out += ']';
  }
  if (!m_specifier.empty()) {
    out += m_specifier.to_string();
  }
  if (m_url) {
    out += " @ ";
    out += *m_url;
    if (m_marker) {
      out += ' ';
    }
  }
  if (m_marker) {
    out += "; ";
    out += m_marker->to_string();
  }
  return out;
}

bool operator==(const Requirement& a, const Requirement& b) {
  return names::canonicalize(a.m_name) == names::canonicalize(b.m_name) &&
         normalized_extras(a.m_extras) == normalized_extras(b.m_extras) &&
         a.m_specifier == b.m_specifier && a.m_url == b.m_url && a.m_marker == b.m_marker;
}

std::size_t Requirement::hash() const {
  std::size_t seed = std::hash<std::string>{}(names::canonicalize(m_name));
  for (const std::string& e : normalized_extras(m_extras)) {
    hash_combine(seed, std::hash<std::string>{}(e));
  }
  // Specifier sets compare semantically (`==1.0` equals `==1.0.0`); the set of operators is
  // a key that equal sets share.
  std::set<pep440::Operator> ops;
  for (const pep440::Specifier& s : m_specifier.specifiers()) {
    ops.insert(s.op());
  }
  for (const pep440::Operator op : ops) {
    hash_combine(seed, static_cast<std::size_t>(op));
  }
  hash_combine(seed, m_url ? std::hash<std::string>{}(*m_url) : 0);
  hash_combine(seed, m_marker ? std::hash<Marker>{}(*m_marker) : 1);
  return seed;
}

std::string packaging_error_text(const Error& error) {
  std::string message = error.message;
  if (message.starts_with(k_invalid_specifier)) {
    // `Invalid specifier: 'x'`, no caret.
    std::string item = message.substr(k_invalid_specifier.size());
    if (item.size() >= 2 && item.front() == '`' && item.back() == '`') {
      item = item.substr(1, item.size() - 2);
    }
    return "Invalid specifier: " + text::python_repr(item);
  }
  if (message.starts_with("expected ")) {
    const std::size_t found = message.rfind(", found ");
    if (found != std::string::npos) {
      message.resize(found);
    }
  }
  if (!message.empty() && message[0] >= 'a' && message[0] <= 'z') {
    message[0] = static_cast<char>(message[0] - 'a' + 'A');
  }
  if (!error.span) {
    return message;
  }
  const SourceSpan& span = *error.span;
  const std::size_t begin = detail::code_point_offset(span.input, span.begin);
  const std::size_t end = detail::code_point_offset(span.input, span.begin + span.length - 1);
  std::string out = message + "\n    " + span.input + "\n    ";
  out.append(begin, ' ');
  out.append(end - begin, '~');
  out += '^';
  return out;
}

}  // namespace mlstack::pep508
