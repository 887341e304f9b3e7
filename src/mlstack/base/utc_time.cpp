// SPDX-License-Identifier: MIT
#include "mlstack/base/utc_time.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

namespace mlstack::text {

std::string utc_rfc3339(std::int64_t seconds) {
  using namespace std::chrono;
  // 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
  constexpr std::int64_t k_min = -62167219200;
  constexpr std::int64_t k_max = 253402300799;
  const sys_seconds t{std::chrono::seconds{std::clamp(seconds, k_min, k_max)}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<std::chrono::seconds> time{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count());
}

}  // namespace mlstack::text
