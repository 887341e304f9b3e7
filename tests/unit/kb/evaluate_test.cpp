// SPDX-License-Identifier: MIT
#include "mlstack/kb/evaluate.hpp"

#include "mlstack/cudalibs/library_uses.hpp"

#include "embedded_kb.hpp"

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

using test_support::embedded;

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

facts::CudaLibrary lib(std::string name, std::string version, std::string package = "") {
  facts::CudaLibrary l;
  l.name = name;
  l.version = version;
  l.version_source = "dist-info";
  l.path = "/venv/lib/python3.11/site-packages/nvidia/" + name + "/lib/lib" + name + ".so." +
           version.substr(0, version.find('.'));
  l.origin = "wheel";
  l.package = std::move(package);
  return l;
}

facts::CudaPin pin(std::string package, std::string library, std::string specifier,
                   std::string extra = "") {
  facts::CudaPin p;
  p.package = std::move(package);
  p.library = std::move(library);
  p.specifier = std::move(specifier);
  p.requirement = p.package + p.specifier;
  if (p.specifier.starts_with("==")) {
    p.version = p.specifier.substr(2);
  }
  p.extra = std::move(extra);
  return p;
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
  Environment environment;

  Scenario& library(std::string name, std::string version, std::string package = "") {
    builds.cuda_libraries.push_back(lib(std::move(name), std::move(version), std::move(package)));
    return *this;
  }
  Scenario& env(std::string name, std::string value) {
    environment[std::move(name)] = std::move(value);
    return *this;
  }
  Scenario& compat(std::string version, std::string found_via) {
    facts::CudaLibrary l;
    l.name = "libcuda";
    l.version = version;
    l.path = "/usr/local/cuda-13.0/compat/libcuda.so." + version;
    l.origin = "system";
    l.found_via = std::move(found_via);
    builds.compat_libcuda.push_back(std::move(l));
    return *this;
  }
  /// The builds as doctor hands them to the rules: each framework's library uses resolved.
  [[nodiscard]] BuildFacts resolved() const {
    BuildFacts b = builds;
    cudalibs::resolve_library_uses(b);
    return b;
  }
  std::vector<rules::Finding> run() const {
    const BuildFacts b = resolved();
    return evaluate(embedded(), KbInput{python, inventory, gpu, b, &environment});
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
  s.library("cudart", "13.0.96").library("cublas", "13.1.0.3").library("nvrtc", "13.0.88");
  s.library("cudnn", "9.19.0.56").library("nccl", "2.28.9");
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
                "PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION is not set",
                "source: https://github.com/tensorflow/tensorflow/issues/56077 (the error, and "
                "PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python as the workaround); "
                "https://github.com/tensorflow/tensorflow/releases/tag/v2.9.1 (protobuf<3.20 pin); "
                "https://github.com/tensorflow/tensorflow/pull/56196"}));
  EXPECT_NE(f.fix.find("protobuf<3.20"), std::string::npos);
}

TEST(KbEvaluate, ProtobufBelow421IsFine) {
  Scenario s;
  s.installed("tensorflow-cpu", "2.9.0").installed("protobuf", "3.19.6");
  EXPECT_EQ(ids(s.run()), std::vector<std::string>{});
}

TEST(KbEvaluate, DriverTooOldForCuda13Torch) {
  Scenario s;
  s.driver("570.86.15", "12.8").device("NVIDIA GeForce RTX 4090", "8.9");
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
  EXPECT_NE(f.why.find("forward compatibility"), std::string::npos);
  EXPECT_NE(f.fix.find("CUDA 13.0 needs >= 580.65.06 for every feature"), std::string::npos)
      << f.fix;
  EXPECT_TRUE(has_line(f.evidence, "NVIDIA driver 570.86.15 (nvml)"));
  EXPECT_TRUE(has_line(f.evidence, "torch 2.11.0+cu130: built for CUDA 13.0 (torch/version.py)"));
  EXPECT_TRUE(has_line(f.evidence, "GPU 0: NVIDIA GeForce RTX 4090 is not a data-center GPU"));
  EXPECT_TRUE(f.evidence.back().starts_with("source: https://docs.nvidia.com/deploy/"));
}

