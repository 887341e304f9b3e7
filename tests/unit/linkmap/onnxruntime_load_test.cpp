// SPDX-License-Identifier: MIT
#include "load_test_util.hpp"
#include <gtest/gtest.h>

namespace mlstack::linkmap {
namespace {

using pyenv::testing::TempTree;
using testing::FixtureInput;
using testing::render;

constexpr const char* k_state =
    "onnxruntime/capi/onnxruntime_pybind11_state.cpython-311-x86_64-linux-gnu.so";

TEST(OnnxruntimeLoad, ModuleAndSharedProvidersThenCudaAtSessionCreation) {
  TempTree tree;
  tree.write(std::string("site/") + k_state, "");
  tree.write("site/onnxruntime/capi/libonnxruntime_providers_shared.so", "");
  tree.write("site/onnxruntime/capi/libonnxruntime_providers_cuda.so", "");
  tree.write("site/onnxruntime/capi/libonnxruntime_providers_tensorrt.so", "");
  FixtureInput fixture(tree);
  const FrameworkLoad load = onnxruntime_load(fixture.input());
  EXPECT_EQ(load.framework, "onnxruntime");
  EXPECT_TRUE(load.problems.empty());
  const std::vector<std::string> expected = {
      std::string("import | python | ") + k_state + " | required",
      std::string("import | ") + k_state +
          " | onnxruntime/capi/libonnxruntime_providers_shared.so | optional",
      std::string("first GPU use | ") + k_state +
          " | onnxruntime/capi/libonnxruntime_providers_cuda.so | optional",
  };
  EXPECT_EQ(render(load, fixture.site), expected);
}

TEST(OnnxruntimeLoad, CpuBuildLoadsOnlyItsModule) {
  TempTree tree;
  tree.write(std::string("site/") + k_state, "");
  FixtureInput fixture(tree);
  EXPECT_EQ(render(onnxruntime_load(fixture.input()), fixture.site),
            std::vector<std::string>{std::string("import | python | ") + k_state + " | required"});
}

TEST(OnnxruntimeLoad, MissingModuleIsAProblem) {
  TempTree tree;
  tree.mkdir("site/onnxruntime/capi");
  FixtureInput fixture(tree);
  const FrameworkLoad load = onnxruntime_load(fixture.input());
  EXPECT_TRUE(load.steps.empty());
  ASSERT_EQ(load.problems.size(), 1U);
  EXPECT_EQ(load.problems[0], "no `onnxruntime_pybind11_state` extension module in `" +
                                  fixture.site + "/onnxruntime/capi`");
}

}  // namespace
}  // namespace mlstack::linkmap
