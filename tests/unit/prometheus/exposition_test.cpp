// SPDX-License-Identifier: MIT
#include "mlstack/prometheus/exposition.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::prometheus {
namespace {

TEST(PrometheusEscape, EscapesWhatTheFormatRequires) {
  // The text exposition format: in label values `\`, `"` and line feed are escaped as
  // `\\`, `\"` and `\n` (https://prometheus.io/docs/instrumenting/exposition_formats/).
  struct Case {
    std::string_view input, expected;
  };
  constexpr Case k_cases[] = {
      {"plain", "plain"},
      {R"(a"b)", R"(a\"b)"},
      {R"(C:\dir)", R"(C:\\dir)"},
      {"two\nlines", R"(two\nlines)"},
      {R"(\"
)", R"(\\\"\n)"},
      {"tab\tstays", "tab\tstays"},
      {"caf\xc3\xa9", "caf\xc3\xa9"},
      {"bad\xff", "bad\xef\xbf\xbd"},
      {"", ""},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(escape_label_value(c.input), c.expected);
  }
}

report::Report sample_report() {
  report::Report r;
  r.mlstack_version = "0.1.0";
  r.python.version = "3.11.2";
  r.python.executable = "/venv/bin/python";
  r.distributions.resize(3);
  facts::GpuFacts gpu;
  gpu.driver_present = true;
  gpu.driver_version = "580.65.06";
  gpu.cuda_driver_api_version = "13.0";
  gpu.source = "nvml";
  facts::GpuDevice d;
  d.index = 0;
  d.name = "NVIDIA H100 80GB HBM3";
  d.uuid = "GPU-1";
  d.memory_total_mib = 81559;
  gpu.devices.push_back(d);
  d.index = 1;
  d.uuid = "GPU-2";
  gpu.devices.push_back(d);
  r.gpu = gpu;
  facts::BuildFacts builds;
  facts::FrameworkBuild torch;
  torch.name = "torch";
  torch.distribution = "torch";
  torch.version = "2.15.0";
  torch.cuda.value = "13.0";
  torch.cudnn.value = "9.13.0";
  torch.gpu_build = true;
  builds.frameworks.push_back(torch);
  facts::CudaLibrary lib;
  lib.name = "cudnn";
  lib.version = "9.13.0.50";
  lib.path = R"(/weird"path\lib)";
  builds.cuda_libraries.push_back(lib);
  builds.cuda_libraries.push_back(lib);  // the same series twice: written once
  r.builds = builds;
  r.findings.push_back({"PKG-MISSING", rules::Severity::error, "a", {}, {}, "", ""});
  r.findings.push_back({"PKG-MISSING", rules::Severity::error, "b", {}, {}, "", ""});
  r.findings.push_back({"FW-CPU-BUILD", rules::Severity::warning, "c", {}, {}, "", ""});
  return r;
}

// The samples of `text` by series (name and labels as written) → value; every family has its
// HELP and TYPE before its samples, and no series repeats.
std::map<std::string, std::string> samples(const std::string& text) {
  static const std::regex k_sample(
      R"re(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\\n])*",?)*\})? (-?[0-9.e+]+))re");
  std::map<std::string, std::string> out;
  std::set<std::string> typed;
  std::string helped;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    EXPECT_NE(end, std::string::npos) << "the text ends with a line feed";
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.rfind("# HELP ", 0) == 0) {
      helped = line.substr(7, line.find(' ', 7) - 7);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      EXPECT_EQ(line, "# TYPE " + helped + " gauge");
      EXPECT_TRUE(typed.insert(helped).second) << "family typed twice: " << helped;
      continue;
    }
    std::smatch m;
    EXPECT_TRUE(std::regex_match(line, m, k_sample)) << line;
    EXPECT_EQ(m[1].str(), helped) << "a sample outside its family: " << line;
    const std::string series = line.substr(0, line.rfind(' '));
    EXPECT_TRUE(out.emplace(series, m[5].str()).second) << "duplicate series: " << series;
  }
  return out;
}

TEST(PrometheusRender, WritesTheMetricSet) {
  Options options;
  options.run_timestamp_s = 1765090000;
  const std::map<std::string, std::string> s = samples(render(sample_report(), options));
  const std::map<std::string, std::string> expected = {
      {"mlstack_healthy", "0"},
      {R"(mlstack_findings{severity="error"})", "2"},
      {R"(mlstack_findings{severity="warning"})", "1"},
      {R"(mlstack_findings{severity="info"})", "0"},
      {R"(mlstack_finding{id="FW-CPU-BUILD",severity="warning"})", "1"},
      {R"(mlstack_finding{id="PKG-MISSING",severity="error"})", "2"},
      {R"(mlstack_build_info{version="0.1.0"})", "1"},
      {"mlstack_last_run_timestamp_seconds", "1765090000"},
      {R"(mlstack_python_info{version="3.11.2",executable="/venv/bin/python",prefix=""})", "1"},
      {"mlstack_distributions", "3"},
      {R"(mlstack_nvidia_driver_info{driver_version="580.65.06",cuda_driver_api_version="13.0",kernel_module_version="",source="nvml"})",
       "1"},
      {"mlstack_gpu_devices", "2"},
      {R"(mlstack_gpu_memory_total_bytes{index="0",uuid="GPU-1",name="NVIDIA H100 80GB HBM3",compute_capability=""})",
       "85520809984"},
      {R"(mlstack_gpu_memory_total_bytes{index="1",uuid="GPU-2",name="NVIDIA H100 80GB HBM3",compute_capability=""})",
       "85520809984"},
      {R"(mlstack_framework_info{framework="torch",distribution="torch",version="2.15.0",variant="",gpu_build="true",cuda="13.0",cudnn="9.13.0",nccl=""})",
       "1"},
      {R"(mlstack_cuda_library_info{library="cudnn",version="9.13.0.50",origin="",package="",path="/weird\"path\\lib"})",
       "1"},
  };
  EXPECT_EQ(s, expected);
}

TEST(PrometheusRender, HealthyFollowsTheExitStatus) {
  report::Report r;
  r.findings.push_back({"FW-CPU-BUILD", rules::Severity::warning, "c", {}, {}, "", ""});
  EXPECT_EQ(samples(render(r, Options{})).at("mlstack_healthy"), "1");
  EXPECT_EQ(samples(render(r, Options{std::nullopt, true})).at("mlstack_healthy"), "0");
}

TEST(PrometheusRender, LeavesOutWhatWasNotGathered) {
  // `--site` without GPU: no driver, GPU or framework families, no timestamp unless given.
  const std::map<std::string, std::string> s = samples(render(report::Report{}, Options{}));
  for (const auto& [series, value] : s) {
    EXPECT_EQ(series.find("gpu"), std::string::npos) << series;
    EXPECT_EQ(series.find("driver"), std::string::npos) << series;
    EXPECT_EQ(series.find("timestamp"), std::string::npos) << series;
  }
  EXPECT_EQ(s.at("mlstack_healthy"), "1");
  EXPECT_EQ(s.count("mlstack_finding"), 0U);
}

}  // namespace
}  // namespace mlstack::prometheus
