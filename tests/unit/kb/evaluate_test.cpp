// SPDX-License-Identifier: MIT
#include "mlstack/kb/evaluate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mlstack::kb {
namespace {

using facts::BuildFacts;
using facts::FrameworkBuild;
using facts::GpuFacts;
using facts::Inventory;
using facts::PythonFacts;

const Kb& embedded() {
  static const Kb k_kb = [] {
    auto kb = load_kb({});
    EXPECT_TRUE(kb) << render(kb.error());
    return kb ? std::move(kb).value() : Kb{};
  }();
  return k_kb;
}

facts::InstalledDist dist(std::string name, std::string version) {
  facts::InstalledDist d;
  d.location = "/venv/lib/python3.11/site-packages";
  d.info_path = d.location + "/" + name + "-" + version + ".dist-info";
  d.canonical_name = std::move(name);
  d.raw_name = d.canonical_name;
  d.version_text = std::move(version);
  return d;
}

FrameworkBuild build(std::string name, std::string version, std::string cuda, std::string cudnn,
                     std::vector<std::string> archs = {}) {
  FrameworkBuild b;
  b.name = name;
  b.distribution = name;
  b.version = std::move(version);
  b.cuda = {std::move(cuda), name + "/version.py"};
  b.cudnn = {std::move(cudnn), name + " METADATA"};
  b.gpu_build = !b.cuda.value.empty();
  b.archs = std::move(archs);
  b.evidence = {name + "/version.py"};
  return b;
}

facts::CudaLibrary lib(std::string name, std::string version) {
  facts::CudaLibrary l;
  l.name = name;
  l.version = version;
  l.version_source = "dist-info";
  l.path = "/venv/lib/python3.11/site-packages/nvidia/" + name + "/lib/lib" + name + ".so";
  l.origin = "wheel";
  return l;
}

struct Scenario {
  PythonFacts python;
  Inventory inventory;
  GpuFacts gpu;
  BuildFacts builds;

  Scenario() {
    python.version = "3.11.7";
    python.executable = "/venv/bin/python";
  }
  Scenario& driver(std::string version, std::string cuda) {
    gpu.driver_present = true;
    gpu.driver_version = std::move(version);
    gpu.cuda_driver_api_version = std::move(cuda);
    gpu.source = "nvml";
    return *this;
  }
  Scenario& device(std::string name, std::string cc) {
    facts::GpuDevice d;
    d.index = static_cast<int>(gpu.devices.size());
    d.name = std::move(name);
    d.compute_capability = std::move(cc);
    gpu.devices.push_back(std::move(d));
    return *this;
  }
  Scenario& installed(std::string name, std::string version) {
    inventory.dists.push_back(dist(std::move(name), std::move(version)));
    return *this;
  }
  Scenario& framework(FrameworkBuild b) {
    inventory.dists.push_back(dist(b.distribution, b.version));
    builds.frameworks.push_back(std::move(b));
    return *this;
  }
  Scenario& library(std::string name, std::string version) {
    builds.cuda_libraries.push_back(lib(std::move(name), std::move(version)));
    return *this;
  }
  std::vector<rules::Finding> run() const {
    return evaluate(embedded(), KbInput{python, inventory, gpu, builds});
  }
};

std::vector<std::string> ids(const std::vector<rules::Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) {
    out.push_back(f.id);
  }
  return out;
}

const rules::Finding* find(const std::vector<rules::Finding>& fs, std::string_view id) {
  auto it = std::find_if(fs.begin(), fs.end(), [&](const auto& f) { return f.id == id; });
  return it == fs.end() ? nullptr : &*it;
}

bool has_line(const std::vector<std::string>& lines, std::string_view part) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

// torch 2.11.0+cu130 on an H200 with driver 580 and jax/cupy/onnxruntime for CUDA 13 (the KB
// probe host, KB-FACTS.md legend V-dev), with the libraries the wheels bring.
Scenario healthy() {
  Scenario s;
  s.driver("580.159.04", "13.0").device("NVIDIA H200", "9.0");
  s.framework(build("torch", "2.11.0+cu130", "13.0", "9.19.0.56",
                    {"sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"}));
  s.framework(build("jax", "0.11.2", "13.0", "9.19"));
  s.framework(build("cupy", "14.2.0", "13.0", ""));
  FrameworkBuild ort = build("onnxruntime", "1.30.0", "13.0", "9");
  ort.distribution = "onnxruntime-gpu";
  s.framework(ort);
  s.installed("numpy", "2.3.1").installed("protobuf", "6.31.1").installed("ml-dtypes", "0.5.3");
  s.library("cudart", "13.0.96").library("cudnn", "9.19.0.56").library("nccl", "2.28.9");
  return s;
}

