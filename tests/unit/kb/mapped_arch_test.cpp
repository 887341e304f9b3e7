// SPDX-License-Identifier: MIT
#include "mlstack/kb/mapped_arch.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mlstack::kb {
namespace {

struct Stack {
  Kb kb;
  facts::LoaderFacts loader;
  facts::GpuFacts gpu;
  Stack() {
    loader.emulated = true;
    facts::MappedLibrary m;
    m.library = "cublaslt";
    m.path = m.real_path = "/usr/local/cuda-11.8/lib64/libcublasLt.so.11";
    m.version = {"11.11.3.6", "soname"};
    m.why = "DT_NEEDED of torch/lib/libtorch_cuda.so";
    m.rule = "ld_library_path";
    m.loaded_by = "torch";
    facts::LoadScenario alone;
    alone.order = {"torch"};
    alone.libraries = {m};
    facts::LoadScenario pair;
    pair.order = {"torch", "jax"};
    pair.libraries = {m};
    loader.scenarios = {alone, pair};
    facts::GpuCode code;
    code.path = m.real_path;
    code.sass = {"sm_50", "sm_60", "sm_70", "sm_80", "sm_86"};
    code.sass_entries = 5;
    loader.gpu_code = {code};
    facts::GpuDevice d;
    d.name = "NVIDIA H200";
    d.compute_capability = "9.0";
    gpu.devices = {d};
  }
};

TEST(MappedArch, FiresForAMappedLibraryWithoutCodeForTheGpu) {
  const Stack s;
  const auto found = mapped_arch_findings(s.kb, s.loader, s.gpu);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, "LOAD-ARCH-MISSING");
  EXPECT_EQ(found[0].title,
            "cuBLASLt 11.11.3.6 (/usr/local/cuda-11.8/lib64/libcublasLt.so.11), which `import "
            "torch` and `import torch; import jax` would map, has no kernels for NVIDIA H200 "
            "(compute capability 9.0)");
  EXPECT_EQ(found[0].evidence[0], "/usr/local/cuda-11.8/lib64/libcublasLt.so.11: machine code "
                                  "sm_50 sm_60 sm_70 sm_80 sm_86; PTX none");
}

TEST(MappedArch, SilentWhenSassOrPtxCoversTheGpu) {
  Stack s;
  s.loader.gpu_code[0].sass.push_back("sm_90");
  EXPECT_TRUE(mapped_arch_findings(s.kb, s.loader, s.gpu).empty());
  Stack ptx;
  ptx.loader.gpu_code[0].ptx = {"compute_86"};
  EXPECT_TRUE(mapped_arch_findings(ptx.kb, ptx.loader, ptx.gpu).empty());
}

TEST(MappedArch, UsesTheGpuTableWhenNvmlGaveNoCapability) {
  Stack s;
  s.gpu.devices[0].compute_capability.clear();
  EXPECT_TRUE(mapped_arch_findings(s.kb, s.loader, s.gpu).empty());  // unknown: no finding
  GpuModel h200;
  h200.pattern = "H200";
  h200.compute_capability.text = "9.0";
  s.kb.gpus = {h200};
  EXPECT_EQ(mapped_arch_findings(s.kb, s.loader, s.gpu).size(), 1u);
}

TEST(MappedArch, NothingWithoutDeviceCodeOrGpus) {
  Stack s;
  s.gpu.devices.clear();
  EXPECT_TRUE(mapped_arch_findings(s.kb, s.loader, s.gpu).empty());
  Stack none;
  none.loader.gpu_code.clear();
  EXPECT_TRUE(mapped_arch_findings(none.kb, none.loader, none.gpu).empty());
}

}  // namespace
}  // namespace mlstack::kb
