// SPDX-License-Identifier: MIT
#include "mlstack/kb/expression.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/kb/detail/vocabulary.hpp"

#include <array>
#include <utility>

namespace mlstack::kb {

std::string_view to_string(Type t) noexcept {
  switch (t) {
    case Type::boolean:
      return "boolean";
    case Type::integer:
      return "integer";
    case Type::string:
      return "string";
    case Type::version:
      return "version";
    case Type::list:
      return "list";
    case Type::none:
      return "none";
  }
  return "none";
}

namespace {

enum class Tok : std::uint8_t {
  end,
  ident,
  string,
  integer,
  lparen,
  rparen,
  lbracket,
  rbracket,
  comma,
  dot,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
};

struct Token {
  Tok kind = Tok::end;
  std::size_t begin = 0;
  std::size_t length = 0;
  std::string text;
};

std::string describe(const Token& t) {
  if (t.kind == Tok::end) {
    return "end of expression";
  }
  return "`" + t.text + "`";
}

// Grammar (the whole language; docs/kb.md explains the semantics):
//   expr       = and_expr ('or' and_expr)*
//   and_expr   = not_expr ('and' not_expr)*
//   not_expr   = 'not' not_expr | comparison
//   comparison = operand ( CMP operand | 'in' (STRING | list) | 'contains' operand )?
//   operand    = STRING | INTEGER | 'true' | 'false' | 'none' | list
//              | IDENT '(' (expr (',' expr)*)? ')'      -- a built-in function
//              | IDENT '.' IDENT                        -- a fact (`framework.cuda`)
//              | '(' expr ')'
//   list       = '[' (STRING (',' STRING)*)? ']'
//   CMP        = '==' | '!=' | '<' | '<=' | '>' | '>='
//   STRING     = '"' [^"\n]* '"'    INTEGER = [0-9]+    IDENT = [A-Za-z_][A-Za-z0-9_]*
// Whitespace (including newlines) separates tokens. Keywords: and or not in contains true
// false none.
class Parser {
 public:
  explicit Parser(std::string_view text) : m_text(text) {}

  // Parentheses, call arguments and `not`s nest at most this deep. Rules need a handful; the
  // bound keeps the recursive descent's stack (a few KiB per level in a debug build) and every
  // walk over the tree small, whatever a `--kb` file holds.
  static constexpr int k_max_depth = 32;

  Result<Node> parse() {
    if (auto r = advance(); !r) {
      return unexpected(std::move(r).error());
    }
    MLSTACK_TRY_ASSIGN(Node n, parse_or());
    if (m_tok.kind != Tok::end) {
      return unexpected(
          error_at(m_tok, "expected `and`, `or` or end of expression, found " + describe(m_tok)));
    }
    return n;
  }

 private:
  Error error_at(std::size_t begin, std::size_t length, std::string message) const {
    return make_parse_error(std::move(message), std::string(m_text), begin, length);
  }
  Error error_at(const Token& t, std::string message) const {
    return error_at(t.begin, t.length == 0 ? 1 : t.length, std::move(message));
  }
  Error error_at(const Node& n, std::string message) const {
    return error_at(n.begin, n.length == 0 ? 1 : n.length, std::move(message));
  }