TEST(KbEvaluate, HealthyStackHasNoFindings) {
  const auto fs = healthy().run();
  EXPECT_EQ(ids(fs), std::vector<std::string>{});
  for (const auto& f : fs) {
    ADD_FAILURE() << f.id << ": " << f.title;
  }
}

TEST(KbEvaluate, HealthyTensorflowStackHasNoFindings) {
  Scenario s;
  s.driver("550.54.15", "12.4").device("NVIDIA A100-SXM4-80GB", "8.0");
  s.framework(build("tensorflow", "2.16.1", "12.3", "8",
                    {"sm_60", "sm_70", "sm_80", "sm_89", "compute_90"}));
  s.installed("protobuf", "4.25.3").installed("numpy", "1.26.4").installed("ml-dtypes", "0.3.2");
  s.library("cudart", "12.3.101").library("cudnn", "8.9.7.29");
  EXPECT_EQ(ids(s.run()), std::vector<std::string>{});
}

TEST(KbEvaluate, ProtobufBreaksTensorflow290) {
  Scenario s;
  s.installed("tensorflow", "2.9.0").installed("protobuf", "4.21.0");
  const auto fs = s.run();
  ASSERT_EQ(ids(fs), std::vector<std::string>{"KB-PROTOBUF-TF-PB2"});
  const rules::Finding& f = fs[0];
  EXPECT_EQ(f.severity, rules::Severity::error);
  EXPECT_EQ(f.title, "tensorflow 2.9.0 cannot import with protobuf 4.21.0");
  EXPECT_EQ(f.subjects, (std::vector<std::string>{"tensorflow", "protobuf"}));
  EXPECT_EQ(f.evidence,
            (std::vector<std::string>{
                "tensorflow 2.9.0 installed "
                "(/venv/lib/python3.11/site-packages/tensorflow-2.9.0.dist-info)",
                "protobuf 4.21.0 installed "
                "(/venv/lib/python3.11/site-packages/protobuf-4.21.0.dist-info)",
                "source: https://github.com/tensorflow/tensorflow/issues/56077; "
                "https://github.com/tensorflow/tensorflow/releases/tag/v2.9.1; "
                "https://github.com/tensorflow/tensorflow/pull/56196; KB-FACTS.md §1.3, C1"}));
  EXPECT_NE(f.fix.find("protobuf<3.20"), std::string::npos);
}

TEST(KbEvaluate, ProtobufBelow421IsFine) {
  Scenario s;
  s.installed("tensorflow-cpu", "2.9.0").installed("protobuf", "3.19.6");
  EXPECT_EQ(ids(s.run()), std::vector<std::string>{});
}

TEST(KbEvaluate, DriverTooOldForCuda13Torch) {
  Scenario s;
  s.driver("570.86.15", "12.8").device("NVIDIA H100 80GB HBM3", "9.0");
  s.framework(build("torch", "2.11.0+cu130", "13.0", "9.19.0.56",
                    {"sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"}));
  s.library("cudart", "13.0.96").library("cudnn", "9.19.0.56");
  const auto fs = s.run();
  ASSERT_EQ(ids(fs), std::vector<std::string>{"GPU-DRIVER-TOO-OLD"});
  const rules::Finding& f = fs[0];
  EXPECT_EQ(f.title,
            "torch 2.11.0+cu130 is built for CUDA 13.0, which needs NVIDIA driver >= 580, but the "
            "driver is 570.86.15");
  EXPECT_NE(f.why.find("minor-version compatibility"), std::string::npos);
  EXPECT_NE(f.why.find("Forward compatibility"), std::string::npos);
  EXPECT_NE(f.fix.find("CUDA 13.0 ships with 580.65.06"), std::string::npos) << f.fix;
  EXPECT_TRUE(has_line(f.evidence, "NVIDIA driver 570.86.15 (nvml)"));
  EXPECT_TRUE(has_line(f.evidence, "torch 2.11.0+cu130: built for CUDA 13.0 (torch/version.py)"));
  EXPECT_TRUE(has_line(f.evidence, "kb cuda-13-minor-compat: CUDA 13.x runs on driver >= 580"));
  EXPECT_TRUE(f.evidence.back().starts_with("source: https://docs.nvidia.com/deploy/"));
}

