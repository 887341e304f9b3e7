// SPDX-License-Identifier: MIT
// The models on the framework fixture trees of tests/data/envs (real wheels' file names, the
// shared objects as empty placeholders, Python sources partly left out).
#include "mlstack/linkmap/model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mlstack::linkmap {
namespace {

struct EnvInput {
  explicit EnvInput(const std::string& env, const std::string& ext_suffix)
      : site(std::string(MLSTACK_TEST_DATA_DIR) + "/envs/" + env + "/site-packages") {
    python.sys_path = {site};
    python.tags.ext_suffix = ext_suffix;
    build.location = site;
  }
  [[nodiscard]] ModelInput input() const { return {build, inventory, python, fs}; }
  std::string site;
  facts::FrameworkBuild build;
  facts::Inventory inventory;
  facts::PythonFacts python;
  io::RealFileSystem fs;
};

std::vector<std::string> candidates(const FrameworkLoad& load, const std::string& site) {
  std::vector<std::string> out;
  for (const LoadStep& s : load.steps) {
    for (std::string c : s.candidates) {
      if (c.rfind(site + "/", 0) == 0) {
        c = c.substr(site.size() + 1);
      }
      out.push_back(s.when + " " + c);
    }
  }
  return out;
}

TEST(FixtureEnvs, OnnxruntimeGpu1311) {
  EnvInput env("cuda13-current", ".cpython-312-x86_64-linux-gnu.so");
  const FrameworkLoad load = onnxruntime_load(env.input());
  EXPECT_TRUE(load.problems.empty());
  EXPECT_EQ(
      candidates(load, env.site),
      (std::vector<std::string>{
          "import onnxruntime/capi/onnxruntime_pybind11_state.cpython-312-x86_64-linux-gnu.so",
          "import onnxruntime/capi/libonnxruntime_providers_shared.so",
          "first GPU use onnxruntime/capi/libonnxruntime_providers_cuda.so"}));
}

TEST(FixtureEnvs, JaxCuda12Plugin0435) {
  // jax 0.4.35: the CUDA 12 plugin's modules; the fixture keeps no jaxlib extension module
  // and no plugin __init__.py (a problem: its preloads cannot be read).
  EnvInput env("cu12-tf218-torch25", ".cpython-311-x86_64-linux-gnu.so");
  const FrameworkLoad load = jax_load(env.input());
  ASSERT_EQ(load.problems.size(), 1U);
  EXPECT_EQ(load.problems[0], "cannot read `" + env.site + "/jax_plugins/xla_cuda12/__init__.py`");
  const std::vector<std::string> got = candidates(load, env.site);
  const auto has = [&got](const std::string& line) {
    return std::find(got.begin(), got.end(), line) != got.end();
  };
  EXPECT_EQ(got.front(), "import jax_cuda12_plugin/_versions.so");
  EXPECT_TRUE(has("import libcudart.so.12"));
  EXPECT_TRUE(has("first GPU use jax_plugins/xla_cuda12/xla_cuda_plugin.so"));
  EXPECT_TRUE(has("first GPU use libcufft.so.11"));
  EXPECT_TRUE(has("first GPU use libcusolver.so.11"));
  EXPECT_FALSE(has("first GPU use libcufft.so.12"));
}

}  // namespace
}  // namespace mlstack::linkmap
