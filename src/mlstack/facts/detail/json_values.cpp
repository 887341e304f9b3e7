// SPDX-License-Identifier: MIT
#include "mlstack/facts/detail/json_values.hpp"

namespace mlstack::facts::detail {

nlohmann::ordered_json string_or_null(const std::string& s) {
  return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
}

nlohmann::ordered_json sourced(const Sourced& s) {
  if (s.value.empty()) {
    return nullptr;
  }
  return nlohmann::ordered_json{{"value", s.value}, {"source", string_or_null(s.source)}};
}

}  // namespace mlstack::facts::detail
