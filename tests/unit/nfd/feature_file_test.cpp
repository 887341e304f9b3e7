// SPDX-License-Identifier: MIT
#include "mlstack/nfd/feature_file.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>
#include <string_view>

namespace mlstack::nfd {
namespace {

// A label value as Kubernetes validates it (k8s.io/apimachinery validation.IsValidLabelValue,
// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set):
// at most 63 characters, `(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?`.
bool valid_label_value(const std::string& v) {
  static const std::regex k_value("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  return v.size() <= 63 && std::regex_match(v, k_value);
}

TEST(NfdLabelValue, SanitizesToWhatKubernetesAccepts) {
  struct Case {
    std::string_view input, expected;
  };
  const std::string long_input(70, 'a');
  const std::string cut_at_dot = std::string(62, 'b') + ".c";
  const Case k_cases[] = {
      {"2.15.0", "2.15.0"},
      {"2.15.0+cu130", "2.15.0_cu130"},
      {"1.0.0.dev20250101+cpu", "1.0.0.dev20250101_cpu"},
      {"NVIDIA H100 80GB HBM3", "NVIDIA_H100_80GB_HBM3"},
      {"-leading.and.trailing-", "leading.and.trailing"},
      {"(unknown)", "unknown"},
      {"caf\xc3\xa9", "caf"},
      {"", ""},
      {"+++", ""},
      {long_input, std::string_view(long_input).substr(0, 63)},
      {cut_at_dot, std::string_view(cut_at_dot).substr(0, 62)},  // `.` cut off the end
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.input);
    const std::string got = label_value(c.input);
    EXPECT_EQ(got, c.expected);
    EXPECT_TRUE(valid_label_value(got)) << got;
  }
}

report::Report sample_report() {
  report::Report r;
  r.mlstack_version = "0.1.0";
  r.python.version = "3.11.2";
  facts::BuildFacts builds;
  facts::FrameworkBuild torch;
  torch.name = "torch";
  torch.version = "2.15.0+cu130";
  torch.cuda.value = "13.0";
  torch.cudnn.value = "9.13.0";
  torch.gpu_build = true;
  builds.frameworks.push_back(torch);
  facts::FrameworkBuild tf;
  tf.name = "tensorflow";
  tf.version = "2.21.0";
  builds.frameworks.push_back(tf);
  facts::CudaLibrary lib;
  lib.name = "cudnn";
  lib.version = "9.13.0.50";
  builds.cuda_libraries.push_back(lib);
  lib.version = "8.9.7.29";
  builds.cuda_libraries.push_back(lib);
  builds.cuda_libraries.push_back(lib);
  r.builds = builds;
  r.findings.push_back({"FW-CPU-BUILD", rules::Severity::warning, "c", {}, {}, "", ""});
  return r;
}

std::map<std::string, std::string> labels(const std::string& file) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < file.size()) {
    const std::size_t end = file.find('\n', start);
    const std::string line = file.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line[0] == '#') {
      continue;
    }
    const std::size_t eq = line.find('=');
    EXPECT_NE(eq, std::string::npos) << line;
    EXPECT_TRUE(out.emplace(line.substr(0, eq), line.substr(eq + 1)).second) << line;
  }
  return out;
}

TEST(NfdRender, WritesTheExpiryFirstAndTheStackLabels) {
  const std::string file = render(sample_report(), Options{1796623200, 600, false});
  EXPECT_EQ(file.substr(0, file.find('\n')), "# +expiry-time=2026-12-07T06:10:00Z");
  const std::map<std::string, std::string> expected = {
      {"mlstack.io/doctor.verdict", "warnings"},
      {"mlstack.io/doctor.healthy", "true"},
      {"mlstack.io/doctor.errors", "0"},
      {"mlstack.io/doctor.warnings", "1"},
      {"mlstack.io/doctor.infos", "0"},
      {"mlstack.io/version", "0.1.0"},
      {"mlstack.io/python.version", "3.11.2"},
      {"mlstack.io/torch.version", "2.15.0_cu130"},
      {"mlstack.io/torch.gpu-build", "true"},
      {"mlstack.io/torch.cuda", "13.0"},
      {"mlstack.io/torch.cudnn", "9.13.0"},
      {"mlstack.io/tensorflow.version", "2.21.0"},
      {"mlstack.io/tensorflow.gpu-build", "false"},
      {"mlstack.io/cudnn.version", "8.9.7.29_9.13.0.50"},
  };
  EXPECT_EQ(labels(file), expected);
}

TEST(NfdRender, StrictWarningsAreUnhealthy) {
  const std::string file = render(sample_report(), Options{0, 60, true});
  EXPECT_EQ(labels(file).at("mlstack.io/doctor.healthy"), "false");
  EXPECT_EQ(file.substr(0, file.find('\n')), "# +expiry-time=1970-01-01T00:01:00Z");
}

TEST(NfdRender, StaysUnderNfdsSizeLimit) {
  report::Report r = sample_report();
  for (int i = 0; i < 3000; ++i) {  // far more frameworks than exist: the file is cut
    facts::FrameworkBuild f;
    f.name = "framework" + std::to_string(i);
    f.version = "1.0";
    r.builds->frameworks.push_back(f);
  }
  const std::string file = render(r, Options{});
  EXPECT_LE(file.size(), k_max_file_size);
  EXPECT_GT(file.size(), k_max_file_size - 100);
  EXPECT_EQ(labels(file).at("mlstack.io/doctor.verdict"), "warnings");
}

}  // namespace
}  // namespace mlstack::nfd
