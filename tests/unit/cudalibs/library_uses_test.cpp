// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/library_uses.hpp"

#include "mlstack/cudalibs/library_table.hpp"

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

// onnxruntime-gpu 1.31.1's CUDA provider links libcurand.so.10 (readelf -d of the PyPI wheel);
// its extra `cuda` pins nvidia-curand~=10.0.
TEST(LibraryUses, LinkedLibrariesAreNeedsToo) {
  BuildFacts b;
  FrameworkBuild ort = build("onnxruntime", "1.31.1", "13.0", "9");
  ort.distribution = "onnxruntime-gpu";
  ort.linked = {"libcublasLt.so.13", "libcublas.so.13", "libcurand.so.10", "libcudart.so.13",
                "libcuda.so.1", "libcudart-80664282.so.10.2", "libc.so.6"};
  ort.linked_by = k_site + "/onnxruntime/capi/libonnxruntime_providers_cuda.so";
  facts::CudaPin pin;
  pin.package = "nvidia-curand";
  pin.library = "curand";
  pin.specifier = "~=10.0";
  pin.extra = "cuda";
  ort.cuda_pins = {pin};
  b.frameworks = {ort};
  const std::string lib_dir = k_site + "/nvidia/cu13/lib/";
  b.cuda_libraries = {
      lib("cudart", "13.2.86", lib_dir + "libcudart.so.13", "wheel", "nvidia-cuda-runtime"),
      lib("cublas", "13.4.1.3", lib_dir + "libcublas.so.13", "wheel", "nvidia-cublas"),
      lib("cublaslt", "13.4.1.3", lib_dir + "libcublasLt.so.13", "wheel", "nvidia-cublas")};
  resolve_library_uses(b);
  std::vector<std::string> seen;
  for (const LibraryUse& u : b.frameworks[0].libraries) {
    seen.push_back(u.library + " " + u.soname + " " + u.how + (u.linked_by.empty() ? "" : " linked"));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "cudart libcudart.so.13 wheel linked", "cublas libcublas.so.13 wheel linked",
                      "cudnn libcudnn.so.9 missing", "cublaslt libcublasLt.so.13 wheel linked",
                      "curand libcurand.so.10 missing linked"}));
  EXPECT_EQ(use(b, 0, "curand").fix,
            "`python -m pip install \"nvidia-curand~=10.0\"` (onnxruntime-gpu 1.31.1's "
            "requirement for it, extra `cuda`)");
  EXPECT_EQ(use(b, 0, "curand").linked_by, ort.linked_by);
  EXPECT_TRUE(b.frameworks[0].libraries_fix.empty());  // some of its libraries are usable
}

// A CUDA 12 build whose cuDNN/NCCL files are the CUDA 13 wheels' copies (torch cu13 installed
// last) can use none of its libraries; installing its own set would take those files from
// torch.
TEST(LibraryUses, LibrariesFixNamesWhoseFilesItWouldTake) {
  BuildFacts b;
  FrameworkBuild tf = build("tensorflow", "2.21.0", "12.5.1", "9", "2");
  tf.cuda_install = "tensorflow[and-cuda]==2.21.0";
  b.frameworks = {tf, build("torch", "2.15.0", "13.2", "9.26.0.51", "2.30.7")};
  b.cuda_libraries = {
      lib("cudnn", "9.26.0.51", k_site + "/nvidia/cudnn/lib/libcudnn.so.9", "wheel",
          "nvidia-cudnn-cu13"),
      lib("nccl", "2.30.7", k_site + "/nvidia/nccl/lib/libnccl.so.2", "wheel", "nvidia-nccl-cu13")};
  resolve_library_uses(b);
  EXPECT_EQ(b.frameworks[0].libraries_fix,
            "install the build with its CUDA libraries, as one set: `python -m pip install "
            "\"tensorflow[and-cuda]==2.21.0\"`; but its CUDA 12 wheels would overwrite the "
            "cuDNN/NCCL files that torch 2.15.0 (CUDA 13) load from " +
                k_site + "/nvidia/cudnn/lib and " + k_site +
                "/nvidia/nccl/lib: give tensorflow 2.21.0 an environment of its own, or move "
                "those frameworks to CUDA 12 builds first");
  EXPECT_TRUE(b.frameworks[1].libraries_fix.empty());  // torch's cuDNN and NCCL are usable
}

