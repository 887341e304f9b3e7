// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mlstack/report/report.hpp"

namespace mlstack::junit {

struct Options {
  std::optional<std::int64_t> timestamp_s;  // the run's time: the suite's `timestamp` (UTC)
  bool strict = false;  // `--strict`: a warning fails its test case, as it fails the run
};

/// How `escape` writes tab, line feed and carriage return: as character references in an
/// attribute value (where a parser would turn them into spaces), as they are in element text.
enum class XmlContext { attribute, text };

/// `text` safe in XML 1.0: `&`, `<`, `>`, `"` and `'` as entities; tab, line feed and carriage
/// return per `context`; what XML 1.0 cannot hold at all (other C0 controls, U+FFFE, U+FFFF,
/// bytes that are not UTF-8) as U+FFFD.
[[nodiscard]] std::string escape(std::string_view text, XmlContext context);

/// The doctor report as a JUnit XML document (the Jenkins/Ant schema CI systems read, checked
/// in the tests against junit-10.xsd): one `<testsuite name="mlstack doctor">`, one
/// `<testcase classname="mlstack.doctor.PKG" name="PKG-MISSING">` per check in
/// `report.checks` (and per finding id not among them). A check with an error finding has a
/// `<failure>`; with a warning, `<skipped>` (a `<failure>` with `strict`); with infos only, or
/// nothing, it passes; the findings' text is the element's text, an info's is in `<system-out>`.
[[nodiscard]] std::string render(const report::Report& report, const Options& options);

}  // namespace mlstack::junit
