// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>

namespace mlstack::text {

/// Seconds since the Unix epoch as an RFC 3339 UTC time: `2026-12-07T06:00:00Z` (the form Go's
/// `time.RFC3339` parses, as NFD's expiry-time directive does). Years outside 0000-9999 are
/// clamped to that range.
[[nodiscard]] std::string utc_rfc3339(std::int64_t seconds);

}  // namespace mlstack::text
