// SPDX-License-Identifier: MIT
// What every libFuzzer target here shares: the input as text, and a check that stops the run
// (libFuzzer then saves the input as a crash) when a property of a parser does not hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace mlstack::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};  // NOLINT: bytes as chars
}

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: property does not hold: %s\n", file, line, what);
  std::abort();
}

}  // namespace mlstack::fuzz

#define MLSTACK_FUZZ_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::mlstack::fuzz::fail(#cond, __FILE__, __LINE__))
