// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/library_uses.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mlstack::cudalibs {
namespace {

using facts::BuildFacts;
using facts::CudaLibrary;
using facts::FrameworkBuild;
using facts::LibraryUse;

const std::string k_site = "/venv/lib/python3.11/site-packages";

CudaLibrary lib(std::string name, std::string version, std::string path, std::string origin,
                std::string package = "") {
  CudaLibrary l;
  l.name = std::move(name);
  l.version = std::move(version);
  l.version_source = "test";
  l.path = std::move(path);
  l.origin = std::move(origin);
  l.package = std::move(package);
  return l;
}

FrameworkBuild build(std::string name, std::string version, std::string cuda, std::string cudnn,
                     std::string nccl = "") {
  FrameworkBuild b;
  b.name = name;
  b.distribution = std::move(name);
  b.version = std::move(version);
  b.location = k_site;
  b.cuda = {std::move(cuda), "version.py"};
  b.cudnn = {std::move(cudnn), "pin"};
  b.nccl = {std::move(nccl), "pin"};
  b.gpu_build = true;
  return b;
}

const LibraryUse& use(const BuildFacts& b, std::size_t framework, std::string_view library) {
  for (const LibraryUse& u : b.frameworks[framework].libraries) {
    if (u.library == library) {
      return u;
    }
  }
  static const LibraryUse k_none;
  ADD_FAILURE() << "no use of " << library;
  return k_none;
}

TEST(LibraryUses, NeedsFollowTheBuild) {
  BuildFacts b;
  b.frameworks = {build("torch", "2.15.0", "13.2", "9.26.0.51", "2.30.7"),
                  build("cupy", "14.2.0", "13", ""), build("tensorflow", "2.21.0", "", "")};
  b.frameworks[2].gpu_build = false;
  resolve_library_uses(b);
  std::vector<std::string> torch;
  for (const LibraryUse& u : b.frameworks[0].libraries) {
    torch.push_back(u.library + " " + u.major + " " + u.how);
  }
  EXPECT_EQ(torch, (std::vector<std::string>{"cudart 13 missing", "cublas 13 missing",
                                             "cudnn 9 missing", "nccl 2 missing"}));
  ASSERT_EQ(b.frameworks[1].libraries.size(), 2U);  // CuPy: cuBLAS and NVRTC only
  EXPECT_EQ(b.frameworks[1].libraries[1].library, "nvrtc");
  EXPECT_TRUE(b.frameworks[2].libraries.empty());  // CPU builds load no CUDA library
}

TEST(LibraryUses, StaticThenBundledThenWheelThenSystem) {
  BuildFacts b;
  FrameworkBuild torch = build("torch", "1.12.1", "10.2", "7.6.5", "2.10.3");
  torch.static_libraries = {lib("cudnn", "7.6.5", k_site + "/torch/lib/libtorch_cuda.so",
                                "static", "torch")};
  torch.bundled_libraries = {
      lib("cudart", "10.2", k_site + "/torch/lib/libcudart-80664282.so.10.2", "wheel", "torch")};
  b.frameworks = {torch};
  b.cuda_libraries = {
      lib("cudnn", "7.6.5.32", "/usr/lib/x86_64-linux-gnu/libcudnn.so.7", "system"),
      lib("cublas", "10.2.2.89", "/usr/local/cuda-10.2/lib64/libcublas.so.10", "system"),
      lib("nccl", "2.10.3", k_site + "/nvidia/nccl/lib/libnccl.so.2", "wheel",
          "nvidia-nccl-cu11"),
  };
  resolve_library_uses(b);
  EXPECT_EQ(use(b, 0, "cudnn").how, "static");
  EXPECT_EQ(use(b, 0, "cudart").how, "bundled");
  EXPECT_EQ(use(b, 0, "nccl").how, "wheel");
  EXPECT_EQ(use(b, 0, "nccl").cuda_major.value, "11");
  EXPECT_EQ(use(b, 0, "cublas").how, "system");
  EXPECT_EQ(use(b, 0, "cublas").cuda_major.value, "10");
  EXPECT_EQ(use(b, 0, "cudnn").cuda_major.value, "10");  // linked in: the build's own
  EXPECT_TRUE(use(b, 0, "nccl").fix.size() > 0);          // a cu11 copy for a CUDA 10 build
}

TEST(LibraryUses, OwnSiteFolderWins) {
  BuildFacts b;
  b.frameworks = {build("torch", "2.15.0", "13.2", "9.26.0.51")};
  b.cuda_libraries = {
      lib("cudnn", "9.1.0.70", "/root/.local/lib/python3.11/site-packages/nvidia/cudnn/lib/"
                               "libcudnn.so.9",
          "wheel", "nvidia-cudnn-cu12"),
      lib("cudnn", "9.26.0.51", k_site + "/nvidia/cudnn/lib/libcudnn.so.9", "wheel",
          "nvidia-cudnn-cu13"),
  };
  resolve_library_uses(b);
  EXPECT_EQ(use(b, 0, "cudnn").version.value, "9.26.0.51");
  EXPECT_TRUE(use(b, 0, "cudnn").fix.empty());
}

TEST(LibraryUses, UsersAndFixOfASharedFile) {
  BuildFacts b;
  FrameworkBuild torch = build("torch", "2.15.0+cu132", "13.2", "9.26.0.51");
  facts::CudaPin pin;
  pin.package = "nvidia-cudnn-cu13";
  pin.library = "cudnn";
  pin.specifier = "==9.26.0.51";
  torch.cuda_pins = {pin};
  FrameworkBuild jax = build("jax-cuda13-plugin", "0.10.2", "13.0", "9.12.0");
  jax.name = "jax";
  pin.specifier = "<10.0,>=9.12.0.46";
  jax.cuda_pins = {pin};
  b.frameworks = {torch, jax};
  const std::string file = k_site + "/nvidia/cudnn/lib/libcudnn.so.9";
  b.cuda_libraries = {lib("cudnn", "9.10.2.21", file, "wheel", "nvidia-cudnn-cu13")};
  resolve_library_uses(b);
  const LibraryUse& t = use(b, 0, "cudnn");
  EXPECT_EQ(t.users, (std::vector<std::string>{"torch 2.15.0+cu132 (CUDA 13)",
                                               "jax-cuda13-plugin 0.10.2 (CUDA 13)"}));
  // Both too old; the exact pin satisfies the range too.
  EXPECT_EQ(t.fix,
            "`python -m pip install --force-reinstall --no-deps 'nvidia-cudnn-cu13==9.26.0.51'`");
  EXPECT_EQ(use(b, 1, "cudnn").fix, t.fix);
}

}  // namespace
}  // namespace mlstack::cudalibs