  Result<void> advance() {
    std::size_t i = m_pos;
    while (i < m_text.size() && text::is_ascii_space(m_text[i])) {
      ++i;
    }
    Token t;
    t.begin = i;
    if (i >= m_text.size()) {
      t.kind = Tok::end;
      m_tok = t;
      m_pos = i;
      return {};
    }
    const char c = m_text[i];
    auto single = [&](Tok k, std::size_t n) {
      t.kind = k;
      t.length = n;
      t.text = std::string(m_text.substr(i, n));
    };
    auto next_is = [&](char x) { return i + 1 < m_text.size() && m_text[i + 1] == x; };
    if (text::is_ascii_alpha(c) || c == '_') {
      std::size_t j = i;
      while (j < m_text.size() && (text::is_ascii_alnum(m_text[j]) || m_text[j] == '_')) {
        ++j;
      }
      single(Tok::ident, j - i);
    } else if (text::is_ascii_digit(c)) {
      std::size_t j = i;
      while (j < m_text.size() && text::is_ascii_digit(m_text[j])) {
        ++j;
      }
      single(Tok::integer, j - i);
    } else if (c == '"') {
      std::size_t j = i + 1;
      while (j < m_text.size() && m_text[j] != '"' && m_text[j] != '\n') {
        ++j;
      }
      if (j >= m_text.size() || m_text[j] != '"') {
        return unexpected(error_at(i, 1, "unterminated string"));
      }
      t.kind = Tok::string;
      t.length = j + 1 - i;
      t.text = std::string(m_text.substr(i + 1, j - i - 1));
    } else if (c == '=' && next_is('=')) {
      single(Tok::eq, 2);
    } else if (c == '!' && next_is('=')) {
      single(Tok::ne, 2);
    } else if (c == '<') {
      next_is('=') ? single(Tok::le, 2) : single(Tok::lt, 1);
    } else if (c == '>') {
      next_is('=') ? single(Tok::ge, 2) : single(Tok::gt, 1);
    } else if (c == '(') {
      single(Tok::lparen, 1);
    } else if (c == ')') {
      single(Tok::rparen, 1);
    } else if (c == '[') {
      single(Tok::lbracket, 1);
    } else if (c == ']') {
      single(Tok::rbracket, 1);
    } else if (c == ',') {
      single(Tok::comma, 1);
    } else if (c == '.') {
      single(Tok::dot, 1);
    } else if (c == '=') {
      return unexpected(error_at(i, 1, "expected `==`, found `=`"));
    } else {
      return unexpected(error_at(i, 1, "unexpected character `" + std::string(1, c) + "`"));
    }
    m_pos = t.begin + t.length;
    m_tok = std::move(t);
    return {};
  }

  bool at_keyword(std::string_view k) const { return m_tok.kind == Tok::ident && m_tok.text == k; }

  static Node span_node(Node::Kind kind, Type type, const Node& first, const Node& last) {
    Node n;
    n.kind = kind;
    n.type = type;
    n.begin = first.begin;
    n.length = last.begin + last.length - first.begin;
    return n;
  }

  Result<Node> expect_boolean(Node n, std::string_view where) const {
    if (n.type != Type::boolean) {
      return unexpected(error_at(n, "expected a boolean " + std::string(where) + ", found " +
                                        std::string(to_string(n.type))));
    }
    return n;
  }

  // `a or b or c` is one node with three children (likewise `and`), so a long chain costs no
  // depth when it is parsed, walked, evaluated or destroyed.
  Result<Node> parse_or() {
    const DepthGuard guard(m_depth);
    if (m_depth > k_max_depth) {
      return unexpected(too_deep());
    }
    return parse_chain("or", Node::Kind::logical_or, &Parser::parse_and);
  }

  Result<Node> parse_and() {
    return parse_chain("and", Node::Kind::logical_and, &Parser::parse_not);
  }

  Result<Node> parse_chain(std::string_view keyword, Node::Kind kind,
                           Result<Node> (Parser::*operand)()) {
    MLSTACK_TRY_ASSIGN(Node left, (this->*operand)());
    if (!at_keyword(keyword)) {
      return left;
    }
    const std::string before = "before `" + std::string(keyword) + "`";
    const std::string after = "after `" + std::string(keyword) + "`";
    MLSTACK_TRY_ASSIGN(left, expect_boolean(std::move(left), before));
    Node n = span_node(kind, Type::boolean, left, left);
    n.children.push_back(std::move(left));
    while (at_keyword(keyword)) {
      if (auto r = advance(); !r) {
        return unexpected(std::move(r).error());
      }
      MLSTACK_TRY_ASSIGN(Node right, (this->*operand)());
      MLSTACK_TRY_ASSIGN(right, expect_boolean(std::move(right), after));
      n.length = right.begin + right.length - n.begin;
      n.children.push_back(std::move(right));
    }
    return n;
  }

