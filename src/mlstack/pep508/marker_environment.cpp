// SPDX-License-Identifier: MIT
#include "mlstack/pep508/marker_environment.hpp"

namespace mlstack::pep508 {
namespace {

std::optional<std::size_t> index_of(std::string_view variable) {
  // Compared from the last character: the names share their prefixes, not their endings.
  for (std::size_t i = 0; i < MarkerEnvironment::k_variables.size(); ++i) {
    const std::string_view name = MarkerEnvironment::k_variables[i];
    if (name.size() == variable.size() && name.back() == variable.back() && name == variable) {
      return i;
    }
  }
  return std::nullopt;
}

}  // namespace

MarkerEnvironment::MarkerEnvironment(const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    (void)set(key, value);
  }
}

std::optional<std::string_view> MarkerEnvironment::get(std::string_view variable) const {
  const std::optional<std::size_t> i = index_of(variable);
  if (!i || !m_values[*i]) {
    return std::nullopt;
  }
  return std::string_view(*m_values[*i]);
}

bool MarkerEnvironment::set(std::string_view variable, std::string value) {
  const std::optional<std::size_t> i = index_of(variable);
  if (!i) {
    return false;
  }
  m_values[*i] = std::move(value);
  return true;
}

}  // namespace mlstack::pep508