TEST(KbEvaluate, OlderDriverOfTheSameBranchIsMinorVersionCompatibility) {
  Scenario s;
  s.driver("560.35.03", "12.6").device("NVIDIA H100 80GB HBM3", "9.0");
  s.framework(build("torch", "2.7.1+cu128", "12.8", "9.7.1.26",
                    {"sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"}));
  s.library("cudart", "12.8.90").library("cudnn", "9.7.1.26");
  const auto fs = s.run();
  ASSERT_EQ(ids(fs), std::vector<std::string>{"GPU-DRIVER-MINOR-COMPAT"});
  EXPECT_EQ(fs[0].severity, rules::Severity::info);
  EXPECT_TRUE(has_line(fs[0].evidence, "unverified"));
}

TEST(KbEvaluate, Cuda13TorchOnVoltaHasNoKernels) {
  Scenario s;
  s.driver("580.95.05", "13.0").device("Tesla V100-SXM2-16GB", "7.0");
  s.framework(build("torch", "2.11.0+cu130", "13.0", "9.19.0.56",
                    {"sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"}));
  s.library("cudart", "13.0.96").library("cudnn", "9.19.0.56");
  const auto fs = s.run();
  ASSERT_EQ(ids(fs), std::vector<std::string>{"GPU-ARCH-MISSING"});
  EXPECT_EQ(fs[0].title,
            "torch 2.11.0+cu130 has no kernels for Tesla V100-SXM2-16GB (compute capability 7.0)");
  EXPECT_TRUE(has_line(fs[0].evidence,
                       "torch 2.11.0+cu130: compiled for sm_75, sm_80, sm_86, sm_90, sm_100, "
                       "sm_120"));
  EXPECT_TRUE(has_line(fs[0].evidence, "GPU 0: Tesla V100-SXM2-16GB, compute capability 7.0"));
}

TEST(KbEvaluate, ArchChecksFollowBinaryAndPtxCompatibility) {
  struct Case {
    std::vector<std::string> archs;
    std::string cc;
    std::vector<std::string> expected;
  };
  const std::vector<Case> k_cases = {
      {{"sm_80"}, "8.6", {}},                                  // same major, newer minor
      {{"sm_86"}, "8.0", {"GPU-ARCH-MISSING"}},                // older minor
      {{"sm_90a"}, "9.0", {}},                                 // arch-specific, exact
      {{"sm_80", "compute_80"}, "9.0", {"GPU-ARCH-PTX-JIT"}},  // PTX JIT upward
      {{"sm_60", "sm_70", "sm_80", "sm_89", "compute_90"}, "12.0", {"GPU-ARCH-PTX-JIT"}},
      {{"sm_100"}, "12.0", {"GPU-ARCH-MISSING"}},                 // 10.x cubins not on 12.x
      {{"7.5", "8.0", "9.0+PTX"}, "10.0", {"GPU-ARCH-PTX-JIT"}},  // TORCH_CUDA_ARCH_LIST
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.cc);
    Scenario s;
    s.driver("580.95.05", "13.0").device("GPU", c.cc);
    s.framework(build("torch", "2.9.0+cu128", "12.8", "9.10.2.21", c.archs));
    s.library("cudart", "12.8.90").library("cudnn", "9.10.2.21");
    EXPECT_EQ(ids(s.run()), c.expected);
  }
}

TEST(KbEvaluate, Cuda13BuildWithoutArchListOnPascal) {
  Scenario s = healthy();
  s.gpu.devices[0].name = "Tesla P100-PCIE-16GB";
  s.gpu.devices[0].compute_capability = "6.0";
  const auto fs = s.run();
  // torch has an arch list (GPU-ARCH-MISSING); jax, cupy and onnxruntime fall back on the
  // CUDA 13 floor (sm_75).
  EXPECT_EQ(ids(fs),
            (std::vector<std::string>{"GPU-ARCH-MISSING", "GPU-ARCH-TOOLKIT-FLOOR",
                                      "GPU-ARCH-TOOLKIT-FLOOR", "GPU-ARCH-TOOLKIT-FLOOR"}));
}