// tensorflow[and-cuda] installed after torch cu13: nvidia-cusparse-cu12 (nvidia/cusparse/lib)
// and CUDA 13's nvidia-cusparse (nvidia/cu13/lib) both install libcusparse.so.12; torch loads
// its own major's copy.
TEST(LibraryUses, OwnCudaMajorsCopyOfASharedSoname) {
  BuildFacts b;
  FrameworkBuild torch = build("torch", "2.15.0", "13.2", "9.26.0.51");
  torch.linked = {"libcusparse.so.12", "libcudart.so.13"};
  torch.linked_by = k_site + "/torch/lib/libtorch_cuda.so";
  b.frameworks = {torch};
  b.cuda_libraries = {
      lib("cusparse", "12.5.10.65", k_site + "/nvidia/cusparse/lib/libcusparse.so.12", "wheel",
          "nvidia-cusparse-cu12"),
      lib("cusparse", "12.7.10.12", k_site + "/nvidia/cu13/lib/libcusparse.so.12", "wheel",
          "nvidia-cusparse")};
  resolve_library_uses(b);
  const LibraryUse& u = use(b, 0, "cusparse");
  EXPECT_EQ(u.version.value, "12.7.10.12");
  EXPECT_EQ(u.cuda_major.value, "13");
  EXPECT_EQ(u.cuda_major.source, "its folder " + k_site + "/nvidia/cu13/lib");
  EXPECT_TRUE(u.fix.empty());
  // Without the CUDA 13 copy, the CUDA 12 one is wrong, and the fix names CUDA 13's wheel.
  b.cuda_libraries.pop_back();
  resolve_library_uses(b);
  EXPECT_EQ(use(b, 0, "cusparse").cuda_major.value, "12");
  EXPECT_EQ(use(b, 0, "cusparse").fix,
            "`python -m pip uninstall -y nvidia-cusparse-cu12 && python -m pip install "
            "--force-reinstall --no-deps 'nvidia-cusparse'`");
}

// tensorflow[and-cuda] installed after torch cu13: one cuDNN file, two CUDA majors. The fix
// moves the CUDA 13 framework and names its CUDA 12 build when the caller knows one.
TEST(LibraryUses, TwoMajorsOnOneFileMoveToTheOlder) {
  BuildFacts b;
  FrameworkBuild tf = build("tensorflow", "2.21.0", "12.5.1", "9");
  tf.cuda_pins = {};
  facts::CudaPin pin;
  pin.package = "nvidia-cudnn-cu12";
  pin.library = "cudnn";
  pin.specifier = "<10.0,>=9.3.0.75";
  tf.cuda_pins = {pin};
  b.frameworks = {tf, build("torch", "2.15.0", "13.2", "9.26.0.51")};
  const std::string file = k_site + "/nvidia/cudnn/lib/libcudnn.so.9";
  b.cuda_libraries = {lib("cudnn", "9.28.0.42", file, "wheel", "nvidia-cudnn-cu12")};
  std::vector<std::string> asked;
  resolve_library_uses(b, [&](const FrameworkBuild& f, const std::string& major) {
    asked.push_back(f.name + " " + major);
    return std::string("torch==2.13.* (cu126, https://download.pytorch.org/whl/cu126)");
  });
  EXPECT_EQ(asked, std::vector<std::string>{"torch 12"});
  EXPECT_EQ(use(b, 1, "cudnn").fix,
            "one copy of " + file + " cannot serve both CUDA 12 (tensorflow 2.21.0) and CUDA 13 "
            "(torch 2.15.0): move torch 2.15.0 (the newest in mlstack's knowledge base: "
            "torch==2.13.* (cu126, https://download.pytorch.org/whl/cu126)) to a CUDA 12 build, "
            "then reinstall the CUDA 12 copy last: `python -m pip install --force-reinstall "
            "--no-deps 'nvidia-cudnn-cu12<10.0,>=9.3.0.75'`; or keep them in separate "
            "environments");
  EXPECT_TRUE(use(b, 0, "cudnn").fix.empty());  // TensorFlow's copy is its own major's
}

TEST(LibraryTable, WheelDistNames) {
  EXPECT_EQ(wheel_dist_name(*find_library("cudnn"), "13"), "nvidia-cudnn-cu13");
  EXPECT_EQ(wheel_dist_name(*find_library("nccl"), "12"), "nvidia-nccl-cu12");
  EXPECT_EQ(wheel_dist_name(*find_library("cusparselt"), "13"), "nvidia-cusparselt-cu13");
  EXPECT_EQ(wheel_dist_name(*find_library("cudart"), "13"), "nvidia-cuda-runtime");
  EXPECT_EQ(wheel_dist_name(*find_library("curand"), "13"), "nvidia-curand");
  EXPECT_EQ(wheel_dist_name(*find_library("cudart"), "12"), "nvidia-cuda-runtime-cu12");
  EXPECT_EQ(wheel_dist_name(*find_library("cublas"), "11"), "nvidia-cublas-cu11");
}

}  // namespace
}  // namespace mlstack::cudalibs
