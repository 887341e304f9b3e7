// SPDX-License-Identifier: MIT
#include "mlstack/pep508/marker.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/names/package_name.hpp"
#include "mlstack/pep440/specifier.hpp"

namespace mlstack::pep508 {
namespace {

using detail::MarkerComparison;
using detail::MarkerList;
using detail::MarkerNode;
using detail::MarkerOperand;

// packaging's `MARKERS_REQUIRING_VERSION`: compared as PEP 440 versions when the right-hand
// side makes a valid specifier.
bool requires_version(std::string_view key) {
  return key == "implementation_version" || key == "platform_release" ||
         key == "python_full_version" || key == "python_version";
}

// The evaluation environment: packaging's `default_environment()` with `extra` set and
// `python_full_version` repaired (`3.13.0+` → `3.13.0+local`). Variables are looked up when a
// comparison asks for them: most markers pip evaluates only compare `extra`.
class EvaluationEnvironment {
 public:
  EvaluationEnvironment(const MarkerEnvironment& environment, std::string_view extra)
      : m_environment(environment), m_extra(extra.empty() ? "" : names::canonicalize(extra)) {}

  [[nodiscard]] Result<std::string_view> lookup(std::string_view key) const {
    if (key == "extra") {
      return std::string_view(m_extra);
    }
    const auto value = m_environment.get(key);
    if (!value) {
      // `UndefinedEnvironmentName(key)`, a KeyError: `str()` is the key's repr.
      return unexpected(make_error(ErrorCode::not_found, text::python_repr(key)));
    }
    if (key == "python_full_version" && value->ends_with('+')) {
      if (!m_python_full_version) {
        m_python_full_version = std::string(*value) + "local";
      }
      return std::string_view(*m_python_full_version);
    }
    return *value;
  }

 private:
  const MarkerEnvironment& m_environment;
  std::string m_extra;
  mutable std::optional<std::string> m_python_full_version;  // the repaired value, once asked
};

// `_eval_op`.
Result<bool> eval_op(std::string_view lhs, pep508::MarkerOperator op, std::string_view rhs,
                     std::string_view key) {
  const std::string_view op_text = detail::operator_text(op);
  if (requires_version(key)) {
    std::string spec(op_text);
    spec += rhs;
    if (auto parsed = pep440::Specifier::parse(spec)) {
      return parsed->contains(lhs, pep440::Prereleases::allow);
    }
  }
  switch (op) {
    case pep508::MarkerOperator::in:
      return rhs.find(lhs) != std::string_view::npos;
    case pep508::MarkerOperator::not_in:
      return rhs.find(lhs) == std::string_view::npos;
    case pep508::MarkerOperator::less:
    case pep508::MarkerOperator::greater:
      return false;
    case pep508::MarkerOperator::less_equal:
    case pep508::MarkerOperator::equal:
    case pep508::MarkerOperator::greater_equal:
      return lhs == rhs;
    case pep508::MarkerOperator::not_equal:
      return lhs != rhs;
    case pep508::MarkerOperator::compatible:
    case pep508::MarkerOperator::arbitrary:
      break;
  }
  // `UndefinedComparison(f"Undefined {op!r} on {lhs!r} and {rhs!r}.")`
  return unexpected(make_error(ErrorCode::invalid_data, "Undefined <Op(" +
                                                            text::python_repr(op_text) + ")> on " +
                                                            text::python_repr(lhs) + " and " +
                                                            text::python_repr(rhs) + "."));
}

Result<bool> eval_comparison(const MarkerComparison& c, const EvaluationEnvironment& env) {
  // A variable on the left is looked up and compared with the right side's text; otherwise
  // the right side's text names the variable, even when it is a quoted string.
  std::string_view key;
  std::string_view lhs;
  std::string_view rhs;
  if (c.lhs.kind == MarkerOperand::Kind::variable) {
    key = c.lhs.text;
    MLSTACK_TRY_ASSIGN(lhs, env.lookup(key));
    rhs = c.rhs.text;
  } else {
    lhs = c.lhs.text;
    key = c.rhs.text;
    MLSTACK_TRY_ASSIGN(rhs, env.lookup(key));
  }
  return eval_op(lhs, c.op, rhs, key);
}

// `_evaluate_markers`: every item is evaluated (no short-circuit, so errors surface as in
// packaging), then `any(all(group) for group in groups)` with groups split on `or`.
Result<bool> evaluate_list(const MarkerList& markers, const EvaluationEnvironment& env) {
  bool any_group = false;
  bool group_all = true;
  for (const MarkerNode& node : markers) {
    bool value = true;
    switch (node.kind) {
      case MarkerNode::Kind::group: {
        MLSTACK_TRY_ASSIGN(value, evaluate_list(node.group, env));
        group_all = group_all && value;
        break;
      }
      case MarkerNode::Kind::comparison: {
        MLSTACK_TRY_ASSIGN(value, eval_comparison(node.comparison, env));
        group_all = group_all && value;
        break;
      }
      case MarkerNode::Kind::or_:
        any_group = any_group || group_all;
        group_all = true;
        break;
      case MarkerNode::Kind::and_:
        break;
    }
  }
  return any_group || group_all;
}

bool mentions_extra_in(const MarkerList& markers) {
  for (const MarkerNode& node : markers) {
    if (node.kind == MarkerNode::Kind::group && mentions_extra_in(node.group)) {
      return true;
    }
    if (node.kind == MarkerNode::Kind::comparison) {
      const MarkerComparison& c = node.comparison;
      if ((c.lhs.kind == MarkerOperand::Kind::variable && c.lhs.text == "extra") ||
          (c.rhs.kind == MarkerOperand::Kind::variable && c.rhs.text == "extra")) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Result<Marker> Marker::parse(std::string_view text) {
  detail::Tokenizer tokenizer(text);
  Marker marker;
  if (Result<void> parsed = detail::parse_marker_list(tokenizer, marker.m_markers); !parsed) {
    return unexpected(std::move(parsed).error());
  }
  if (!tokenizer.peek(detail::TokenKind::end)) {
    return unexpected(tokenizer.error("Expected end of marker expression"));
  }
  return marker;
}

Result<bool> Marker::try_evaluate(const MarkerEnvironment& environment,
                                  std::string_view extra) const {
  const EvaluationEnvironment env(environment, extra);
  return evaluate_list(m_markers, env);
}

bool Marker::evaluate(const MarkerEnvironment& environment, std::string_view extra) const {
  return try_evaluate(environment, extra).value_or(false);
}

bool Marker::mentions_extra() const { return mentions_extra_in(m_markers); }

}  // namespace mlstack::pep508
