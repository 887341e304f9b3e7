// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/pep508/detail/tokenizer.hpp"

#include <string>
#include <vector>

namespace mlstack::pep508 {

/// A marker comparison operator, as written in the marker.
enum class MarkerOperator {
  less_equal,
  less,
  not_equal,
  equal,
  greater_equal,
  greater,
  compatible,
  arbitrary,
  in,
  not_in,
};

namespace detail {

/// One side of a marker comparison: an environment variable (named canonically, such as
/// `os_name` for `os.name`) or the decoded value of a quoted string.
struct MarkerOperand {
  enum class Kind { variable, value };
  Kind kind = Kind::value;
  std::string text;
  friend bool operator==(const MarkerOperand&, const MarkerOperand&) = default;
};

struct MarkerComparison {
  MarkerOperand lhs;
  MarkerOperator op = MarkerOperator::equal;
  MarkerOperand rhs;
  friend bool operator==(const MarkerComparison&, const MarkerComparison&) = default;
};

/// packaging's `MarkerList` element: a comparison (tuple), a parenthesized group (list), or
/// the words `and` / `or`.
struct MarkerNode {
  enum class Kind { comparison, group, and_, or_ };
  Kind kind = Kind::comparison;
  MarkerComparison comparison;
  std::vector<MarkerNode> group;
  friend bool operator==(const MarkerNode&, const MarkerNode&) = default;
};

using MarkerList = std::vector<MarkerNode>;

/// `_parse_marker`: marker = marker_atom (BOOLOP marker_atom)*, appended to `out`. Extra
/// values are normalized (`_normalize_extra_values`). On error `out` holds a partial list.
[[nodiscard]] Result<void> parse_marker_list(Tokenizer& tokenizer, MarkerList& out);

/// `_format_marker` on a marker list.
[[nodiscard]] std::string format_marker(const MarkerList& markers);

[[nodiscard]] std::string_view operator_text(MarkerOperator op) noexcept;

}  // namespace detail
}  // namespace mlstack::pep508
