// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/kb/expression.hpp"

#include <optional>
#include <span>
#include <string_view>
#include <vector>

/// The names of the rule language: its facts (`framework.cuda`) and functions
/// (`installed(...)`), with their types. docs/kb.md lists them for rule writers.
namespace mlstack::kb::detail {

struct FieldInfo {
  std::string_view object;  // `python`, `driver`, `framework`, `other`, `device`, `library`
  std::string_view name;
  Field field;
  Type type;
};

struct FunctionInfo {
  std::string_view name;
  Function function;
  std::vector<Type> params;  // empty with `variadic_strings`: one or more string literals
  bool variadic_strings;
  Type result;
};

/// Every fact, grouped by object.
[[nodiscard]] std::span<const FieldInfo> fields() noexcept;

/// Every built-in function.
[[nodiscard]] const std::vector<FunctionInfo>& functions();

/// The binding an object name needs (`other` → Binding::other); none for `python` and
/// `driver`, which are always bound.
[[nodiscard]] std::optional<Binding> binding_of(std::string_view object) noexcept;

}  // namespace mlstack::kb::detail