  Result<Node> parse_not() {
    if (at_keyword("not")) {
      const DepthGuard guard(m_depth);
      if (m_depth > k_max_depth) {
        return unexpected(too_deep());
      }
      const std::size_t begin = m_tok.begin;
      if (auto r = advance(); !r) {
        return unexpected(std::move(r).error());
      }
      MLSTACK_TRY_ASSIGN(Node inner, parse_not());
      MLSTACK_TRY_ASSIGN(inner, expect_boolean(std::move(inner), "after `not`"));
      Node n;
      n.kind = Node::Kind::logical_not;
      n.type = Type::boolean;
      n.begin = begin;
      n.length = inner.begin + inner.length - begin;
      n.children.push_back(std::move(inner));
      return n;
    }
    return parse_comparison();
  }

  static bool is_cmp(Tok k) {
    return k == Tok::eq || k == Tok::ne || k == Tok::lt || k == Tok::le || k == Tok::gt ||
           k == Tok::ge;
  }

  Result<Node> parse_comparison() {
    MLSTACK_TRY_ASSIGN(Node left, parse_operand());
    if (is_cmp(m_tok.kind)) {
      const Token op = m_tok;
      if (auto r = advance(); !r) {
        return unexpected(std::move(r).error());
      }
      MLSTACK_TRY_ASSIGN(Node right, parse_operand());
      return make_compare(op, std::move(left), std::move(right));
    }
    if (at_keyword("in")) {
      const Token op = m_tok;
      if (auto r = advance(); !r) {
        return unexpected(std::move(r).error());
      }
      MLSTACK_TRY_ASSIGN(Node right, parse_operand());
      return make_in(op, std::move(left), std::move(right));
    }
    if (at_keyword("contains")) {
      if (auto r = advance(); !r) {
        return unexpected(std::move(r).error());
      }
      MLSTACK_TRY_ASSIGN(Node right, parse_operand());
      if (left.type != Type::list) {
        return unexpected(error_at(
            left, "expected a list before `contains`, found " + std::string(to_string(left.type))));
      }
      if (right.type != Type::string) {
        return unexpected(error_at(right, "expected a string after `contains`, found " +
                                              std::string(to_string(right.type))));
      }
      Node n = span_node(Node::Kind::contains, Type::boolean, left, right);
      n.children.push_back(std::move(left));
      n.children.push_back(std::move(right));
      return n;
    }
    return left;
  }

  // Turns a string or integer literal into a version literal, checked now.
  Result<void> to_version_literal(Node& n) const {
    std::string text = n.kind == Node::Kind::literal_integer ? std::to_string(n.integer) : n.text;
    auto v = pep440::Version::parse(text);
    if (!v) {
      return unexpected(error_at(n, "expected a PEP 440 version, found `" + text + "`"));
    }
    n.version = std::move(v).value();
    n.type = Type::version;
    return {};
  }

  static bool is_literal(const Node& n) {
    return n.kind == Node::Kind::literal_string || n.kind == Node::Kind::literal_integer;
  }

  Result<Node> make_compare(const Token& op, Node left, Node right) const {
    Node n = span_node(Node::Kind::compare, Type::boolean, left, right);
    switch (op.kind) {
      case Tok::eq:
        n.op = Node::Op::eq;
        break;
      case Tok::ne:
        n.op = Node::Op::ne;
        break;
      case Tok::lt:
        n.op = Node::Op::lt;
        break;
      case Tok::le:
        n.op = Node::Op::le;
        break;
      case Tok::gt:
        n.op = Node::Op::gt;
        break;
      default:
        n.op = Node::Op::ge;
        break;
    }
    const bool equality = n.op == Node::Op::eq || n.op == Node::Op::ne;
    const bool none_test =
        left.kind == Node::Kind::literal_none || right.kind == Node::Kind::literal_none;
    if (none_test && !equality) {
      return unexpected(error_at(op, "`none` can only be compared with `==` or `!=`"));
    }
    if (!none_test) {
      if (left.type == Type::version && is_literal(right)) {
        if (auto r = to_version_literal(right); !r) {
          return unexpected(std::move(r).error());
        }
      } else if (right.type == Type::version && is_literal(left)) {
        if (auto r = to_version_literal(left); !r) {
          return unexpected(std::move(r).error());
        }
      }
      if (left.type != right.type) {
        return unexpected(error_at(n, "cannot compare " + std::string(to_string(left.type)) +
                                          " with " + std::string(to_string(right.type))));
      }
      const bool ordered = left.type == Type::version || left.type == Type::integer;
      if (!equality && !ordered) {
        return unexpected(error_at(op, "`" + op.text + "` needs versions or integers, found " +
                                           std::string(to_string(left.type))));
      }
      if (left.type == Type::list) {
        return unexpected(error_at(op, "lists cannot be compared; use `contains`"));
      }
    }
    n.children.push_back(std::move(left));
    n.children.push_back(std::move(right));
    return n;
  }

