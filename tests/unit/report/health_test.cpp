// SPDX-License-Identifier: MIT
#include "mlstack/report/health.hpp"

#include <gtest/gtest.h>

namespace mlstack::report {
namespace {

rules::Finding finding(std::string id, rules::Severity s, std::string title) {
  rules::Finding f;
  f.id = std::move(id);
  f.severity = s;
  f.title = std::move(title);
  return f;
}

TEST(HealthStatus, NoErrorsIsHealthyWhateverTheWarnings) {
  const std::vector<rules::Finding> findings = {
      finding("PKG-EXTRA-MISSING", rules::Severity::warning, "a requires b[x]"),
      finding("KB-NOTE", rules::Severity::info, "fyi")};
  const HealthStatus s = health_status(findings, false);
  EXPECT_TRUE(s.healthy);
  EXPECT_EQ(s.line, "healthy");
  EXPECT_TRUE(health_status({}, true).healthy);
}

TEST(HealthStatus, NamesTheFirstErrorInReportOrderAndCountsTheRest) {
  const std::vector<rules::Finding> findings = {
      finding("PKG-EXTRA-MISSING", rules::Severity::warning, "w"),
      finding("PKG-CONFLICT", rules::Severity::error,
              "requests 2.32.3 requires idna<4,>=2.5, but idna 2.4 is installed"),
      finding("PKG-MISSING", rules::Severity::error, "x requires y, which is not installed"),
      finding("PKG-MISSING", rules::Severity::error, "x requires z, which is not installed")};
  const HealthStatus s = health_status(findings, false);
  EXPECT_FALSE(s.healthy);
  EXPECT_EQ(s.line,
            "unhealthy: PKG-CONFLICT requests 2.32.3 requires idna<4,>=2.5, but idna 2.4 is "
            "installed (+2 more errors)");
  EXPECT_EQ(health_status({findings[1]}, false).line,
            "unhealthy: PKG-CONFLICT requests 2.32.3 requires idna<4,>=2.5, but idna 2.4 is "
            "installed");
}

TEST(HealthStatus, StrictCountsWarningsButAnErrorComesFirst) {
  const std::vector<rules::Finding> warnings = {
      finding("PKG-EXTRA-MISSING", rules::Severity::warning, "app 1.0 requires lib[fast]"),
      finding("KB-NOTE", rules::Severity::info, "fyi")};
  EXPECT_EQ(health_status(warnings, true).line, "unhealthy: PKG-EXTRA-MISSING app 1.0 requires lib[fast]");
  std::vector<rules::Finding> both = warnings;
  both.push_back(finding("PKG-MISSING", rules::Severity::error, "x requires y"));
  EXPECT_EQ(health_status(both, true).line, "unhealthy: PKG-MISSING x requires y (+1 more problems)");
}

TEST(HealthStatus, OneEscapedBoundedLine) {
  const HealthStatus s = health_status(
      {finding("PKG-CONFLICT", rules::Severity::error, "evil\x1b]0;title\x07\nsecond\tline")},
      false);
  EXPECT_EQ(s.line, "unhealthy: PKG-CONFLICT evil\\x1b]0;title\\x07 second line");

  std::string long_title(1000, 'a');
  // `é` across the cut: "unhealthy: PKG-CONFLICT " is 24 bytes, the cut at 400 - 17 - 3.
  long_title.replace(k_max_health_line - 17 - 3 - 24 - 1, 2, "\xc3\xa9");
  std::vector<rules::Finding> many(3, finding("PKG-CONFLICT", rules::Severity::error, long_title));
  const HealthStatus cut = health_status(many, false);
  EXPECT_LE(cut.line.size(), k_max_health_line);
  EXPECT_TRUE(cut.line.ends_with("\xe2\x80\xa6 (+2 more errors)")) << cut.line;
  EXPECT_EQ(cut.line.find('\n'), std::string::npos);
  EXPECT_NE(cut.line.find("a\xe2\x80\xa6"), std::string::npos) << "cut inside a character";

  const HealthStatus failure = health_failure("cannot run `python9`: No such file\nhint: x");
  EXPECT_FALSE(failure.healthy);
  EXPECT_EQ(failure.line, "unhealthy: cannot run `python9`: No such file hint: x");
}

}  // namespace
}  // namespace mlstack::report
