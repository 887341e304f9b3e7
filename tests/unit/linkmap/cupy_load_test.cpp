// SPDX-License-Identifier: MIT
#include "load_test_util.hpp"
#include <gtest/gtest.h>

#include <algorithm>
#include <unistd.h>

namespace mlstack::linkmap {
namespace {

using pyenv::testing::TempTree;
using testing::FixtureInput;
using testing::render;

constexpr const char* k_ext = ".cpython-311-x86_64-linux-gnu.so";

// cuda-pathfinder's catalog as 1.9 writes it (the entries the model reads).
constexpr const char* k_catalog = R"(
DESCRIPTOR_CATALOG: tuple[DescriptorSpec, ...] = (
    DescriptorSpec(
        name="nvrtc",
        packaged_with="ctk",
        linux_sonames=("libnvrtc.so.13", "libnvrtc.so.12"),
        site_packages_linux=("nvidia/cu13/lib", "nvidia/cuda_nvrtc/lib"),
    ),
    DescriptorSpec(
        name="cublasLt",
        packaged_with="ctk",
        linux_sonames=("libcublasLt.so.13", "libcublasLt.so.12"),
        site_packages_linux=("nvidia/cu13/lib", "nvidia/cublas/lib"),
    ),
    DescriptorSpec(
        name="cutensor",
        packaged_with="other",
        linux_sonames=("libcutensor.so.2",),
        site_packages_linux=("cutensor/lib",),
        dependencies=("cublasLt",),
    ),
)
)";

void write_cupy(const TempTree& tree) {
  for (const char* m :
       {"cupy/_core/core", "cupy_backends/cuda/api/runtime", "cupy_backends/cuda/libs/cutensor",
        "cupy_backends/cuda/libs/cublas", "cupy/cuda/jitify"}) {
    tree.write(std::string("site/") + m + k_ext, "");
  }
  tree.write("site/cupy/.data/_wheel.json",
             R"({"cuda": "13.x", "packaging": "pip", "cutensor": {"version": "2.4.1"}})");
  tree.write("site/cuda/pathfinder/_dynamic_libs/descriptor_catalog.py", k_catalog);
  tree.write("site/nvidia/cu13/lib/libcublasLt.so.13", "");
  tree.write("site/nvidia/cu13/lib/libnvrtc.so.13", "");
  tree.write("site/nvidia/cu13/lib/libnvrtc-builtins.so.13.0", "");
}

TEST(CupyLoad, PreloadThenModulesThenNvrtcAndLibraries) {
  TempTree tree;
  write_cupy(tree);
  FixtureInput fixture(tree);
  const FrameworkLoad load = cupy_load(fixture.input());
  EXPECT_EQ(load.framework, "cupy");
  EXPECT_TRUE(load.problems.empty());
  const std::string runtime = std::string("cupy_backends/cuda/api/runtime") + k_ext;
  const std::vector<std::string> expected = {
      // cutensor's dependency from the wheel by path; cutensor itself (no wheel) by soname.
      "import | python | nvidia/cu13/lib/libcublasLt.so.13 | optional",
      "import | python | libcutensor.so.2 | optional",
      std::string("import | python | cupy/_core/core") + k_ext + " | required",
      "import | python | " + runtime + " | required",
      std::string("import | python | cupy_backends/cuda/libs/cutensor") + k_ext + " | optional",
      "first GPU use | python | nvidia/cu13/lib/libnvrtc.so.13 | optional",
      "first GPU use | python | nvidia/cu13/lib/libnvrtc-builtins.so.13.0 | optional",
      "first GPU use | " + runtime + " | libcuda.so.1 | optional",
      std::string("first GPU use | python | cupy_backends/cuda/libs/cublas") + k_ext +
          " | optional",
      std::string("first GPU use | python | cupy/cuda/jitify") + k_ext + " | optional",
  };
  EXPECT_EQ(render(load, fixture.site), expected);
}

TEST(CupyLoad, NoPathfinderNoWheelConfig) {
  TempTree tree;
  tree.write(std::string("site/cupy/_core/core") + k_ext, "");
  FixtureInput fixture(tree);
  EXPECT_EQ(render(cupy_load(fixture.input()), fixture.site),
            std::vector<std::string>{std::string("import | python | cupy/_core/core") + k_ext +
                                     " | required"});
}

TEST(CupyLoad, SystemNvrtcBySoname) {
  TempTree tree;
  write_cupy(tree);
  FixtureInput fixture(tree);
  // No wheel NVRTC: the sonames in the catalog's order, through the system search.
  ::unlink((fixture.site + "/nvidia/cu13/lib/libnvrtc.so.13").c_str());
  const auto lines = render(cupy_load(fixture.input()), fixture.site);
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "first GPU use | python | libnvrtc.so.13 libnvrtc.so.12 | optional"),
            lines.end());
}

}  // namespace
}  // namespace mlstack::linkmap
