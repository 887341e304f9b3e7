// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "mlstack/facts/gpu_facts.hpp"

/// Value writers shared by the facts' JSON renderers (schema mlstack.doctor/2).
namespace mlstack::facts::detail {

/// Unknown is `null`, never `""`.
[[nodiscard]] nlohmann::ordered_json string_or_null(const std::string& s);

/// `{"value": ..., "source": ...}`, or `null` when the value is unknown.
[[nodiscard]] nlohmann::ordered_json sourced(const Sourced& s);

}  // namespace mlstack::facts::detail
