// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mlstack::pep508 {

/// The values of the PEP 508 marker variables for one interpreter, as packaging's
/// `default_environment()` reports them, such as `{"sys_platform": "linux", ...}`.
/// `extra` is not part of it: it is an argument of `Marker::evaluate`.
class MarkerEnvironment {
 public:
  /// The variables, in packaging's `Environment` order.
  static constexpr std::array<std::string_view, 11> k_variables = {
      "implementation_name", "implementation_version", "os_name",
      "platform_machine",    "platform_release",       "platform_system",
      "platform_version",    "python_full_version",    "platform_python_implementation",
      "python_version",      "sys_platform",
  };

  MarkerEnvironment() = default;
  /// From `facts::MarkerValues`; keys that are not marker variables (such as `extra`) are
  /// ignored, and variables missing from `values` stay unset.
  explicit MarkerEnvironment(const std::map<std::string, std::string>& values);

  /// The value of `variable`, or nullopt when it is unset or not a marker variable.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view variable) const;
  /// Sets a variable; returns false (and changes nothing) when `variable` is not one.
  bool set(std::string_view variable, std::string value);

 private:
  std::array<std::optional<std::string>, k_variables.size()> m_values;
};

}  // namespace mlstack::pep508
