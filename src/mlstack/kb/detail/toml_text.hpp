// SPDX-License-Identifier: MIT
#pragma once

// The check moved to base (the lock reader, lockfile/pylock.cpp, needs it too).
#include "mlstack/base/toml_text.hpp"

namespace mlstack::kb::detail {
using text::check_toml_text;
}  // namespace mlstack::kb::detail
