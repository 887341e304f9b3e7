// SPDX-License-Identifier: MIT
#include "mlstack/cli/doctor_output.hpp"

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <ostream>

#include "mlstack/cli/commands.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/html/html.hpp"
#include "mlstack/junit/junit_report.hpp"
#include "mlstack/nfd/feature_file.hpp"
#include "mlstack/prometheus/exposition.hpp"

namespace mlstack::cli {

std::optional<DoctorFormat> parse_doctor_format(std::string_view name) {
  if (name == "text") {
    return DoctorFormat::text;
  }
  if (name == "json") {
    return DoctorFormat::json;
  }
  if (name == "prometheus") {
    return DoctorFormat::prometheus;
  }
  if (name == "nfd") {
    return DoctorFormat::nfd;
  }
  if (name == "junit") {
    return DoctorFormat::junit;
  }
  if (name == "html") {
    return DoctorFormat::html;
  }
  return std::nullopt;
}

std::int64_t run_started_s() {
  if (const char* now = std::getenv("MLSTACK_NOW"); now != nullptr) {
    const std::string_view text(now);
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && ptr == text.data() + text.size() && !text.empty()) {
      return value;
    }
  }
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void render_doctor(const report::Report& report, const DoctorOptions& options, std::ostream& out) {
  switch (options.format) {
    case DoctorFormat::text:
      report::render_text(report, out, report::TextOptions{options.color, options.width});
      return;
    case DoctorFormat::json:
      report::render_json(report, out);
      return;
    case DoctorFormat::prometheus:
      out << prometheus::render(report, prometheus::Options{options.started_s, options.strict});
      return;
    case DoctorFormat::nfd:
      out << nfd::render(report, nfd::Options{options.started_s.value_or(0),
                                              options.nfd_expiry_s, options.strict});
      return;
    case DoctorFormat::junit:
      out << junit::render(report, junit::Options{options.started_s, options.strict});
      return;
    case DoctorFormat::html:
      html::render_html(report, out);
      return;
  }
}

Result<void> write_output(const std::string& path, std::string_view text) {
  return io::write_file_atomic(path, text);
}

}  // namespace mlstack::cli
