// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mlstack/report/report.hpp"

namespace mlstack::prometheus {

/// What the caller knows that the report does not.
struct Options {
  // The time of the run, in seconds since the Unix epoch: `mlstack_last_run_timestamp_seconds`.
  // Absent: no such sample.
  std::optional<std::int64_t> run_timestamp_s;
  // `--strict`: warnings make `mlstack_healthy` 0 too, as they make the exit status 1.
  bool strict = false;
};

/// A label value as the text exposition format writes it between double quotes: `\` as `\\`,
/// `"` as `\"`, a line feed as `\n`; bytes that are not valid UTF-8 become U+FFFD (the format
/// is UTF-8). Example: `a"b\c` → `a\"b\\c`.
[[nodiscard]] std::string escape_label_value(std::string_view value);

/// The doctor report in the Prometheus text exposition format 0.0.4 (one `# HELP` and one
/// `# TYPE gauge` line per metric family, then its samples), for node-exporter's textfile
/// collector. The metric set is documented in docs/formats.md; every family is a gauge:
///
///     # HELP mlstack_healthy 1 when doctor found no error (with --strict: no warning either).
///     # TYPE mlstack_healthy gauge
///     mlstack_healthy 0
[[nodiscard]] std::string render(const report::Report& report, const Options& options);

}  // namespace mlstack::prometheus
