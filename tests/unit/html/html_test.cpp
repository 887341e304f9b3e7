// SPDX-License-Identifier: MIT
#include "mlstack/html/html.hpp"

#include <algorithm>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "html/sample_report.hpp"

namespace mlstack::html {
namespace {

using testing::k_hostile;
using testing::sample_report;

std::string page(const report::Report& r) {
  std::ostringstream out;
  render_html(r, out);
  return out.str();
}

std::size_t occurrences(const std::string& haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

TEST(HtmlEscape, EntitiesControlsAndInvalidUtf8) {
  EXPECT_EQ(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  // Control characters as the terminal report writes them, then entity-escaped.
  EXPECT_EQ(escape("x\x1b[2J\ry"), "x\\x1b[2J\\ry");
  EXPECT_EQ(escape("\xc2\x9b"), "\\x9b");
  // Invalid UTF-8 becomes U+FFFD; valid multi-byte text passes.
  EXPECT_EQ(escape("\xff\xfe ok \xe2\x9c\x93"), "\xef\xbf\xbd\xef\xbf\xbd ok \xe2\x9c\x93");
  EXPECT_EQ(escape("tab\tline\nend"), "tab\tline\nend");
}

TEST(HtmlPage, HostileMetadataIsText) {
  const std::string html = page(sample_report());
  // The hostile string appears (title, why, framework version), only escaped.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("onerror='"), std::string::npos);
  EXPECT_EQ(html.find("=\"http"), std::string::npos) << "no URL in an attribute";
  EXPECT_GE(occurrences(html, "&lt;script&gt;alert(1)&lt;/script&gt;"), 3U);
  EXPECT_GE(occurrences(html, "\\x1b]0;pwned\\x07"), 3U);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_EQ(html.find('\x07'), std::string::npos);
  EXPECT_EQ(html.find('\xff'), std::string::npos);
  // Every byte is printable ASCII, a tab or line feed, or part of UTF-8.
  EXPECT_TRUE(std::none_of(html.begin(), html.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\n' && c != '\t') || u == 0x7f;
  }));
}

TEST(HtmlPage, SelfContained) {
  const std::string html = page(sample_report());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n"));
  EXPECT_NE(html.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                      "style-src 'unsafe-inline';"),
            std::string::npos);
  EXPECT_NE(html.find("<meta name=\"viewport\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src=\""), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<style>"), 1U);
  EXPECT_TRUE(html.ends_with("</html>\n"));
}

TEST(HtmlPage, EverySection) {
  const std::string html = page(sample_report());
  for (const char* id : {"verdict", "findings", "dependencies", "python", "gpu", "frameworks",
                         "cuda-libraries", "loader", "probes"}) {
    EXPECT_NE(html.find(fmt::format("id=\"{}\"", id)), std::string::npos) << id;
    if (std::string_view(id) != "verdict") {
      EXPECT_NE(html.find(fmt::format("href=\"#{}\"", id)), std::string::npos) << id;
    }
  }
  // The verdict first, with the merged fix of the three pip commands.
  EXPECT_LT(html.find("id=\"verdict\""), html.find("id=\"findings\""));
  EXPECT_NE(html.find("<h1>3 errors, 2 warnings</h1>"), std::string::npos);
  EXPECT_NE(html.find("<title>mlstack doctor: 3 errors, 2 warnings</title>"), std::string::npos);
  EXPECT_NE(html.find("Fix: the pip commands of 3 findings, merged"), std::string::npos);
  EXPECT_NE(
      html.find("python -m pip install &#39;numpy&lt;2.2,&gt;=1.26&#39; &#39;zzz-missing&#39; "
                "&#39;tensorflow[and-cuda]==2.21.0&#39;"),
      std::string::npos);
  // The two FW-ARCH-MISSING findings about tensorflow as one group, shared evidence once.
  EXPECT_NE(html.find("FW-ARCH-MISSING</code><span class=\"muted\">2 findings</span>"),
            std::string::npos);
  EXPECT_EQ(occurrences(html, "archs: sm_60 sm_70 sm_80 sm_89 compute_90"), 1U);
  // Multi-line evidence stays pre-formatted.
  EXPECT_NE(html.find("<pre>Requires-Dist: zzz-missing\n              ^ here</pre>"),
            std::string::npos);
  // GPU rows, MIG row, frameworks with sources, libraries, CUDA libraries, loader, probes.
  EXPECT_NE(html.find("NVIDIA H200"), std::string::npos);
  EXPECT_NE(html.find("MIG 3g.40gb"), std::string::npos);
  EXPECT_NE(html.find("/torch/version.py (`cuda`)"), std::string::npos);
  EXPECT_NE(html.find("sm_80 sm_86 sm_90 sm_100 sm_120 compute_120"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"bad\"><td class=\"nowrap head\">torch</td><td class=\"nowrap\" "
                      "data-label=\"library\">curand"),
            std::string::npos);
  EXPECT_NE(html.find("libcudart.so.12.4.127"), std::string::npos);
  EXPECT_NE(html.find("<code>import torch; import tensorflow</code>"), std::string::npos);
  // A pair shows what differs: the system cudart mapped instead of tensorflow's wheel copy.
  EXPECT_NE(html.find("tensorflow alone: nvidia/cuda_runtime/lib/libcudart.so.12"),
            std::string::npos);
  EXPECT_NE(html.find("<code>nvidia/cudnn/lib/libcudnn.so.9</code>"), std::string::npos);
  EXPECT_NE(html.find("SIGSEGV"), std::string::npos);
}

TEST(HtmlPage, HealthyAndMinimal) {
  report::Report r;
  r.mlstack_version = "0.12.0";
  r.python.version = "3.11.0";
  r.python_version_source = "option";
  const std::string html = page(r);
  EXPECT_NE(html.find("<h1>Healthy</h1>"), std::string::npos);
  EXPECT_NE(html.find("None: no problem found."), std::string::npos);
  for (const char* id : {"dependencies", "gpu", "frameworks", "loader", "probes"}) {
    EXPECT_EQ(html.find(fmt::format("id=\"{}\"", id)), std::string::npos) << id;
  }
  EXPECT_EQ(html.find("class=\"fix\""), std::string::npos);
}

TEST(HtmlPage, Root) {
  report::Report r = sample_report();
  r.root_kind = "image";
  r.root_path = "/tmp/<img>.tar";
  r.python_version_evidence = "/usr/lib/python3.11/config/PY_VERSION";
  const std::string html = page(r);
  EXPECT_NE(html.find("<p class=\"target\">image <code>/tmp/&lt;img&gt;.tar</code>"),
            std::string::npos);
  EXPECT_NE(html.find("<dt>root</dt><dd><code>/tmp/&lt;img&gt;.tar</code> <span "
                      "class=\"muted\">(image archive)</span>"),
            std::string::npos);
  EXPECT_NE(html.find("(read from /usr/lib/python3.11/config/PY_VERSION)"), std::string::npos);
}

TEST(DependencyPaths, AroundConflictAndMissing) {
  const std::vector<DependencyPath> paths = dependency_paths(sample_report());
  ASSERT_EQ(paths.size(), 2U);
  const DependencyPath& numpy = paths[0];
  EXPECT_EQ(numpy.name, "numpy");
  EXPECT_EQ(numpy.version, "2.3.1");
  EXPECT_EQ(numpy.finding_ids, std::vector<std::string>{"PKG-CONFLICT"});
  ASSERT_EQ(numpy.required_by.size(), 3U);  // tensorflow, torch, ml-dtypes
  EXPECT_EQ(numpy.required_by[0].from, "tensorflow");
  EXPECT_FALSE(numpy.required_by[0].satisfied);
  EXPECT_EQ(numpy.required_by[1].from, "torch");
  EXPECT_TRUE(numpy.required_by[1].satisfied);
  EXPECT_EQ(numpy.required_by[2].from, "ml-dtypes");
  EXPECT_TRUE(numpy.required_by[2].satisfied);
  EXPECT_TRUE(numpy.requires_.empty());
  // One level further up: keras requires tensorflow and ml-dtypes; nothing requires torch.
  ASSERT_EQ(numpy.requirers_of.size(), 3U);
  EXPECT_EQ(numpy.requirers_of[0].first, "tensorflow");
  EXPECT_EQ(numpy.requirers_of[0].second, std::vector<std::string>{"keras"});
  EXPECT_TRUE(numpy.requirers_of[1].second.empty());
  const DependencyPath& missing = paths[1];
  EXPECT_EQ(missing.name, "zzz-missing");
  EXPECT_TRUE(missing.version.empty());
  ASSERT_EQ(missing.required_by.size(), 1U);
  EXPECT_EQ(missing.required_by[0].from, "evil");
  EXPECT_FALSE(missing.required_by[0].satisfied);
  EXPECT_TRUE(missing.required_by[0].to_version.empty());
}

TEST(DependencyPaths, PreReleasesAndUrls) {
  report::Report r;
  report::DistRow a;
  a.name = "a";
  a.version = "1.0";
  a.depends = {"b>=1.0", "c @ https://example.invalid/c.whl"};
  report::DistRow b;
  b.name = "b";
  b.version = "2.0rc1";  // a pre-release satisfies `>=1.0` in pip check
  report::DistRow c;
  c.name = "c";
  c.version = "0.1";
  r.distributions = {a, b, c};
  r.findings.push_back(
      rules::Finding{"PKG-BAD-METADATA", rules::Severity::warning, "a", {"a"}, {}, "", ""});
  const std::vector<DependencyPath> paths = dependency_paths(r);
  ASSERT_EQ(paths.size(), 1U);
  ASSERT_EQ(paths[0].requires_.size(), 2U);
  EXPECT_TRUE(paths[0].requires_[0].satisfied);
  EXPECT_TRUE(paths[0].requires_[1].satisfied);
  EXPECT_TRUE(paths[0].required_by.empty());
}

}  // namespace
}  // namespace mlstack::html