TEST(KbEvaluate, CudnnMajorMismatchTorchAndTensorflow211) {
  Scenario s;
  s.driver("550.54.15", "12.4").device("Tesla T4", "7.5");
  s.framework(build("torch", "2.4.1+cu121", "12.1", "9.1.0.70",
                    {"sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"}));
  s.framework(build("tensorflow", "2.11.0", "11.2", "8",
                    {"sm_35", "sm_50", "sm_60", "sm_70", "sm_75", "compute_80"}));
  s.installed("protobuf", "3.19.6").installed("numpy", "1.24.4");
  s.library("cudart", "12.1.105").library("cudart", "11.2.152");
  s.library("cudnn", "9.1.0.70").library("cudnn", "8.1.0.77");
  const auto fs = s.run();
  EXPECT_EQ(ids(fs), (std::vector<std::string>{"FW-CUDNN-MIX", "FW-CUDA-MAJOR-MIX"}));
  const rules::Finding* f = find(fs, "FW-CUDNN-MIX");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, rules::Severity::error);
  EXPECT_EQ(f->title, "torch 2.4.1+cu121 needs cuDNN 9 but tensorflow 2.11.0 needs cuDNN 8");
  EXPECT_EQ(f->subjects, (std::vector<std::string>{"torch", "tensorflow"}));
  EXPECT_TRUE(has_line(f->evidence, "tensorflow 2.11.0: built for cuDNN 8 (tensorflow METADATA)"));
}

TEST(KbEvaluate, CpuOnlyBuildOnGpuNode) {
  Scenario s = healthy();
  FrameworkBuild tf = build("tensorflow", "2.20.0", "", "");
  tf.distribution = "tensorflow-cpu";
  s.framework(tf);
  const auto fs = s.run();
  ASSERT_EQ(ids(fs), std::vector<std::string>{"FW-CPU-BUILD"});
  EXPECT_EQ(fs[0].title,
            "tensorflow-cpu 2.20.0 is a CPU-only build on a machine with 1 NVIDIA GPU(s)");
}

TEST(KbEvaluate, MissingAndOldCudaLibraries) {
  Scenario s = healthy();
  s.builds.cuda_libraries = {lib("cudart", "13.0.96"), lib("cudnn", "9.10.2.21")};
  auto fs = s.run();
  // torch pins 9.19.0.56 and jax was built with 9.19: the 9.10 found is older.
  EXPECT_EQ(ids(fs), (std::vector<std::string>{"FW-CUDNN-TOO-OLD", "FW-CUDNN-TOO-OLD"}));
  s.builds.cuda_libraries = {lib("cudnn", "9.19.0.56")};
  fs = s.run();
  EXPECT_EQ(ids(fs), (std::vector<std::string>{"FW-CUDART-LIB-MISSING", "FW-CUDART-LIB-MISSING",
                                               "FW-CUDART-LIB-MISSING"}));
  s.builds.cuda_libraries = {lib("cudart", "13.0.96")};
  fs = s.run();
  EXPECT_EQ(fs.size(), 3U);
  EXPECT_EQ(fs[0].id, "FW-CUDNN-LIB-MISSING");
  EXPECT_EQ(fs[0].title, "torch 2.11.0+cu130 needs cuDNN 9, but no libcudnn.so.9 was found");
}

TEST(KbEvaluate, NumpyTwoConflicts) {
  struct Case {
    std::string dist;
    std::string version;
    std::string numpy;
    std::vector<std::string> expected;
  };
  const std::vector<Case> k_cases = {
      {"torch", "2.2.2", "2.0.0", {"KB-NUMPY2-TORCH"}},
      {"torch", "2.3.0", "2.0.0", {}},
      {"torch", "2.2.2", "1.26.4", {}},
      {"tensorflow", "2.17.1", "2.1.0", {"KB-NUMPY2-TF"}},
      {"tensorflow", "2.18.0", "2.1.0", {}},
      {"jaxlib", "0.4.25", "2.0.1", {"KB-NUMPY2-JAXLIB"}},
      {"onnxruntime", "1.18.0", "2.0.1", {"KB-NUMPY2-ORT"}},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.dist + " " + c.version);
    Scenario s;
    s.installed(c.dist, c.version).installed("numpy", c.numpy);
    EXPECT_EQ(ids(s.run()), c.expected);
  }
}