// CUDA forward compatibility: on data-center GPUs the cuda-compat package's libcuda runs a
// newer toolkit on an older driver branch (docs.nvidia.com/deploy/cuda-compatibility).
TEST(KbEvaluate, ForwardCompatibilityOnDataCenterGpus) {
  auto base = [] {
    Scenario s;
    s.driver("570.86.15", "12.8").device("NVIDIA H100 80GB HBM3", "9.0");
    s.framework(build("torch", "2.11.0+cu130", "13.0", "9.19.0.56",
                      {"sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"}));
    s.library("cudart", "13.0.96").library("cudnn", "9.19.0.56");
    return s;
  };
  Scenario absent = base();
  auto fs = absent.run();
  ASSERT_EQ(ids(fs), std::vector<std::string>{"GPU-DRIVER-COMPAT-MISSING"});
  EXPECT_EQ(fs[0].severity, rules::Severity::warning);
  EXPECT_NE(fs[0].fix.find("install cuda-compat-13-0"), std::string::npos) << fs[0].fix;
  EXPECT_NE(fs[0].fix.find("/usr/local/cuda-13.0/compat on LD_LIBRARY_PATH"), std::string::npos);
  EXPECT_TRUE(has_line(fs[0].evidence, "no cuda-compat libcuda found"));

  Scenario installed_only = base();
  installed_only.compat("580.65.06", "cuda-root");
  fs = installed_only.run();
  ASSERT_EQ(ids(fs), std::vector<std::string>{"GPU-DRIVER-COMPAT-MISSING"});
  EXPECT_TRUE(has_line(fs[0].evidence, "is installed but not in the library path"));

  Scenario active = base();
  active.compat("580.65.06", "LD_LIBRARY_PATH");
  fs = active.run();
  ASSERT_EQ(ids(fs), std::vector<std::string>{"GPU-DRIVER-FORWARD-COMPAT"});
  EXPECT_EQ(fs[0].severity, rules::Severity::info);
  EXPECT_EQ(fs[0].title,
            "torch 2.11.0+cu130 (CUDA 13.0) runs on driver 570.86.15 through CUDA forward "
            "compatibility (cuda-compat libcuda 580.65.06)");

  Scenario too_old_compat = base();
  too_old_compat.compat("575.57.08", "LD_LIBRARY_PATH");
  EXPECT_EQ(ids(too_old_compat.run()), std::vector<std::string>{"GPU-DRIVER-COMPAT-MISSING"});

  Scenario mixed = base();  // forward compatibility needs every GPU to be a data-center one
  mixed.device("NVIDIA GeForce RTX 4090", "8.9").compat("580.65.06", "LD_LIBRARY_PATH");
  EXPECT_EQ(ids(mixed.run()), std::vector<std::string>{"GPU-DRIVER-TOO-OLD"});
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
      {{"sm_90", "compute_90a"}, "10.0", {"GPU-ARCH-MISSING"}},   // `a` PTX: only 9.0
      {{"sm_100f"}, "10.3", {}},                                  // family code: 10.x
      {{"sm_103f"}, "10.0", {"GPU-ARCH-MISSING"}},
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

// cu11 cuDNN 8 and cu12 cuDNN 9 builds coexist (libcudnn.so.8 from nvidia-cudnn-cu11,
// libcudnn.so.9 from nvidia-cudnn-cu12): no FW-CUDNN-MIX across CUDA majors.
TEST(KbEvaluate, CudnnMajorsOfTwoCudaMajorsCoexist) {
  Scenario s;
  s.driver("550.54.15", "12.4").device("Tesla T4", "7.5");
  FrameworkBuild torch = build("torch", "2.4.1+cu121", "12.1", "9.1.0.70",
                               {"sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"});
  torch.cuda_pins = {pin("nvidia-cudnn-cu12", "cudnn", "==9.1.0.70")};
  s.framework(torch);
  s.framework(build("tensorflow", "2.11.0", "11.2", "8",
                    {"sm_35", "sm_50", "sm_60", "sm_70", "sm_75", "compute_80"}));
  s.installed("protobuf", "3.19.6").installed("numpy", "1.24.4");
  s.library("cudart", "12.1.105").library("cudart", "11.2.152");
  s.library("cudnn", "9.1.0.70", "nvidia-cudnn-cu12").library("cudnn", "8.1.0.77");
  s.env("TF_FORCE_GPU_ALLOW_GROWTH", "true");
  const auto fs = s.run();
  EXPECT_EQ(ids(fs), (std::vector<std::string>{"FW-CUDA-MAJOR-MIX"}));
  const rules::Finding* f = find(fs, "FW-CUDA-MAJOR-MIX");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->title,
            "torch 2.4.1+cu121 (CUDA 12) and tensorflow 2.11.0 (CUDA 11) load two CUDA runtimes");
  EXPECT_NE(f->why.find("libcudart.so.12 and libcudart.so.11"), std::string::npos) << f->why;
}

