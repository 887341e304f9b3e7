// SPDX-License-Identifier: MIT
#include "mlstack/junit/junit_report.hpp"

#include <map>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"
#include "mlstack/base/utc_time.hpp"

namespace mlstack::junit {
namespace {

// Whether XML 1.0 can hold code point `c` (its `Char` production).
bool xml_char(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

constexpr XmlContext k_text = XmlContext::text;

std::string attr(std::string_view s) { return escape(s, XmlContext::attribute); }

struct Case {
  std::string id;
  std::vector<const rules::Finding*> findings;
};

// `PKG-MISSING` → `PKG`: the test case's class, so CI systems group the checks by family.
std::string family(std::string_view id) {
  const std::size_t dash = id.find('-');
  return std::string(dash == std::string_view::npos ? id : id.substr(0, dash));
}

std::string finding_text(const rules::Finding& f) {
  std::string out = fmt::format("{}: {}\n", rules::to_string(f.severity), f.title);
  for (const std::string& s : f.subjects) {
    out += fmt::format("  subject: {}\n", s);
  }
  for (const std::string& e : f.evidence) {
    out += fmt::format("  evidence: {}\n", e);
  }
  if (!f.why.empty()) {
    out += fmt::format("  why: {}\n", f.why);
  }
  if (!f.fix.empty()) {
    out += fmt::format("  fix: {}\n", f.fix);
  }
  return out;
}

}  // namespace

std::string escape(std::string_view text, XmlContext context) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const text::Utf8Char c = text::decode_utf8(text, i);
    if (c.length == 0 || !xml_char(c.code_point)) {
      out += "\xef\xbf\xbd";
      i += c.length == 0 ? 1 : c.length;
      continue;
    }
    switch (c.code_point) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += context == XmlContext::attribute ? "&#9;" : "\t";
        break;
      case '\n':
        out += context == XmlContext::attribute ? "&#10;" : "\n";
        break;
      case '\r':
        out += "&#13;";  // a parser would drop a literal one
        break;
      default:
        out.append(text.substr(i, c.length));
    }
    i += c.length;
  }
  return out;
}

std::string render(const report::Report& report, const Options& options) {
  // The checks in order, each once, then the ids of findings no check listed.
  std::vector<Case> cases;
  std::map<std::string, std::size_t, std::less<>> index;
  const auto case_for = [&](const std::string& id) -> Case& {
    const auto [it, added] = index.emplace(id, cases.size());
    if (added) {
      cases.push_back(Case{id, {}});
    }
    return cases[it->second];
  };
  for (const std::string& id : report.checks) {
    case_for(id);
  }
  for (const rules::Finding& f : report.findings) {
    case_for(f.id).findings.push_back(&f);
  }

  std::string body;
  int failures = 0;
  int skipped = 0;
  for (const Case& c : cases) {
    int errors = 0;
    int warnings = 0;
    std::string details;
    for (const rules::Finding* f : c.findings) {
      errors += f->severity == rules::Severity::error ? 1 : 0;
      warnings += f->severity == rules::Severity::warning ? 1 : 0;
      details += finding_text(*f);
    }
    body += fmt::format("    <testcase classname=\"mlstack.doctor.{}\" name=\"{}\">\n",
                        attr(family(c.id)), attr(c.id));
    const rules::Finding* first = c.findings.empty() ? nullptr : c.findings.front();
    const std::string summary =
        first == nullptr ? "" : attr(fmt::format("{} finding(s); {}", c.findings.size(),
                                                 first->title));
    if (errors > 0 || (options.strict && warnings > 0)) {
      ++failures;
      body += fmt::format("      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                          errors > 0 ? "error" : "warning", summary, escape(details, k_text));
    } else if (warnings > 0) {
      ++skipped;
      body += fmt::format("      <skipped type=\"warning\" message=\"{}\">{}</skipped>\n",
                          summary, escape(details, k_text));
    } else if (!details.empty()) {
      body += fmt::format("      <system-out>{}</system-out>\n", escape(details, k_text));
    }
    body += "    </testcase>\n";
  }

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites name=\"mlstack doctor\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n",
      cases.size(), failures);
  std::string timestamp;
  if (options.timestamp_s) {
    // Ant's and Jenkins' form: ISO 8601 without a zone (here UTC).
    timestamp = text::utc_rfc3339(*options.timestamp_s);
    timestamp.pop_back();
    timestamp = fmt::format(" timestamp=\"{}\"", timestamp);
  }
  out += fmt::format(
      "  <testsuite name=\"mlstack doctor\" tests=\"{}\" failures=\"{}\" errors=\"0\" "
      "skipped=\"{}\"{}>\n",
      cases.size(), failures, skipped, timestamp);
  out += "    <properties>\n";
  const auto property = [&out](std::string_view name, std::string_view value) {
    out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", name, attr(value));
  };
  property("mlstack.version", report.mlstack_version);
  property("python.version", report.python.version);
  property("python.executable", report.python.executable);
  out += "    </properties>\n";
  out += body;
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace mlstack::junit
