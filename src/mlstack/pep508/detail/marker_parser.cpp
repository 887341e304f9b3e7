// SPDX-License-Identifier: MIT
// Recursive-descent parser for marker expressions, after packaging's `_parser.py`:
//   marker      = marker_atom (BOOLOP marker_atom)*
//   marker_atom = WS? LEFT_PARENTHESIS WS? marker WS? RIGHT_PARENTHESIS WS?
//               | WS? marker_item WS?
//   marker_item = WS? marker_var WS? marker_op WS? marker_var WS?
//   marker_var  = VARIABLE | QUOTED_STRING
//   marker_op   = IN | NOT WS IN | OP
//
// Depth. packaging recurses twice per parenthesis (`_parse_marker_atom` -> `_parse_marker`),
// so pip stops with a RecursionError on deep nesting (Python's recursion limit is 1000). Where
// depends on how deep pip's own stack already is; measured with pip 26.3 on Python 3.11 for
// `pip check` run as the `pip` console script (what mlstack's `check` stands in for): 486
// nested groups parse; inside 487 a comparison with a quoted string fails (decoding it with
// `ast.literal_eval` takes a few more frames) and a 488th group always does. (`python -m pip
// check` stops one level earlier, `pip --python PY check` two.) The same bound keeps this
// parser's own stack, and every walk over the tree, small.
#include "mlstack/names/package_name.hpp"
#include "mlstack/pep508/detail/marker_tree.hpp"
#include "mlstack/pep508/detail/python_string.hpp"

#include <string>

