// SPDX-License-Identifier: MIT
#include "load_test_util.hpp"
#include <gtest/gtest.h>

#include <algorithm>

namespace mlstack::linkmap {
namespace {

using pyenv::testing::TempTree;
using testing::FixtureInput;
using testing::render;

constexpr const char* k_ext = ".cpython-311-x86_64-linux-gnu.so";

// The plugin's __init__.py as jax-cuda13-plugin 0.10.2 writes its preloads (shortened).
constexpr const char* k_plugin_init = R"(
def _load(module, libraries):
  pass

def _load_nvidia_libraries():
  _load("cuda_runtime", ["libcudart.so.12"])
  _load("cu13", ["libcudart.so.13"])
  _load("cu13", ["libcublas.so.13", "libcublasLt.so.13"])
  _load("nccl", ["libnccl.so.2"])
  _load("cudnn", ["libcudnn.so.9"])
)";

void write_jax(const TempTree& tree) {
  tree.write(std::string("site/jaxlib/cpu_feature_guard") + k_ext, "");
  tree.write("site/jaxlib/_jax.so", "");  // plain `.so`, as jaxlib ships them
  tree.write("site/jaxlib/libjax_common.so", "");
  tree.write("site/jaxlib/mlir/_mlir_libs/_mlir.so", "");
  tree.write("site/jaxlib/mlir/_mlir_libs/_triton_ext.so", "");
  tree.write("site/jax_cuda13_plugin/_versions.so", "");
  tree.write("site/jax_cuda13_plugin/_solver.so", "");
  tree.write("site/jax_cuda13_plugin/cuda_plugin_extension.so", "");
  tree.write("site/jax_plugins/xla_cuda13/__init__.py", k_plugin_init);
  tree.write("site/jax_plugins/xla_cuda13/xla_cuda_plugin.so", "");
  tree.mkdir("site/nvidia/cu13/lib");
  tree.mkdir("site/nvidia/cudnn/lib");  // no nvidia/nccl, no nvidia/cuda_runtime
}

TEST(JaxLoad, ImportThenPluginPreloadsThenXla) {
  TempTree tree;
  write_jax(tree);
  FixtureInput fixture(tree);
  const FrameworkLoad load = jax_load(fixture.input());
  EXPECT_EQ(load.framework, "jax");
  EXPECT_TRUE(load.problems.empty());
  const std::string plugin = "jax_plugins/xla_cuda13/xla_cuda_plugin.so";
  const std::vector<std::string> expected = {
      std::string("import | python | jaxlib/cpu_feature_guard") + k_ext + " | required",
      "import | python | jaxlib/_jax.so | required",
      "import | python | jaxlib/mlir/_mlir_libs/_mlir.so | required",
      "import | python | jax_cuda13_plugin/_versions.so | optional",
      "import | python | jax_cuda13_plugin/_solver.so | optional",
      "import | jax_cuda13_plugin/_solver.so | libcudart.so.13 | optional",
      "import | python | jax_cuda13_plugin/cuda_plugin_extension.so | optional",
      // _load_nvidia_libraries: by path, only from the nvidia packages present.
      "first GPU use | python | nvidia/cu13/lib/libcudart.so.13 | optional",
      "first GPU use | python | nvidia/cu13/lib/libcublas.so.13 | optional",
      "first GPU use | python | nvidia/cu13/lib/libcublasLt.so.13 | optional",
      "first GPU use | python | nvidia/cudnn/lib/libcudnn.so.9 | optional",
      "first GPU use | python | jaxlib/mlir/_mlir_libs/_triton_ext.so | optional",
      "first GPU use | jax_cuda13_plugin/_versions.so | libcudart.so.13 | optional",
      "first GPU use | jax_cuda13_plugin/_versions.so | libcudnn.so.9 | optional",
      "first GPU use | jax_cuda13_plugin/_versions.so | libcufft.so.12 | optional",
      "first GPU use | jax_cuda13_plugin/_versions.so | libcupti.so.13 | optional",
      "first GPU use | jax_cuda13_plugin/_versions.so | libcublas.so.13 | optional",
      "first GPU use | jax_cuda13_plugin/_versions.so | libcusparse.so.12 | optional",
      "first GPU use | jaxlib/libjax_common.so | " + plugin + " | optional",
      "first GPU use | " + plugin + " | libcuda.so.1 | optional",
      "first GPU use | " + plugin + " | libcudart.so.13 | optional",
      "first GPU use | " + plugin + " | libcublasLt.so.13 | optional",
      "first GPU use | " + plugin + " | libcublas.so.13 | optional",
      "first GPU use | " + plugin + " | libcufft.so.12 | optional",
      "first GPU use | " + plugin + " | libcusolver.so.12 | optional",
      "first GPU use | " + plugin + " | libcusparse.so.12 | optional",
      "first GPU use | " + plugin + " | libcudnn.so.9 | optional",
      "first GPU use | " + plugin + " | libnccl.so.2 | optional",
  };
  EXPECT_EQ(render(load, fixture.site), expected);
}

TEST(JaxLoad, CpuOnlyJaxlibHasNoGpuSteps) {
  TempTree tree;
  tree.write("site/jaxlib/_jax.so", "");
  FixtureInput fixture(tree);
  const FrameworkLoad load = jax_load(fixture.input());
  EXPECT_EQ(render(load, fixture.site),
            std::vector<std::string>{"import | python | jaxlib/_jax.so | required"});
}

TEST(JaxLoad, Cuda12PluginUsesItsSonames) {
  TempTree tree;
  tree.write("site/jaxlib/_jax.so", "");
  tree.write("site/jax_cuda12_plugin/_versions.so", "");
  tree.write("site/jax_cuda12_plugin/_solver.so", "");
  tree.write("site/jax_plugins/xla_cuda12/__init__.py", "");
  tree.write("site/jax_plugins/xla_cuda12/xla_cuda_plugin.so", "");
  FixtureInput fixture(tree);
  const auto lines = render(jax_load(fixture.input()), fixture.site);
  const auto has = [&lines](const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  };
  EXPECT_TRUE(has("import | jax_cuda12_plugin/_solver.so | libcudart.so.12 | optional"));
  EXPECT_TRUE(
      has("first GPU use | jax_plugins/xla_cuda12/xla_cuda_plugin.so | libcufft.so.11 | "
          "optional"));
  // No libjax_common.so: the PJRT plugin is dlopen'ed from _jax.
  EXPECT_TRUE(
      has("first GPU use | jaxlib/_jax.so | jax_plugins/xla_cuda12/xla_cuda_plugin.so | "
          "optional"));
}

TEST(JaxLoad, NoJaxlibIsAProblem) {
  TempTree tree;
  tree.mkdir("site");
  FixtureInput fixture(tree);
  const FrameworkLoad load = jax_load(fixture.input());
  EXPECT_TRUE(load.steps.empty());
  ASSERT_EQ(load.problems.size(), 1U);
  EXPECT_EQ(load.problems[0], "no `jaxlib` package folder on the path");
}

}  // namespace
}  // namespace mlstack::linkmap
