// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/kb/expression.hpp"
#include "mlstack/kb/kb.hpp"
#include "mlstack/pep440/version.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The run-time values of the rule language (pure): what a field, a literal or a function
/// evaluates to while a rule is judged.
namespace mlstack::kb::detail {

/// A run-time value. `type == Type::none` is a missing fact (unknown, not installed, ...).
struct Value {
  Type type = Type::none;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string text;  // strings; versions as the fact wrote them
  std::optional<pep440::Version> version;
  std::vector<std::string> list;
};

[[nodiscard]] Value make_bool(bool b);
[[nodiscard]] Value make_int(std::int64_t i);
[[nodiscard]] Value make_string(std::string s);
[[nodiscard]] Value make_list(std::vector<std::string> items);
/// A version from fact text; none when empty or not PEP 440.
[[nodiscard]] Value make_version(std::string_view text);
[[nodiscard]] Value make_version(const KbVersion& kv);

/// The first release number of a version value (`12` for `12.4`), none for other values.
[[nodiscard]] std::optional<std::int64_t> major_of(const Value& v);
/// Release component `i` of `v`, 0 when it has fewer (`release_at(12.4, 2)` is 0).
[[nodiscard]] std::uint64_t release_at(const pep440::Version& v, std::size_t i);

/// The value as a rule's text shows it: `unknown` for none, lists joined with `, `.
[[nodiscard]] std::string show(const Value& v);

}  // namespace mlstack::kb::detail
