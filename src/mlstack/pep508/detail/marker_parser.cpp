// SPDX-License-Identifier: MIT
// Recursive-descent parser for marker expressions, after packaging's `_parser.py`:
//   marker      = marker_atom (BOOLOP marker_atom)*
//   marker_atom = WS? LEFT_PARENTHESIS WS? marker WS? RIGHT_PARENTHESIS WS?
//               | WS? marker_item WS?
//   marker_item = WS? marker_var WS? marker_op WS? marker_var WS?
//   marker_var  = VARIABLE | QUOTED_STRING
//   marker_op   = IN | NOT WS IN | OP
#include "mlstack/names/package_name.hpp"
#include "mlstack/pep508/detail/marker_tree.hpp"
#include "mlstack/pep508/detail/python_string.hpp"

namespace mlstack::pep508::detail {
namespace {

Result<MarkerOperand> parse_marker_var(Tokenizer& tokenizer) {
  Token token{};
  if (tokenizer.check_read(TokenKind::variable, &token)) {
    std::string name(token.text);
    for (char& c : name) {
      if (c == '.') {
        c = '_';
      }
    }
    if (name == "python_implementation") {
      name = "platform_python_implementation";
    }
    return MarkerOperand{MarkerOperand::Kind::variable, std::move(name)};
  }
  if (tokenizer.check_read(TokenKind::quoted_string, &token)) {
    std::optional<std::string> value = decode_python_string(token.text);
    if (!value) {
      return unexpected(syntax_error("Invalid quoted string", tokenizer.source(), token.position,
                                     token.position + token.text.size()));
    }
    return MarkerOperand{MarkerOperand::Kind::value, std::move(*value)};
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
    constexpr std::pair<std::string_view, MarkerOperator> k_ops[] = {
        {"===", MarkerOperator::arbitrary}, {"==", MarkerOperator::equal},
        {"~=", MarkerOperator::compatible}, {"!=", MarkerOperator::not_equal},
        {"<=", MarkerOperator::less_equal}, {">=", MarkerOperator::greater_equal},
        {"<", MarkerOperator::less},        {">", MarkerOperator::greater},
    };
    for (const auto& [text, op] : k_ops) {
      if (token.text == text) {
        return op;
      }
    }
  }
  return unexpected(tokenizer.error(
      "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in"));
}

Result<MarkerComparison> parse_marker_item(Tokenizer& tokenizer) {
  tokenizer.consume(TokenKind::ws);
  MLSTACK_TRY_ASSIGN(MarkerOperand lhs, parse_marker_var(tokenizer));
  tokenizer.consume(TokenKind::ws);
  MLSTACK_TRY_ASSIGN(MarkerOperator op, parse_marker_op(tokenizer));
  tokenizer.consume(TokenKind::ws);
  MLSTACK_TRY_ASSIGN(MarkerOperand rhs, parse_marker_var(tokenizer));
  tokenizer.consume(TokenKind::ws);
  return MarkerComparison{std::move(lhs), op, std::move(rhs)};
}

bool is_variable(const MarkerOperand& operand, std::string_view name) {
  return operand.kind == MarkerOperand::Kind::variable && operand.text == name;
}

// `_normalize_extras`: the literal compared with `extra`, or tested for membership in `extras`
// or `dependency_groups`, is canonicalized (PEP 685).
void normalize_extras(MarkerComparison& c) {
  using Kind = MarkerOperand::Kind;
  if (is_variable(c.lhs, "extra") && c.rhs.kind == Kind::value) {
    c.rhs.text = names::canonicalize(c.rhs.text);
  } else if (is_variable(c.rhs, "extra") && c.lhs.kind == Kind::value) {
    c.lhs.text = names::canonicalize(c.lhs.text);
  } else if ((is_variable(c.rhs, "extras") || is_variable(c.rhs, "dependency_groups")) &&
             c.lhs.kind == Kind::value) {
    c.lhs.text = names::canonicalize(c.lhs.text);
  }
}

Result<MarkerNode> parse_marker_atom(Tokenizer& tokenizer) {
  tokenizer.consume(TokenKind::ws);
  MarkerNode node;
  if (tokenizer.peek(TokenKind::left_parenthesis)) {
    const std::size_t open_position = tokenizer.position();
    tokenizer.consume(TokenKind::left_parenthesis);
    tokenizer.consume(TokenKind::ws);
    MLSTACK_TRY_ASSIGN(node.group, parse_marker_list(tokenizer));
    node.kind = MarkerNode::Kind::group;
    tokenizer.consume(TokenKind::ws);
    if (!tokenizer.check_read(TokenKind::right_parenthesis)) {
      return unexpected(tokenizer.error(
          "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression",
          open_position));
    }
  } else {
    MLSTACK_TRY_ASSIGN(node.comparison, parse_marker_item(tokenizer));
    normalize_extras(node.comparison);
  }
  tokenizer.consume(TokenKind::ws);
  return node;
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

}  // namespace

Result<MarkerList> parse_marker_list(Tokenizer& tokenizer) {
  MarkerList expression;
  expression.reserve(3);  // `a and b` is the common shape: one allocation
  MLSTACK_TRY_ASSIGN(MarkerNode first, parse_marker_atom(tokenizer));
  expression.push_back(std::move(first));
  Token token{};
  while (tokenizer.check_read(TokenKind::boolop, &token)) {
    MarkerNode op;
    op.kind = token.text == "and" ? MarkerNode::Kind::and_ : MarkerNode::Kind::or_;
    expression.push_back(std::move(op));
    MLSTACK_TRY_ASSIGN(MarkerNode right, parse_marker_atom(tokenizer));
    expression.push_back(std::move(right));
  }
  return expression;
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
