// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "mlstack/base/result.hpp"
#include "mlstack/facts/python_facts.hpp"

/// Typed field readers shared by the facts' JSON readers. Each leaves `out` alone when `key`
/// is absent, and fails with "expected string for `key`, found number" on a wrong type.
namespace mlstack::facts::detail {

[[nodiscard]] Result<void> read(const nlohmann::json& object, std::string_view key,
                                std::string& out);
[[nodiscard]] Result<void> read(const nlohmann::json& object, std::string_view key, bool& out);
[[nodiscard]] Result<void> read(const nlohmann::json& object, std::string_view key, int& out);
[[nodiscard]] Result<void> read(const nlohmann::json& object, std::string_view key,
                                std::vector<std::string>& out);
[[nodiscard]] Result<void> read(const nlohmann::json& object, std::string_view key,
                                std::vector<int>& out);
[[nodiscard]] Result<void> read(const nlohmann::json& object, std::string_view key,
                                MarkerValues& out);

}  // namespace mlstack::facts::detail
