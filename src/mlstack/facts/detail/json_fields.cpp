// SPDX-License-Identifier: MIT
#include "mlstack/facts/detail/json_fields.hpp"

#include <type_traits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mlstack::facts::detail {
namespace {

using nlohmann::json;

Error wrong_type(std::string_view expected, std::string_view key, const json& value) {
  return make_error(ErrorCode::invalid_data, fmt::format("expected {} for `{}`, found {}", expected,
                                                         key, value.type_name()));
}

template <class T>
Result<void> read_vector(const json& object, std::string_view key, std::vector<T>& out) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return {};
  }
  constexpr std::string_view expected =
      std::is_same_v<T, int> ? "array of integers" : "array of strings";
  if (!it->is_array()) {
    return unexpected(wrong_type(expected, key, *it));
  }
  std::vector<T> values;
  for (const json& item : *it) {
    if constexpr (std::is_same_v<T, int>) {
      if (!item.is_number_integer()) {
        return unexpected(wrong_type(expected, key, *it));
      }
    } else if (!item.is_string()) {
      return unexpected(wrong_type(expected, key, *it));
    }
    values.push_back(item.get<T>());
  }
  out = std::move(values);
  return {};
}

}  // namespace

Result<void> read(const json& object, std::string_view key, std::string& out) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return {};
  }
  if (!it->is_string()) {
    return unexpected(wrong_type("string", key, *it));
  }
  out = it->get<std::string>();
  return {};
}

Result<void> read(const json& object, std::string_view key, bool& out) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return {};
  }
  if (!it->is_boolean()) {
    return unexpected(wrong_type("boolean", key, *it));
  }
  out = it->get<bool>();
  return {};
}

Result<void> read(const json& object, std::string_view key, int& out) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return {};
  }
  if (!it->is_number_integer()) {
    return unexpected(wrong_type("integer", key, *it));
  }
  out = it->get<int>();
  return {};
}

Result<void> read(const json& object, std::string_view key, std::vector<std::string>& out) {
  return read_vector(object, key, out);
}

Result<void> read(const json& object, std::string_view key, std::vector<int>& out) {
  return read_vector(object, key, out);
}

Result<void> read(const json& object, std::string_view key, MarkerValues& out) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return {};
  }
  if (!it->is_object()) {
    return unexpected(wrong_type("object of strings", key, *it));
  }
  MarkerValues values;
  for (const auto& [name, value] : it->items()) {
    if (!value.is_string()) {
      return unexpected(wrong_type("string", fmt::format("{}.{}", key, name), value));
    }
    values.emplace(name, value.get<std::string>());
  }
  out = std::move(values);
  return {};
}

}  // namespace mlstack::facts::detail