// One CUDA major has one nvidia-cudnn-cuNN distribution: a cuDNN 8 pin and a cuDNN 9 pin of it
// cannot both be met.
TEST(KbEvaluate, CudnnMajorMismatchOnOneDistribution) {
  Scenario s;
  s.driver("550.54.15", "12.4").device("Tesla T4", "7.5");
  FrameworkBuild torch = build("torch", "2.3.1+cu121", "12.1", "8.9.2.26", {"sm_75"});
  torch.cuda_pins = {pin("nvidia-cudnn-cu12", "cudnn", "==8.9.2.26")};
  FrameworkBuild ort = build("onnxruntime", "1.19.2", "12.2", "9", {"sm_75"});
  ort.distribution = "onnxruntime-gpu";
  ort.cuda_pins = {pin("nvidia-cudnn-cu12", "cudnn", "~=9.0", "cudnn")};
  s.framework(torch).framework(ort);
  s.library("cudart", "12.1.105").library("cudnn", "8.9.2.26", "nvidia-cudnn-cu12");
  const auto fs = s.run();
  const rules::Finding* f = find(fs, "FW-CUDNN-MIX");
  ASSERT_NE(f, nullptr) << ::testing::PrintToString(ids(fs));
  EXPECT_EQ(f->severity, rules::Severity::error);
  EXPECT_EQ(f->title,
            "torch 2.3.1+cu121 needs cuDNN 8 but onnxruntime-gpu 1.19.2 needs cuDNN 9, both from "
            "nvidia-cudnn-cu12");
  EXPECT_EQ(f->subjects, (std::vector<std::string>{"torch", "onnxruntime-gpu"}));
  // ORT then finds no libcudnn.so.9.
  EXPECT_NE(find(fs, "FW-CUDNN-LIB-MISSING"), nullptr);
}

// tensorflow[and-cuda] next to torch cu13: the cu12 cuDNN wheel, installed last, overwrote the
// cu13 one's nvidia/cudnn/lib/libcudnn.so.9, and torch will load a build for CUDA 12.
TEST(KbEvaluate, OverwrittenSharedCudnnServesTwoCudaMajors) {
  Scenario s;
  s.driver("580.159.04", "13.0").device("NVIDIA H200", "9.0");
  FrameworkBuild torch = build("torch", "2.15.0+cu132", "13.2", "9.26.0.51", {"sm_90"});
  torch.cuda_pins = {pin("nvidia-cudnn-cu13", "cudnn", "==9.26.0.51")};
  FrameworkBuild tf = build("tensorflow", "2.21.0", "12.5.1", "9", {"sm_90", "compute_90"});
  tf.cuda_pins = {pin("nvidia-cudnn-cu12", "cudnn", ">=9.3.0.75,<10.0", "and-cuda")};
  s.framework(torch).framework(tf).env("TF_FORCE_GPU_ALLOW_GROWTH", "true");
  s.library("cudart", "13.2.51").library("cudart", "12.9.79");
  s.library("cudnn", "9.28.0.42", "nvidia-cudnn-cu12");
  const auto fs = s.run();
  // Driver 580 is the CUDA 13.0 branch: torch's CUDA 13.2 runs through minor-version
  // compatibility.
  EXPECT_EQ(ids(fs), (std::vector<std::string>{"GPU-DRIVER-MINOR-COMPAT", "FW-LIB-CUDA-MISMATCH",
                                               "FW-CUDA-MAJOR-MIX"}));
  const rules::Finding* f = find(fs, "FW-LIB-CUDA-MISMATCH");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, rules::Severity::error);
  EXPECT_EQ(f->title,
            "torch 2.15.0+cu132 (CUDA 13) will load cuDNN 9.28.0.42, a build for CUDA 12");
  EXPECT_EQ(f->fix,
            "one copy of /venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9 "
            "cannot serve both CUDA 12 (tensorflow 2.21.0) and CUDA 13 (torch 2.15.0+cu132): "
            "move torch 2.15.0+cu132 to a CUDA 12 build, then reinstall the CUDA 12 copy last: "
            "`python -m pip install --force-reinstall --no-deps "
            "'nvidia-cudnn-cu12>=9.3.0.75,<10.0'`; or keep them in separate environments");
  EXPECT_TRUE(has_line(f->evidence, "is built for CUDA 12 (the distribution name "
                                    "`nvidia-cudnn-cu12`)"));
}

