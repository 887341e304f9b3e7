// SPDX-License-Identifier: MIT
#include "mlstack/frameworks/framework_builds.hpp"

#include "fixture_inventory.hpp"
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace mlstack::frameworks {
namespace {

// tests/data/envs/<stack> come from tools/make_framework_fixtures.py (real PyPI wheels).
class FixtureEnv {
 public:
  explicit FixtureEnv(const std::string& stack)
      : m_site(std::string(MLSTACK_TEST_DATA_DIR) + "/envs/" + stack + "/site-packages") {
    m_scan = read_framework_builds(testing::fixture_inventory(m_site), m_fs);
  }
  const facts::FrameworkBuild& get(std::string_view name) const {
    for (const auto& b : m_scan.frameworks) {
      if (b.name == name) {
        return b;
      }
    }
    ADD_FAILURE() << "no " << name;
    static const facts::FrameworkBuild k_none;
    return k_none;
  }
  const FrameworkScan& scan() const { return m_scan; }
  std::string path(std::string_view rel) const { return m_site + "/" + std::string(rel); }

 private:
  io::RealFileSystem m_fs;
  std::string m_site;
  FrameworkScan m_scan;
};

bool has(const std::vector<std::string>& v, std::string_view needle) {
  for (const auto& s : v) {
    if (s.find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(FrameworkBuildsTf29Torch112, ReadsTheSeedStack) {
  const FixtureEnv env("tf29-torch112");
  ASSERT_EQ(env.scan().frameworks.size(), 2U);
  const auto& tf = env.get("tensorflow");
  EXPECT_EQ(tf.version, "2.9.3");
  EXPECT_TRUE(tf.gpu_build);
  EXPECT_EQ(tf.cuda.value, "11.2");
  EXPECT_EQ(tf.cuda.source,
            env.path("tensorflow/python/platform/build_info.py") + " (`cuda_version`)");
  EXPECT_EQ(tf.cudnn.value, "8");
  EXPECT_EQ(tf.nccl.value, "");
  EXPECT_TRUE(has(tf.evidence, "NCCL: unknown"));
  // Read from the binary (the fixture's stub carries the real wheel's fatbin architectures):
  // build_info.py's `compute_80` is SASS and PTX for 8.0.
  EXPECT_EQ(tf.archs, (std::vector<std::string>{"sm_35", "sm_50", "sm_60", "sm_70", "sm_75",
                                                "sm_80", "compute_80"}));
  EXPECT_EQ(tf.archs_source,
            env.path("tensorflow/python/_pywrap_tensorflow_internal.so") +
                " (fatbin: 6 cubins, 1 PTX)");
  EXPECT_TRUE(tf.cuda_pins.empty());
  EXPECT_TRUE(tf.cuda_install.empty());

  const auto& torch = env.get("torch");
  EXPECT_EQ(torch.version, "1.12.1");
  EXPECT_EQ(torch.variant, "cu102");
  EXPECT_EQ(torch.cuda.value, "10.2");
  EXPECT_EQ(torch.cuda.source, env.path("torch/version.py") + " (`cuda`)");
  // cu102 wheels link cuDNN and NCCL into libtorch_cuda.so: read from its .rodata.
  EXPECT_EQ(torch.cudnn.value, "7.6.5");
  EXPECT_EQ(torch.cudnn.source,
            env.path("torch/lib/libtorch_cuda.so") +
                " (linked statically: `cudnn_version_7_6_5_32_c27521968_m0_e0` in .rodata)");
  EXPECT_EQ(torch.nccl.value, "2.10.3");
  EXPECT_FALSE(has(torch.evidence, "cuDNN: unknown"));
  ASSERT_EQ(torch.static_libraries.size(), 2U);
  EXPECT_EQ(torch.static_libraries[0].origin, "static");
  EXPECT_TRUE(has(torch.evidence, "libcudart-80664282.so.10.2: bundled cudart"));
  EXPECT_EQ(torch.archs, (std::vector<std::string>{"sm_35", "sm_37", "sm_50", "sm_60", "sm_61",
                                                   "sm_70", "sm_75"}));
  EXPECT_TRUE(torch.archs_source.starts_with(env.path("torch/lib/libtorch_cuda.so")));
  EXPECT_TRUE(torch.problems.empty());
}

TEST(FrameworkBuildsCuda13, ReadsTheCurrentPyPiStack) {
  const FixtureEnv env("cuda13-current");
  const auto& torch = env.get("torch");
  EXPECT_EQ(torch.version, "2.15.0");
  EXPECT_EQ(torch.cuda.value, "13.2");
  EXPECT_EQ(torch.variant, "cu132");
  EXPECT_EQ(torch.cudnn.value, "9.26.0.51");
  EXPECT_EQ(torch.cudnn.source, env.path("torch-2.15.0.dist-info/METADATA") +
                                    ": Requires-Dist `nvidia-cudnn-cu13==9.26.0.51`");
  EXPECT_EQ(torch.nccl.value, "2.30.7");
  EXPECT_TRUE(has(torch.cuda_packages, "cuda-toolkit[cublas,cudart"));

  EXPECT_EQ(torch.archs.front(), "sm_75");
  EXPECT_EQ(torch.archs.back(), "sm_121a");
  EXPECT_EQ(torch.cuda_install, "torch==2.15.0");

  // JAX's exact build comes from jax_cuda13_plugin/_versions.so, not the name and the pins
  // (`nvidia-cudnn-cu13<10.0,>=9.12.0.46`, major only).
  const auto& jax = env.get("jax");
  EXPECT_EQ(jax.distribution, "jax-cuda13-plugin");
  EXPECT_EQ(jax.cuda.value, "13.0");
  EXPECT_EQ(jax.cudnn.value, "9.12.0");
  EXPECT_EQ(jax.cudnn.source,
            env.path("jax_cuda13_plugin/_versions.so") +
                " (cuda_runtime_build_version() returns 13000, cudnn_build_version() returns "
                "91200)");
  EXPECT_EQ(jax.nccl.value, "");
  EXPECT_EQ(jax.archs, (std::vector<std::string>{"sm_75", "sm_80", "sm_90", "sm_100", "sm_110",
                                                 "sm_120", "compute_120"}));
  EXPECT_EQ(jax.cuda_install, "jax-cuda13-plugin[with-cuda]==0.12.0.1");
  EXPECT_TRUE(jax.problems.empty()) << jax.problems.front();

  const auto& ort = env.get("onnxruntime");
  EXPECT_EQ(ort.distribution, "onnxruntime-gpu");
  EXPECT_EQ(ort.cuda.value, "13.0");
  EXPECT_EQ(ort.cudnn.value, "9");  // `nvidia-cudnn-cu13~=9.0; extra == "cudnn"`
  EXPECT_EQ(ort.providers, (std::vector<std::string>{"cuda", "tensorrt"}));
  EXPECT_TRUE(ort.gpu_build);
  // Only arch-specific code for 9.0 and 12.0: nothing runs on a 12.1 GPU.
  EXPECT_EQ(ort.archs, (std::vector<std::string>{"sm_75", "sm_80", "sm_86", "sm_89", "sm_90a",
                                                 "sm_120a"}));

  const auto& cupy = env.get("cupy");
  EXPECT_EQ(cupy.cuda.value, "13");
  EXPECT_EQ(cupy.nccl.value, "2.27.7");
  EXPECT_EQ(cupy.nccl.source, env.path("cupy/.data/_wheel.json") + " (`nccl.version`)");
  EXPECT_TRUE(env.scan().problems.empty());
}

TEST(FrameworkBuildsCu12, ReadsTfAndCudaPinsAndJaxRanges) {
  const FixtureEnv env("cu12-tf218-torch25");
  const auto& tf = env.get("tensorflow");
  EXPECT_EQ(tf.cuda.value, "12.5.1");
  EXPECT_EQ(tf.cudnn.value, "9.3.0.75");  // build_info says 9; the and-cuda pin is precise
  EXPECT_TRUE(has({tf.cudnn.source}, "(extra `and-cuda`)"));
  EXPECT_TRUE(has(tf.evidence, "cudnn_version = `9`"));
  EXPECT_EQ(tf.nccl.value, "2.21.5");
  const auto& torch = env.get("torch");
  EXPECT_EQ(torch.cuda.value, "12.4");
  EXPECT_EQ(torch.cudnn.value, "9.1.0.70");
  EXPECT_EQ(torch.nccl.value, "2.21.5");
  EXPECT_EQ(torch.archs, (std::vector<std::string>{"sm_50", "sm_60", "sm_70", "sm_75", "sm_80",
                                                   "sm_86", "sm_90"}));
  // TensorFlow 2.18's kernels are in libtensorflow_cc.so.2.
  EXPECT_TRUE(tf.archs_source.starts_with(env.path("tensorflow/libtensorflow_cc.so.2")));
  EXPECT_EQ(tf.cuda_install, "tensorflow[and-cuda]==2.18.0");
  const auto& jax = env.get("jax");
  EXPECT_EQ(jax.cuda.value, "12.3");
  EXPECT_EQ(jax.cudnn.value, "9.1.1");
  const auto& cupy = env.get("cupy");
  EXPECT_EQ(cupy.cuda.value, "12");
  EXPECT_EQ(cupy.cudnn.value, "8.8.1");
  EXPECT_EQ(cupy.nccl.value, "2.16.2");
}

TEST(FrameworkBuildsMissingFiles, DegradeToUnknownWithEvidence) {
  facts::Inventory inv;
  facts::InstalledDist d;
  d.location = "/nonexistent/site";
  d.info_path = "/nonexistent/site/torch-2.3.0+cu121.dist-info";
  d.canonical_name = "torch";
  d.version_text = "2.3.0+cu121";
  inv.dists.push_back(d);
  d.canonical_name = "tensorflow";
  d.version_text = "2.15.0";
  inv.dists.push_back(d);
  io::RealFileSystem fs;
  const auto scan = read_framework_builds(inv, fs);
  ASSERT_EQ(scan.frameworks.size(), 2U);
  EXPECT_EQ(scan.frameworks[0].cuda.value, "12.1");
  EXPECT_EQ(scan.frameworks[0].cuda.source, "distribution version `2.3.0+cu121` (local label)");
  EXPECT_EQ(scan.frameworks[1].cuda.value, "");
  EXPECT_TRUE(has(scan.frameworks[1].evidence, "build_info.py: missing"));
  EXPECT_TRUE(scan.problems.empty());
}

// A torch/version.py that Python itself cannot compile (brackets nested past 200) is a
// problem naming the file; the build falls back to the version's local label.
TEST(FrameworkBuildsBadFiles, NestingPastPythonsLimitIsAProblem) {
  const std::filesystem::path site =
      std::filesystem::path(::testing::TempDir()) / "mlstack-deep-site";
  std::filesystem::create_directories(site / "torch");
  const std::string version_py = site / "torch" / "version.py";
  std::ofstream(version_py) << "__version__ = '2.3.0+cu121'\ncuda = " << std::string(300, '(')
                            << "'12.1'" << std::string(300, ')') << "\n";
  facts::Inventory inv;
  facts::InstalledDist d;
  d.location = site.string();
  d.info_path = (site / "torch-2.3.0+cu121.dist-info").string();
  d.canonical_name = "torch";
  d.version_text = "2.3.0+cu121";
  inv.dists.push_back(d);
  io::RealFileSystem fs;
  const auto scan = read_framework_builds(inv, fs);
  ASSERT_EQ(scan.frameworks.size(), 1U);
  const std::string problem =
      version_py + ": line 2: too many nested parentheses (Python allows 200)";
  EXPECT_EQ(scan.problems, std::vector<std::string>{problem});
  EXPECT_EQ(scan.frameworks[0].problems, std::vector<std::string>{problem});
  EXPECT_EQ(scan.frameworks[0].cuda.value, "12.1");
  std::filesystem::remove_all(site);
}

}  // namespace
}  // namespace mlstack::frameworks