TEST(KbEvaluate, InventoryConflicts) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> dists;
    std::vector<std::string> expected;
  };
  const std::vector<Case> k_cases = {
      {{{"jax", "0.7.2"}, {"tensorflow", "2.17.0"}, {"numpy", "1.26.4"}}, {"KB-NUMPY-JAX-TF"}},
      {{{"tensorflow", "2.14.1"}, {"ml-dtypes", "0.3.1"}}, {"KB-MLDTYPES-TF214"}},
      {{{"tensorflow", "2.14.1"}, {"ml-dtypes", "0.2.0"}}, {}},
      {{{"tensorflow", "2.15.0"}, {"jax", "0.4.35"}}, {"KB-MLDTYPES-TF-JAX"}},
      {{{"tensorflow", "2.18.1"}, {"jax", "0.6.0"}}, {}},
      {{{"tensorflow", "2.13.1"}, {"pydantic", "2.5.0"}}, {"KB-TYPING-EXT-TF213"}},
      {{{"tensorflow", "2.20.0"}, {"protobuf", "7.34.0"}}, {"KB-PROTOBUF-TF220"}},
      {{{"tensorflow", "2.21.0"}, {"protobuf", "7.34.0"}}, {}},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.dists[0].second);
    Scenario s;
    for (const auto& [name, version] : c.dists) {
      s.installed(name, version);
    }
    EXPECT_EQ(ids(s.run()), c.expected);
  }
}

TEST(KbEvaluate, OnnxruntimeCudnn8NextToTorchCudnn9) {
  Scenario s;
  s.framework(build("torch", "2.4.0+cu121", "12.1", "9.1.0.70", {"sm_80"}));
  s.installed("onnxruntime-gpu", "1.17.1");
  const auto fs = s.run();
  ASSERT_EQ(ids(fs), std::vector<std::string>{"KB-CUDNN8-ORT-TORCH"});
  EXPECT_EQ(fs[0].subjects, (std::vector<std::string>{"onnxruntime-gpu", "torch"}));
}

TEST(KbEvaluate, JaxPreallocationNextToGpuTensorflow) {
  Scenario s;
  s.driver("580.95.05", "13.0").device("NVIDIA H200", "9.0");
  s.framework(build("jax", "0.6.2", "12.3", "9.8"));
  s.framework(build("tensorflow", "2.21.0", "12.5", "9"));
  s.installed("numpy", "2.1.3");
  s.library("cudart", "12.5.82").library("cudnn", "9.10.2.21");
  const auto fs = s.run();
  ASSERT_EQ(ids(fs), std::vector<std::string>{"KB-PREALLOC-JAX"});
  EXPECT_EQ(fs[0].severity, rules::Severity::info);
}

TEST(KbEvaluate, IdenticalGpusGiveOneFinding) {
  Scenario s;
  s.driver("580.95.05", "13.0")
      .device("Tesla V100-SXM2-16GB", "7.0")
      .device("Tesla V100-SXM2-16GB", "7.0");
  s.framework(build("torch", "2.11.0+cu130", "13.0", "9.19.0.56", {"sm_75"}));
  s.library("cudart", "13.0.96").library("cudnn", "9.19.0.56");
  EXPECT_EQ(ids(s.run()), std::vector<std::string>{"GPU-ARCH-MISSING"});
}

TEST(KbEvaluate, UserRuleSeesFacts) {
  Kb kb;
  auto ok = add_kb_text(kb, "site.toml", R"([[rule]]
id = "SITE-OLD-PYTHON"
severity = "warning"
source = "site policy"
verified = true
when = 'python.version < "3.12" and installed("torch")'
title = 'python {python.version} is older than the site minimum'
why = 'w'
)");
  ASSERT_TRUE(ok) << render(ok.error());
  Scenario s;
  s.installed("torch", "2.5.1");
  PythonFacts py = s.python;
  const auto fs = evaluate(kb, KbInput{py, s.inventory, s.gpu, s.builds});
  ASSERT_EQ(fs.size(), 1U);
  EXPECT_EQ(fs[0].title, "python 3.11.7 is older than the site minimum");
  EXPECT_EQ(fs[0].evidence,
            (std::vector<std::string>{
                "python 3.11.7 (/venv/bin/python)",
                "torch 2.5.1 installed (/venv/lib/python3.11/site-packages/torch-2.5.1.dist-info)",
                "source: site policy"}));
}

}  // namespace
}  // namespace mlstack::kb