// The same overwrite with no framework of the other CUDA major: the fix restores the pinned
// copy, removing the wheel that overwrote it first.
TEST(KbEvaluate, OverwrittenSharedCudnnWithOneUser) {
  Scenario s;
  s.driver("580.159.04", "13.0").device("NVIDIA H200", "9.0");
  FrameworkBuild torch = build("torch", "2.15.0+cu132", "13.2", "9.26.0.51", {"sm_90"});
  torch.cuda_pins = {pin("nvidia-cudnn-cu13", "cudnn", "==9.26.0.51")};
  s.framework(torch);
  s.library("cudart", "13.2.51").library("cudnn", "9.28.0.42", "nvidia-cudnn-cu12");
  const auto fs = s.run();
  ASSERT_EQ(ids(fs),
            (std::vector<std::string>{"GPU-DRIVER-MINOR-COMPAT", "FW-LIB-CUDA-MISMATCH"}));
  EXPECT_EQ(fs[1].fix,
            "`python -m pip uninstall -y nvidia-cudnn-cu12 && python -m pip install "
            "--force-reinstall --no-deps 'nvidia-cudnn-cu13==9.26.0.51'`");
}

// Plain `tensorflow` (a CUDA build) without its CUDA 12 wheels: an error next to a GPU, a
// warning on a machine without one (images are built on CPU machines).
TEST(KbEvaluate, GpuBuildWithoutAnyCudaLibrary) {
  FrameworkBuild tf = build("tensorflow", "2.21.0", "12.5.1", "9",
                            {"sm_60", "sm_70", "sm_80", "sm_89", "sm_90", "compute_90"});
  tf.cuda_pins = {pin("nvidia-cudnn-cu12", "cudnn", ">=9.3.0.75,<10.0", "and-cuda")};
  tf.cuda_install = "tensorflow[and-cuda]==2.21.0";
  Scenario gpu;
  gpu.driver("580.159.04", "13.0").device("NVIDIA A100-SXM4-80GB", "8.0").framework(tf);
  auto fs = gpu.run();
  ASSERT_EQ(ids(fs), (std::vector<std::string>{"FW-CUDA-LIBS-MISSING"}));
  EXPECT_EQ(fs[0].severity, rules::Severity::error);
  EXPECT_NE(fs[0].fix.find("`python -m pip install \"tensorflow[and-cuda]==2.21.0\"`"),
            std::string::npos)
      << fs[0].fix;
  EXPECT_NE(fs[0].why.find("the CUDA runtime 12, cuBLAS 12, cuDNN 9"), std::string::npos)
      << fs[0].why;

  Scenario cpu;
  cpu.framework(tf);
  fs = cpu.run();
  ASSERT_EQ(ids(fs), (std::vector<std::string>{"FW-CUDA-LIBS-ABSENT"}));
  EXPECT_EQ(fs[0].severity, rules::Severity::warning);
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
  s.builds.cuda_libraries = {lib("cudart", "13.0.96"), lib("cublas", "13.1.0.3"),
                             lib("nvrtc", "13.0.88"), lib("cudnn", "9.10.2.21")};
  auto fs = s.run();
  // torch pins 9.19.0.56 and jax was built with 9.19: the 9.10 they would load is older.
  EXPECT_EQ(ids(fs), (std::vector<std::string>{"FW-CUDNN-TOO-OLD", "FW-CUDNN-TOO-OLD"}));
  EXPECT_EQ(fs[0].title, "torch 2.11.0+cu130 was built with cuDNN 9.19.0.56, but will load cuDNN "
                         "9.10.2.21");
  s.builds.cuda_libraries = {lib("cublas", "13.1.0.3"), lib("nvrtc", "13.0.88"),
                             lib("cudnn", "9.19.0.56")};
  fs = s.run();
  EXPECT_EQ(ids(fs), (std::vector<std::string>{"FW-CUDART-LIB-MISSING", "FW-CUDART-LIB-MISSING",
                                               "FW-CUDART-LIB-MISSING"}));
  s.builds.cuda_libraries = {lib("cudart", "13.0.96"), lib("cublas", "13.1.0.3"),
                             lib("nvrtc", "13.0.88")};
  fs = s.run();
  EXPECT_EQ(fs.size(), 3U);
  EXPECT_EQ(fs[0].id, "FW-CUDNN-LIB-MISSING");
  EXPECT_EQ(fs[0].title, "torch 2.11.0+cu130 needs cuDNN 9, but no libcudnn.so.9 was found");
}

