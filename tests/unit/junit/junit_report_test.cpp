// SPDX-License-Identifier: MIT
#include "mlstack/junit/junit_report.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "mlstack/rules/checks.hpp"

namespace mlstack::junit {
namespace {

TEST(JunitEscape, KeepsTheDocumentWellFormed) {
  struct Case {
    std::string_view input, expected;
  };
  constexpr Case k_cases[] = {
      {"plain", "plain"},
      {"a<b>&c", "a&lt;b&gt;&amp;c"},
      {R"("quoted" 'x')", "&quot;quoted&quot; &apos;x&apos;"},
      {"line\nbreak\ttab\r", "line&#10;break&#9;tab&#13;"},
      {"esc\x1b[0m", "esc\xef\xbf\xbd[0m"},          // a C0 control XML 1.0 cannot hold
      {"bad\xff", "bad\xef\xbf\xbd"},                 // not UTF-8
      {"\xef\xbf\xbe", "\xef\xbf\xbd"},               // U+FFFE
      {"caf\xc3\xa9", "caf\xc3\xa9"},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(escape(c.input, XmlContext::attribute), c.expected);
  }
  // Element text keeps tab and line feed as they are.
  EXPECT_EQ(escape("a\tb\nc\r<", XmlContext::text), "a\tb\nc&#13;&lt;");
}

std::size_t occurrences(const std::string& s, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) {
    ++n;
  }
  return n;
}

report::Report sample_report() {
  report::Report r;
  r.mlstack_version = "0.1.0";
  r.python.version = "3.11.2";
  r.checks = {"PKG-MISSING", "PKG-CONFLICT", "FW-CPU-BUILD", "KB-PREALLOC-JAX"};
  r.findings.push_back({"PKG-MISSING", rules::Severity::error, "torch requires <missing>", {"torch"}, {"e1"}, "why", "pip install x"});
  r.findings.push_back({"PKG-MISSING", rules::Severity::error, "second", {}, {}, "", ""});
  r.findings.push_back({"FW-CPU-BUILD", rules::Severity::warning, "cpu", {}, {}, "", ""});
  r.findings.push_back({"KB-PREALLOC-JAX", rules::Severity::info, "prealloc", {}, {}, "", ""});
  r.findings.push_back({"NEW-CHECK", rules::Severity::error, "unlisted", {}, {}, "", ""});
  return r;
}

TEST(JunitRender, OneTestCasePerCheck) {
  const std::string xml = render(sample_report(), Options{1796623200, false});
  // 4 checks + NEW-CHECK; failures PKG-MISSING and NEW-CHECK; FW-CPU-BUILD skipped.
  EXPECT_NE(xml.find("<testsuites name=\"mlstack doctor\" tests=\"5\" failures=\"2\" errors=\"0\">"),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("<testsuite name=\"mlstack doctor\" tests=\"5\" failures=\"2\" errors=\"0\" "
                     "skipped=\"1\" timestamp=\"2026-12-07T06:00:00\">"),
            std::string::npos) << xml;
  EXPECT_EQ(occurrences(xml, "<testcase "), 5U);
  EXPECT_EQ(occurrences(xml, "<failure "), 2U);
  EXPECT_EQ(occurrences(xml, "<skipped "), 1U);
  EXPECT_NE(xml.find("<testcase classname=\"mlstack.doctor.PKG\" name=\"PKG-CONFLICT\">\n"
                     "    </testcase>"),
            std::string::npos) << "a passing check is an empty test case";
  EXPECT_NE(xml.find("<failure type=\"error\" message=\"2 finding(s); torch requires "
                     "&lt;missing&gt;\">error: torch requires &lt;missing&gt;\n  subject: torch\n"),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"NEW-CHECK\""), std::string::npos);
}

TEST(JunitRender, StrictFailsWarnings) {
  const std::string xml = render(sample_report(), Options{std::nullopt, true});
  EXPECT_EQ(occurrences(xml, "<failure "), 3U);
  EXPECT_EQ(occurrences(xml, "<skipped "), 0U);
  EXPECT_EQ(xml.find("timestamp="), std::string::npos);
}

// Every id doctor's own code checks is documented in docs/rules.md (as a `### ID` heading or
// in a heading that lists several).
TEST(JunitChecks, AreDocumented) {
  std::ifstream in(std::string(MLSTACK_SOURCE_DIR) + "/docs/rules.md");
  ASSERT_TRUE(in) << "docs/rules.md";
  std::stringstream text;
  text << in.rdbuf();
  std::string headings;
  std::istringstream lines(text.str());
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("### ", 0) == 0) {
      headings += line + " ";
    }
  }
  const auto check = [&headings](std::string_view id) {
    EXPECT_NE(headings.find(std::string(id) + ' '), std::string::npos) << id;
  };
  for (std::string_view id : rules::k_package_checks) {
    check(id);
  }
  for (std::string_view id : rules::k_gathering_checks) {
    check(id);
  }
  for (std::string_view id : rules::k_loader_checks) {
    check(id);
  }
  for (std::string_view id : rules::k_probe_checks) {
    EXPECT_NE(headings.find(std::string(id)), std::string::npos) << id;
  }
}

}  // namespace
}  // namespace mlstack::junit