  Result<Node> make_in(const Token& op, Node left, Node right) const {
    if (right.kind == Node::Kind::literal_list) {
      if (left.type != Type::string) {
        return unexpected(error_at(left, "expected a string before `in [...]`, found " +
                                             std::string(to_string(left.type))));
      }
      Node n = span_node(Node::Kind::in_list, Type::boolean, left, right);
      n.children.push_back(std::move(left));
      n.children.push_back(std::move(right));
      return n;
    }
    if (right.kind != Node::Kind::literal_string) {
      return unexpected(error_at(right, "expected a specifier string or a list after `in`"));
    }
    if (left.type != Type::version) {
      return unexpected(error_at(
          left, "expected a version before `in`, found " + std::string(to_string(left.type))));
    }
    auto set = pep440::SpecifierSet::parse(right.text);
    if (!set) {
      Error e =
          error_at(right, "invalid specifier set `" + right.text + "`: " + set.error().message);
      return unexpected(std::move(e));
    }
    (void)op;
    Node n = span_node(Node::Kind::in_specifiers, Type::boolean, left, right);
    n.specifiers = std::move(set).value();
    n.children.push_back(std::move(left));
    n.children.push_back(std::move(right));
    return n;
  }

  Result<Node> parse_list() {
    Node n;
    n.kind = Node::Kind::literal_list;
    n.type = Type::list;
    n.begin = m_tok.begin;
    if (auto r = advance(); !r) {
      return unexpected(std::move(r).error());
    }
    while (m_tok.kind != Tok::rbracket) {
      if (!n.list.empty()) {
        if (m_tok.kind != Tok::comma) {
          return unexpected(error_at(m_tok, "expected `,` or `]`, found " + describe(m_tok)));
        }
        if (auto r = advance(); !r) {
          return unexpected(std::move(r).error());
        }
      }
      if (m_tok.kind != Tok::string) {
        return unexpected(
            error_at(m_tok, "expected a string in the list, found " + describe(m_tok)));
      }
      n.list.push_back(m_tok.text);
      if (auto r = advance(); !r) {
        return unexpected(std::move(r).error());
      }
    }
    n.length = m_tok.begin + 1 - n.begin;
    if (auto r = advance(); !r) {
      return unexpected(std::move(r).error());
    }
    return n;
  }

  Result<Node> parse_operand() {
    const Token t = m_tok;
    Node n;
    n.begin = t.begin;
    n.length = t.length;
    switch (t.kind) {
      case Tok::string:
        n.kind = Node::Kind::literal_string;
        n.type = Type::string;
        n.text = t.text;
        break;
      case Tok::integer: {
        n.kind = Node::Kind::literal_integer;
        n.type = Type::integer;
        if (t.text.size() > 9) {
          return unexpected(error_at(t, "integer too large"));
        }
        n.integer = std::stoll(t.text);
        break;
      }
      case Tok::lbracket:
        return parse_list();
      case Tok::lparen: {
        if (auto r = advance(); !r) {
          return unexpected(std::move(r).error());
        }
        MLSTACK_TRY_ASSIGN(Node inner, parse_or());
        if (m_tok.kind != Tok::rparen) {
          return unexpected(error_at(m_tok, "expected `)`, found " + describe(m_tok)));
        }
        if (auto r = advance(); !r) {
          return unexpected(std::move(r).error());
        }
        return inner;
      }
      case Tok::ident:
        return parse_name(t);
      default:
        return unexpected(error_at(t, "expected a value, found " + describe(t)));
    }
    if (auto r = advance(); !r) {
      return unexpected(std::move(r).error());
    }
    return n;
  }

