// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mlstack/rules/finding.hpp"

namespace mlstack::report {

/// What `mlstack doctor --healthcheck` prints and returns (docs/ARCHITECTURE.md, README).
struct HealthStatus {
  bool healthy = true;
  std::string line;  // one line, no newline: `healthy`, or `unhealthy: ID title (+N more)`
};

/// At most this many bytes in a status line (Docker keeps the first 4096 bytes of a
/// HEALTHCHECK's output; Kubernetes shows a probe's output in one event line).
inline constexpr std::size_t k_max_health_line = 400;

/// The status of an environment from its findings: unhealthy on the first error (in the
/// report's order), or with `strict` on the first warning when there is no error; infos never
/// count. The title is escaped (text::escape_controls), folded to one line and cut to
/// k_max_health_line bytes at a UTF-8 boundary.
[[nodiscard]] HealthStatus health_status(const std::vector<rules::Finding>& findings, bool strict);

/// The status line of a health check that could not inspect the environment at all (no such
/// interpreter, a bad `--kb` file): `unhealthy: <what>`, one line, bounded as above.
[[nodiscard]] HealthStatus health_failure(std::string_view what);

}  // namespace mlstack::report
