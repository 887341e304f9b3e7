// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Module-level assignments of Python literals, read without running Python: what
/// `torch/version.py`, `jaxlib/version.py`, TensorFlow's `build_info.py` and ORT's
/// `build_and_package_info.py` hold. Pure.
namespace mlstack::frameworks {

struct PyEntry;

/// A Python literal value. Lists and tuples are `list`; `collections.OrderedDict([...])`
/// and `{...}` are `dict` (entries in source order).
struct PyValue {
  enum class Kind : std::uint8_t { none, boolean, integer, floating, string, list, dict, other };
  Kind kind = Kind::other;
  std::string text;  // string contents (escapes decoded), `True`/`False`, the number as written,
                     // or for `other` the expression text
  std::vector<PyValue> items;
  // Not `std::pair<std::string, PyValue>`: clang 14 with libstdc++ 12 cannot instantiate a
  // pair of this still incomplete type (its constructors' constraints ask about PyValue).
  std::vector<PyEntry> entries;  // dict entries with string keys

  [[nodiscard]] const PyValue* find(std::string_view key) const;  // dict lookup
  [[nodiscard]] bool is_true() const { return kind == Kind::boolean && text == "True"; }
};

/// One dict entry: the key's text and the value.
struct PyEntry {
  std::string key;
  PyValue value;
};

/// One `name = value` or `name: Type = value` line at column 0.
struct PyAssignment {
  std::string name;
  PyValue value;
  std::size_t line = 0;  // 1-based
};

/// Every top-level assignment in `source`, in order. Grammar (a subset of Python's):
///
///     assignment = NAME (":" annotation)? "=" literal
///     literal    = STRING+ | NUMBER | "True" | "False" | "None"
///                | "[" literals "]" | "(" literals ")" | "{" (literal ":" literal),* "}"
///                | ("collections." )? "OrderedDict(" "[" ("(" literal "," literal ")"),* "]" ")"
///     STRING     = prefix? ('...' | "..." | '''...''' | """...""")
///
/// A value that is none of these (`os.environ.get(...)`) is kept as `Kind::other` with its
/// text up to the end of the line. Lines inside brackets continue; comments are skipped.
/// The one error: brackets nested past Python's own limit of 200 (`line 3: too many nested
/// parentheses (Python allows 200)`, `ErrorCode::limit`), a file Python cannot import.
[[nodiscard]] Result<std::vector<PyAssignment>> parse_python_assignments(std::string_view source);

/// The last assignment to `name`, or nullptr.
[[nodiscard]] const PyValue* find_assignment(const std::vector<PyAssignment>& assignments,
                                             std::string_view name);

}  // namespace mlstack::frameworks
