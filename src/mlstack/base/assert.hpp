// SPDX-License-Identifier: MIT
#pragma once

namespace mlstack::detail {
[[noreturn]] void assertion_failed(const char* expr, const char* file, int line) noexcept;
}  // namespace mlstack::detail

/// Always-on assertion for programming errors (never for bad input).
#define MLSTACK_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : ::mlstack::detail::assertion_failed(#expr, __FILE__, __LINE__))

#ifdef NDEBUG
#define MLSTACK_DEBUG_ASSERT(expr) static_cast<void>(0)
#else
#define MLSTACK_DEBUG_ASSERT(expr) MLSTACK_ASSERT(expr)
#endif