namespace mlstack::pep508::detail {
namespace {

// Groups nested deeper than this fail, as in pip (see the top of the file).
constexpr std::size_t k_max_group_depth = 487;
// A quoted string at this depth fails too.
constexpr std::size_t k_max_string_depth = k_max_group_depth - 1;

// No span: the input is thousands of parentheses long.
Error too_deep(std::size_t depth) {
  return make_error(ErrorCode::limit, "marker nested too deeply (" + std::to_string(depth) +
                                          " parentheses; pip stops with RecursionError past " +
                                          std::to_string(k_max_string_depth) + ")");
}

Result<void> parse_marker_group_list(Tokenizer& tokenizer, MarkerList& out, std::size_t depth);

// The name `Variable` gets in packaging's `_parse_marker_var`: `.` spelled `_`, and
// `python_implementation` as `platform_python_implementation`.
void set_variable(MarkerOperand& out, std::string_view name) {
  out.kind = MarkerOperand::Kind::variable;
  if (name == "python_implementation") {
    out.text = "platform_python_implementation";
    return;
  }
  out.text = name;
  for (char& c : out.text) {
    if (c == '.') {
      c = '_';
    }
  }
}

Result<void> parse_marker_var(Tokenizer& tokenizer, MarkerOperand& out, std::size_t depth) {
  Token token{};
  if (tokenizer.check_read(TokenKind::variable, &token)) {
    set_variable(out, token.text);
    return {};
  }
  if (tokenizer.check_read(TokenKind::quoted_string, &token)) {
    if (depth > k_max_string_depth) {
      return unexpected(too_deep(depth));
    }
    out.kind = MarkerOperand::Kind::value;
    if (!decode_python_string(token.text, out.text)) {
      return unexpected(syntax_error("Invalid quoted string", tokenizer.source(), token.position,
                                     token.position + token.text.size()));
    }
    return {};
  }
  return unexpected(tokenizer.error("Expected a marker variable or quoted string"));
}

Result<MarkerOperator> parse_marker_op(Tokenizer& tokenizer) {
  if (tokenizer.check_read(TokenKind::in)) {
    return MarkerOperator::in;
  }
  if (tokenizer.check_read(TokenKind::not_)) {
    if (!tokenizer.check_read(TokenKind::ws)) {
      return unexpected(tokenizer.error("Expected whitespace after 'not'"));
    }
    if (!tokenizer.check_read(TokenKind::in)) {
      return unexpected(tokenizer.error("Expected 'in' after 'not'"));
    }
    return MarkerOperator::not_in;
  }
  Token token{};
  if (tokenizer.check_read(TokenKind::op, &token)) {
    // `match_op` reads one of these spellings.
    const std::string_view t = token.text;
    switch (t[0]) {
      case '=':
        return t.size() == 3 ? MarkerOperator::arbitrary : MarkerOperator::equal;
      case '~':
        return MarkerOperator::compatible;
      case '!':
        return MarkerOperator::not_equal;
      case '<':
        return t.size() == 2 ? MarkerOperator::less_equal : MarkerOperator::less;
      default:
        return t.size() == 2 ? MarkerOperator::greater_equal : MarkerOperator::greater;
    }
  }
  return unexpected(tokenizer.error(
      "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in"));
}

Result<void> parse_marker_item(Tokenizer& tokenizer, MarkerComparison& out, std::size_t depth) {
  tokenizer.consume(TokenKind::ws);
  if (Result<void> lhs = parse_marker_var(tokenizer, out.lhs, depth); !lhs) {
    return lhs;
  }
  tokenizer.consume(TokenKind::ws);
  MLSTACK_TRY_ASSIGN(out.op, parse_marker_op(tokenizer));
  tokenizer.consume(TokenKind::ws);
  if (Result<void> rhs = parse_marker_var(tokenizer, out.rhs, depth); !rhs) {
    return rhs;
  }
  tokenizer.consume(TokenKind::ws);
  return {};
}

bool is_variable(const MarkerOperand& operand, std::string_view name) {
  return operand.kind == MarkerOperand::Kind::variable && operand.text == name;
}

// Whether `names::canonicalize` leaves `name` as it is: lowercase ASCII letters and digits,
// with single `-` between them. True for nearly every extra as written in metadata.
bool is_canonical(std::string_view name) noexcept {
  bool after_dash = false;
  for (const char c : name) {
    if (c == '-') {
      if (after_dash) {
        return false;
      }
      after_dash = true;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               static_cast<unsigned char>(c) >= 0x80U) {
      after_dash = false;
    } else {
      return false;
    }
  }
  return true;
}

void canonicalize_in_place(std::string& name) {
  if (!is_canonical(name)) {
    name = names::canonicalize(name);
  }
}

// `_normalize_extras`: the literal compared with `extra`, or tested for membership in `extras`
// or `dependency_groups`, is canonicalized (PEP 685).
void normalize_extras(MarkerComparison& c) {
  using Kind = MarkerOperand::Kind;
  if (is_variable(c.lhs, "extra") && c.rhs.kind == Kind::value) {
    canonicalize_in_place(c.rhs.text);
  } else if (is_variable(c.rhs, "extra") && c.lhs.kind == Kind::value) {
    canonicalize_in_place(c.lhs.text);
  } else if ((is_variable(c.rhs, "extras") || is_variable(c.rhs, "dependency_groups")) &&
             c.lhs.kind == Kind::value) {
    canonicalize_in_place(c.lhs.text);
  }
}

// `depth`: the number of groups around the atom.
Result<void> parse_marker_atom(Tokenizer& tokenizer, MarkerNode& node, std::size_t depth) {
  tokenizer.consume(TokenKind::ws);
  if (tokenizer.peek(TokenKind::left_parenthesis)) {
    const std::size_t open_position = tokenizer.position();
    if (depth + 1 > k_max_group_depth) {
      return unexpected(too_deep(depth + 1));
    }
    tokenizer.consume(TokenKind::left_parenthesis);
    tokenizer.consume(TokenKind::ws);
    node.kind = MarkerNode::Kind::group;
    if (Result<void> group = parse_marker_group_list(tokenizer, node.group, depth + 1); !group) {
      return group;
    }
    tokenizer.consume(TokenKind::ws);
    if (!tokenizer.check_read(TokenKind::right_parenthesis)) {
      return unexpected(tokenizer.error(
          "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression",
          open_position));
    }
  } else {
    if (Result<void> item = parse_marker_item(tokenizer, node.comparison, depth); !item) {
      return item;
    }
    normalize_extras(node.comparison);
  }
  tokenizer.consume(TokenKind::ws);
  return {};
}

std::string serialize(const MarkerOperand& operand) {
  if (operand.kind == MarkerOperand::Kind::variable) {
    return operand.text;
  }
  // Deviation: packaging raises ValueError for a value holding both quote characters; there
  // is no quoting that round-trips, so it is written between double quotes.
  const char quote = operand.text.find('"') == std::string::npos    ? '"'
                     : operand.text.find('\'') == std::string::npos ? '\''
                                                                    : '"';
  std::string out(1, quote);
  out += operand.text;
  out += quote;
  return out;
}

void format_into(std::string& out, const MarkerList& markers, bool first);

void format_node(std::string& out, const MarkerNode& node, bool first) {
  switch (node.kind) {
    case MarkerNode::Kind::comparison:
      out += serialize(node.comparison.lhs);
      out += ' ';
      out += operator_text(node.comparison.op);
      out += ' ';
      out += serialize(node.comparison.rhs);
      break;
    case MarkerNode::Kind::group:
      format_into(out, node.group, first);
      break;
    case MarkerNode::Kind::and_:
      out += "and";
      break;
    case MarkerNode::Kind::or_:
      out += "or";
      break;
  }
}

void format_into(std::string& out, const MarkerList& markers, bool first) {
  // A list of one comparison or group is unwrapped, keeping `first` (packaging 26.3).
  if (markers.size() == 1 && (markers[0].kind == MarkerNode::Kind::comparison ||
                              markers[0].kind == MarkerNode::Kind::group)) {
    format_node(out, markers[0], first);
    return;
  }
  if (!first) {
    out += '(';
  }
  for (std::size_t i = 0; i < markers.size(); ++i) {
    if (i != 0) {
      out += ' ';
    }
    format_node(out, markers[i], false);
  }
  if (!first) {
    out += ')';
  }
}

Result<void> parse_marker_group_list(Tokenizer& tokenizer, MarkerList& out, std::size_t depth) {
  out.reserve(3);  // `a and b` is the common shape: one allocation
  if (Result<void> first = parse_marker_atom(tokenizer, out.emplace_back(), depth); !first) {
    return first;
  }
  Token token{};
  while (tokenizer.check_read(TokenKind::boolop, &token)) {
    out.emplace_back().kind = token.text == "and" ? MarkerNode::Kind::and_ : MarkerNode::Kind::or_;
    if (Result<void> right = parse_marker_atom(tokenizer, out.emplace_back(), depth); !right) {
      return right;
    }
  }
  return {};
}

}  // namespace

Result<void> parse_marker_list(Tokenizer& tokenizer, MarkerList& out) {
  return parse_marker_group_list(tokenizer, out, 0);
}

std::string format_marker(const MarkerList& markers) {
  std::string out;
  format_into(out, markers, true);
  return out;
}

std::string_view operator_text(MarkerOperator op) noexcept {
  switch (op) {
    case MarkerOperator::less_equal:
      return "<=";
    case MarkerOperator::less:
      return "<";
    case MarkerOperator::not_equal:
      return "!=";
    case MarkerOperator::equal:
      return "==";
    case MarkerOperator::greater_equal:
      return ">=";
    case MarkerOperator::greater:
      return ">";
    case MarkerOperator::compatible:
      return "~=";
    case MarkerOperator::arbitrary:
      return "===";
    case MarkerOperator::in:
      return "in";
    case MarkerOperator::not_in:
      return "not in";
  }
  return "";
}

}  // namespace mlstack::pep508::detail