// onnxruntime-gpu 1.31.1's CUDA provider links libcurand.so.10 (readelf -d of the PyPI wheel);
// no wheel of the environment has it.
TEST(KbEvaluate, LinkedLibraryMissing) {
  Scenario s = healthy();
  FrameworkBuild& ort = s.builds.frameworks[3];
  ort.version = "1.31.1";
  ort.linked = {"libcublas.so.13", "libcurand.so.10", "libcudart.so.13", "libc.so.6"};
  ort.linked_by = "/venv/lib/python3.11/site-packages/onnxruntime/capi/"
                  "libonnxruntime_providers_cuda.so";
  ort.cuda_pins = {pin("nvidia-curand", "curand", "~=10.0", "cuda")};
  auto fs = s.run();
  ASSERT_EQ(ids(fs), std::vector<std::string>{"FW-LIB-MISSING"});
  EXPECT_EQ(fs[0].title, "onnxruntime-gpu 1.31.1 links libcurand.so.10, which is not installed: "
                         "its GPU library does not load");
  EXPECT_TRUE(has_line(fs[0].evidence, "libonnxruntime_providers_cuda.so links libcurand.so.10"));
  EXPECT_EQ(fs[0].fix, "`python -m pip install \"nvidia-curand~=10.0\"` (onnxruntime-gpu 1.31.1's "
                       "requirement for it, extra `cuda`)");
  s.library("curand", "10.4.2.51");
  EXPECT_TRUE(s.run().empty());
  // A linked runtime that is missing is this error, not FW-CUDART-LIB-MISSING's warning.
  std::erase_if(s.builds.cuda_libraries,
                [](const facts::CudaLibrary& l) { return l.name == "cudart"; });
  fs = s.run();
  EXPECT_EQ(ids(fs), (std::vector<std::string>{"FW-LIB-MISSING", "FW-CUDART-LIB-MISSING",
                                               "FW-CUDART-LIB-MISSING"}));
  EXPECT_EQ(fs[0].title, "onnxruntime-gpu 1.31.1 links libcudart.so.13, which is not installed: "
                         "its GPU library does not load");
}