  Result<Node> parse_name(const Token& t) {
    Node n;
    n.begin = t.begin;
    n.length = t.length;
    if (t.text == "true" || t.text == "false") {
      n.kind = Node::Kind::literal_bool;
      n.type = Type::boolean;
      n.boolean = t.text == "true";
    } else if (t.text == "none") {
      n.kind = Node::Kind::literal_none;
      n.type = Type::none;
    } else if (t.text == "and" || t.text == "or" || t.text == "not" || t.text == "in" ||
               t.text == "contains") {
      return unexpected(error_at(t, "expected a value, found keyword `" + t.text + "`"));
    }
    if (t.text == "true" || t.text == "false" || t.text == "none") {
      if (auto r = advance(); !r) {
        return unexpected(std::move(r).error());
      }
      return n;
    }
    if (auto r = advance(); !r) {
      return unexpected(std::move(r).error());
    }
    if (m_tok.kind == Tok::lparen) {
      return parse_call(t);
    }
    if (m_tok.kind == Tok::dot) {
      if (auto r = advance(); !r) {
        return unexpected(std::move(r).error());
      }
      if (m_tok.kind != Tok::ident) {
        return unexpected(error_at(
            m_tok, "expected a field name after `" + t.text + ".`, found " + describe(m_tok)));
      }
      const Token member = m_tok;
      n.length = member.begin + member.length - t.begin;
      n.text = t.text + "." + member.text;
      bool object_known = false;
      for (const detail::FieldInfo& f : detail::fields()) {
        object_known = object_known || f.object == t.text;
        if (f.object == t.text && f.name == member.text) {
          n.kind = Node::Kind::field;
          n.type = f.type;
          n.field = f.field;
          if (auto r = advance(); !r) {
            return unexpected(std::move(r).error());
          }
          return n;
        }
      }
      if (!object_known) {
        return unexpected(error_at(t, "unknown name `" + t.text +
                                          "`; expected `python`, `driver`, `framework`, "
                                          "`other`, `device` or `library`"));
      }
      return unexpected(
          error_at(member, "unknown field `" + member.text + "` of `" + t.text + "`"));
    }
    return unexpected(error_at(t, "unknown name `" + t.text +
                                      "`; expected a function call or "
                                      "a field such as `framework.cuda`"));
  }

  Result<Node> parse_call(const Token& name) {
    const detail::FunctionInfo* info = nullptr;
    for (const detail::FunctionInfo& f : detail::functions()) {
      if (f.name == name.text) {
        info = &f;
      }
    }
    if (info == nullptr) {
      return unexpected(error_at(name, "unknown function `" + name.text + "`"));
    }
    Node n;
    n.kind = Node::Kind::call;
    n.function = info->function;
    n.type = info->result;
    n.begin = name.begin;
    n.text = name.text;
    if (auto r = advance(); !r) {  // `(`
      return unexpected(std::move(r).error());
    }
    while (m_tok.kind != Tok::rparen) {
      if (!n.children.empty()) {
        if (m_tok.kind != Tok::comma) {
          return unexpected(error_at(m_tok, "expected `,` or `)`, found " + describe(m_tok)));
        }
        if (auto r = advance(); !r) {
          return unexpected(std::move(r).error());
        }
      }
      MLSTACK_TRY_ASSIGN(Node arg, parse_or());
      n.children.push_back(std::move(arg));
    }
    n.length = m_tok.begin + 1 - n.begin;
    const Token close = m_tok;
    if (auto r = advance(); !r) {
      return unexpected(std::move(r).error());
    }
    if (info->variadic_strings) {
      if (n.children.empty()) {
        return unexpected(
            error_at(close, "`" + name.text + "` expects at least one distribution name"));
      }
      for (const Node& a : n.children) {
        if (a.kind != Node::Kind::literal_string) {
          return unexpected(error_at(a, "expected a distribution name in quotes"));
        }
      }
      return n;
    }
    if (n.children.size() != info->params.size()) {
      return unexpected(error_at(n, "`" + name.text + "` expects " +
                                        std::to_string(info->params.size()) + " argument" +
                                        (info->params.size() == 1 ? "" : "s") + ", found " +
                                        std::to_string(n.children.size())));
    }
    for (std::size_t i = 0; i < n.children.size(); ++i) {
      Node& a = n.children[i];
      const Type want = info->params[i];
      if (want == Type::version && is_literal(a)) {
        if (auto r = to_version_literal(a); !r) {
          return unexpected(std::move(r).error());
        }
      }
      if (a.type != want) {
        const std::string_view article = want == Type::integer ? "an " : "a ";
        return unexpected(error_at(a, "expected " + std::string(article) +
                                          std::string(to_string(want)) + " argument, found " +
                                          std::string(to_string(a.type))));
      }
    }
    return n;
  }

