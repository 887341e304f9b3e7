// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace mlstack::html::detail {

/// The page's style sheet (inline; system fonts only).
extern const std::string_view k_style;

}  // namespace mlstack::html::detail
