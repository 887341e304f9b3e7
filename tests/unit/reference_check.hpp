// SPDX-License-Identifier: MIT
#pragma once

// A differential test whose reference (the pinned pip in build/refvenv, python3) is missing:
// a skip on a developer's machine, a failure in CI (`CI` set and not `0`/`false`), where a
// skipped differential test would pass without proving anything.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

namespace mlstack::testing {

[[nodiscard]] inline bool in_ci() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) {
    return false;
  }
  const std::string_view v(ci);
  return !v.empty() && v != "0" && v != "false" && v != "False" && v != "FALSE";
}

}  // namespace mlstack::testing

/// Ends the test: GTEST_SKIP() outside CI, FAIL() in CI. `message` says what is missing.
#define MLSTACK_REFERENCE_MISSING(message)                                                  \
  do {                                                                                      \
    if (::mlstack::testing::in_ci()) {                                                      \
      FAIL() << message << " (CI is set: a differential test must run, not skip)";         \
    }                                                                                       \
    GTEST_SKIP() << message;                                                                \
  } while (false)
