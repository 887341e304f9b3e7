// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "mlstack/base/result.hpp"
#include "mlstack/report/report.hpp"

namespace mlstack::cli {

struct DoctorOptions;

/// `doctor --format`: how the report is rendered; the exit status does not depend on it.
enum class DoctorFormat { text, json, prometheus, nfd, junit, html };

/// `text`, `json`, `prometheus`, `nfd`, `junit`, `html` → the format; anything else → nullopt.
[[nodiscard]] std::optional<DoctorFormat> parse_doctor_format(std::string_view name);

/// When this run started, in seconds since the Unix epoch: the clock, or `MLSTACK_NOW` when it
/// is set to a number (reproducible output for tests: docs/formats.md).
[[nodiscard]] std::int64_t run_started_s();

/// The report in `options.format` on `out`.
void render_doctor(const report::Report& report, const DoctorOptions& options, std::ostream& out);

/// `--output FILE`: `text` written to a temporary file in FILE's folder (a dot file, which
/// node-exporter's textfile collector and NFD's features.d both pass over) and renamed over
/// FILE, so a reader sees the old file or the new one, never part of one; mode 0644 less the
/// umask.
[[nodiscard]] Result<void> write_output(const std::string& path, std::string_view text);

}  // namespace mlstack::cli