  // Counts one level for as long as it lives.
  class DepthGuard {
   public:
    explicit DepthGuard(int& depth) : m_depth(depth) { ++m_depth; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    ~DepthGuard() { --m_depth; }

   private:
    int& m_depth;
  };

  Error too_deep() const {
    return error_at(m_tok, "expression nested too deeply: at most " + std::to_string(k_max_depth) +
                               " levels of parentheses, calls and `not`");
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
  Token m_tok;
  int m_depth = 0;
};

const Node* node_use(const Node& n, Binding b) {
  if (n.kind == Node::Kind::field) {
    const std::string_view object = std::string_view(n.text).substr(0, n.text.find('.'));
    if (detail::binding_of(object) == b) {
      return &n;
    }
  }
  for (const Node& c : n.children) {
    if (const Node* u = node_use(c, b)) {
      return u;
    }
  }
  return nullptr;
}

}  // namespace

Result<Expression> Expression::parse(std::string_view text) {
  Parser p(text);
  MLSTACK_TRY_ASSIGN(Node root, p.parse());
  Expression e;
  e.m_text = std::string(text);
  e.m_root = std::make_shared<const Node>(std::move(root));
  return e;
}

bool Expression::uses(Binding b) const noexcept { return node_use(*m_root, b) != nullptr; }

const Node* Expression::first_use(Binding b) const noexcept { return node_use(*m_root, b); }

Result<Template> Template::parse(std::string_view text) {
  Template t;
  std::string literal;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      i += 2;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      literal += '}';
      i += 2;
    } else if (c == '}') {
      return unexpected(
          make_parse_error("unmatched `}`; write `}}` for a brace", std::string(text), i));
    } else if (c == '{') {
      const std::size_t close = text.find('}', i + 1);
      if (close == std::string_view::npos) {
        return unexpected(
            make_parse_error("unterminated placeholder; expected `}`", std::string(text), i));
      }
      auto e = Expression::parse(text.substr(i + 1, close - i - 1));
      if (!e) {
        Error err = std::move(e).error();
        if (err.span) {  // re-base the span onto the whole template
          err.span->begin += i + 1;
          err.span->input = std::string(text);
        }
        return unexpected(std::move(err));
      }
      if (!literal.empty()) {
        t.m_parts.push_back(Part{std::move(literal), std::nullopt});
        literal.clear();
      }
      t.m_parts.push_back(Part{{}, std::move(e).value()});
      i = close + 1;
    } else {
      literal += c;
      ++i;
    }
  }
  if (!literal.empty()) {
    t.m_parts.push_back(Part{std::move(literal), std::nullopt});
  }
  return t;
}

bool Template::uses(Binding b) const noexcept {
  for (const Part& p : m_parts) {
    if (p.expression && p.expression->uses(b)) {
      return true;
    }
  }
  return false;
}

}  // namespace mlstack::kb
