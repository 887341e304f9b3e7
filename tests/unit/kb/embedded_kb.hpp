// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/kb/kb.hpp"

#include <gtest/gtest.h>

namespace mlstack::kb::test_support {

/// The knowledge base compiled into the binary, loaded once for the test program.
inline const Kb& embedded() {
  static const Kb k_kb = [] {
    auto kb = load_kb({});
    EXPECT_TRUE(kb) << render(kb.error());
    return kb ? std::move(kb).value() : Kb{};
  }();
  return k_kb;
}

}  // namespace mlstack::kb::test_support