// The PTX fixes name a build with machine code: TensorFlow 2.9's own row has PTX for 9.0
// (compute_80) and must not be offered back.
TEST(KbEvaluate, PtxJitFixNamesABuildWithMachineCode) {
  Scenario s;
  s.driver("580.159.04", "13.0").device("NVIDIA H200", "9.0");
  s.framework(build("tensorflow", "2.9.1", "11.2", "8",
                    {"sm_35", "sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "compute_80"}));
  s.library("cudart", "11.8.89").library("cublas", "11.11.3.6").library("cudnn", "8.9.7.29");
  const auto fs = s.run();
  const rules::Finding* f = find(fs, "GPU-ARCH-PTX-JIT");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->fix.find("tensorflow==2.21.*"), std::string::npos) << f->fix;
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
      // Declared in the distributions' metadata (pip check reports them): no KB rule.
      {{{"jax", "0.7.2"}, {"tensorflow", "2.17.0"}, {"numpy", "1.26.4"}}, {}},
      {{{"tensorflow", "2.14.1"}, {"ml-dtypes", "0.3.1"}}, {}},
      {{{"tensorflow", "2.15.0"}, {"jax", "0.4.35"}}, {}},
      {{{"tensorflow", "2.13.1"}, {"pydantic", "2.5.0"}}, {}},
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
  // No CUDA library and no GPU here: torch also gets FW-CUDA-LIBS-ABSENT.
  ASSERT_EQ(ids(fs), (std::vector<std::string>{"KB-CUDNN8-ORT-TORCH", "FW-CUDA-LIBS-ABSENT"}));
  EXPECT_EQ(fs[0].subjects, (std::vector<std::string>{"onnxruntime-gpu", "torch"}));
}

TEST(KbEvaluate, JaxPreallocationNextToGpuTensorflow) {
  Scenario s;
  s.driver("580.95.05", "13.0").device("NVIDIA H200", "9.0");
  s.framework(build("jax", "0.6.2", "12.3", "9.8"));
  s.framework(build("tensorflow", "2.21.0", "12.5", "9"));
  s.installed("numpy", "2.1.3");
  s.library("cudart", "12.5.82").library("cudnn", "9.10.2.21");
  auto fs = s.run();
  // conflicts.toml is read before rules.toml.
  ASSERT_EQ(ids(fs), (std::vector<std::string>{"KB-PREALLOC-JAX", "KB-PREALLOC-TF"}));
  EXPECT_EQ(fs[0].severity, rules::Severity::info);
  EXPECT_EQ(fs[1].severity, rules::Severity::warning);
  EXPECT_TRUE(has_line(fs[1].evidence, "TF_FORCE_GPU_ALLOW_GROWTH is not set"));
  s.env("TF_FORCE_GPU_ALLOW_GROWTH", "true");
  fs = s.run();
  EXPECT_EQ(ids(fs), (std::vector<std::string>{"KB-PREALLOC-JAX"}));
}

// TensorFlow maps nearly all GPU memory by default (tensorflow.org/guide/gpu): next to torch the
// seed image sets TF_FORCE_GPU_ALLOW_GROWTH=true. No GPU is needed to see it in an image.
TEST(KbEvaluate, TensorflowMemoryNextToTorch) {
  Scenario s;
  s.framework(build("torch", "1.12.1", "10.2", "7.6.5", {"sm_70"}));
  s.framework(build("tensorflow", "2.9.1", "11.2", "8", {"sm_70", "compute_80"}));
  s.library("cudart", "10.2.89").library("cudart", "11.2.152").library("cudnn", "8.1.0.77");
  auto fs = s.run();
  const rules::Finding* f = find(fs, "KB-PREALLOC-TF");
  ASSERT_NE(f, nullptr) << ::testing::PrintToString(ids(fs));
  EXPECT_EQ(f->title, "tensorflow 2.9.1 maps nearly all GPU memory at start, next to other GPU "
                      "frameworks in this environment");
  EXPECT_NE(f->fix.find("TF_FORCE_GPU_ALLOW_GROWTH=true"), std::string::npos);
  s.env("TF_FORCE_GPU_ALLOW_GROWTH", "true");
  EXPECT_EQ(find(s.run(), "KB-PREALLOC-TF"), nullptr);
  s.env("TF_FORCE_GPU_ALLOW_GROWTH", "false");
  EXPECT_NE(find(s.run(), "KB-PREALLOC-TF"), nullptr);
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
