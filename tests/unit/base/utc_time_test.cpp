// SPDX-License-Identifier: MIT
#include "mlstack/base/utc_time.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

namespace mlstack::text {
namespace {

TEST(UtcRfc3339, FormatsSecondsSinceTheEpoch) {
  // Expected values from `date -u -d @SECONDS +%Y-%m-%dT%H:%M:%SZ` (GNU coreutils).
  struct Case {
    std::int64_t seconds;
    std::string_view expected;
  };
  constexpr Case k_cases[] = {
      {0, "1970-01-01T00:00:00Z"},
      {951782400, "2000-02-29T00:00:00Z"},
      {1796623199, "2026-12-07T05:59:59Z"},
      {1796623200, "2026-12-07T06:00:00Z"},
      {-1, "1969-12-31T23:59:59Z"},
      {253402300799, "9999-12-31T23:59:59Z"},
      {253402300800, "9999-12-31T23:59:59Z"},  // clamped
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.seconds);
    EXPECT_EQ(utc_rfc3339(c.seconds), c.expected);
  }
}

}  // namespace
}  // namespace mlstack::text
