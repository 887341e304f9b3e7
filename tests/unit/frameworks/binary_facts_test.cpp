// SPDX-License-Identifier: MIT
#include "mlstack/frameworks/binary_facts.hpp"
#include "mlstack/frameworks/mapped_gpu_code.hpp"

#include "temp_tree.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace mlstack::frameworks {
namespace {

using pyenv::testing::TempTree;

/// Answers from a table; a missing entry is an unreadable file.
class FakeBinaries final : public BinaryReader {
 public:
  std::map<std::string, facts::GpuCode> code;
  std::map<std::string, std::vector<EmbeddedLibrary>> embedded;
  std::map<std::string, JaxBuildVersions> jax;
  std::map<std::string, std::vector<std::string>> needs;

  Result<facts::GpuCode> gpu_code(const std::string& path) const override {
    auto it = code.find(path);
    if (it == code.end()) {
      return unexpected(make_error(ErrorCode::invalid_data,
                                   "cannot read `" + path + "`: not an ELF file"));
    }
    return it->second;
  }
  Result<std::vector<EmbeddedLibrary>> embedded_libraries(const std::string& path) const override {
    auto it = embedded.find(path);
    return it == embedded.end() ? std::vector<EmbeddedLibrary>{} : it->second;
  }
  Result<JaxBuildVersions> jax_build_versions(const std::string& path) const override {
    auto it = jax.find(path);
    if (it == jax.end()) {
      return unexpected(make_error(ErrorCode::unsupported, "stripped"));
    }
    return it->second;
  }
  Result<std::vector<std::string>> needed(const std::string& path) const override {
    auto it = needs.find(path);
    return it == needs.end() ? std::vector<std::string>{} : it->second;
  }
};

facts::GpuCode code(std::vector<std::string> sass, std::vector<std::string> ptx) {
  facts::GpuCode c;
  c.sass_entries = sass.size();
  c.ptx_entries = ptx.size();
  c.sass = std::move(sass);
  c.ptx = std::move(ptx);
  return c;
}

TEST(TensorflowArchs, ComputeMeansSassAndPtx) {
  EXPECT_EQ(tensorflow_archs({"sm_60", "sm_70", "sm_80", "sm_89", "compute_90"}),
            (std::vector<std::string>{"sm_60", "sm_70", "sm_80", "sm_89", "sm_90", "compute_90"}));
  EXPECT_EQ(tensorflow_archs({"sm_35", "sm_50", "compute_80"}),
            (std::vector<std::string>{"sm_35", "sm_50", "sm_80", "compute_80"}));
  EXPECT_EQ(tensorflow_archs({}), std::vector<std::string>{});
}

TEST(BinaryFacts, TheFirstBinaryWithDeviceCodeGivesTheArchs) {
  TempTree t;
  t.write("site/tensorflow/libtensorflow_cc.so.2", "x");
  t.write("site/tensorflow/libtensorflow_framework.so.2", "x");
  FakeBinaries bin;
  bin.code[t / "site/tensorflow/libtensorflow_cc.so.2"] = code({"sm_80", "sm_90"}, {"compute_90"});
  bin.code[t / "site/tensorflow/libtensorflow_framework.so.2"] = code({}, {});
  io::RealFileSystem fs;
  std::vector<std::string> problems;
  facts::FrameworkBuild b;
  b.archs = {"sm_60"};  // from build_info.py: replaced
  const std::array<std::string_view, 3> candidates = {
      "tensorflow/python/_pywrap_tensorflow_internal.so", "tensorflow/libtensorflow_cc.so.2",
      "tensorflow/libtensorflow_framework.so.2"};
  const std::string main =
      add_gpu_code(BinaryContext{fs, bin, problems}, t / "site", candidates, b);
  EXPECT_EQ(main, t / "site/tensorflow/libtensorflow_cc.so.2");
  EXPECT_EQ(b.archs, (std::vector<std::string>{"sm_80", "sm_90", "compute_90"}));
  EXPECT_EQ(b.archs_source, main + " (fatbin: 2 cubins, 1 PTX)");
  EXPECT_EQ(b.gpu_code.size(), 2U);
  EXPECT_TRUE(problems.empty());
}

TEST(BinaryFacts, AnUnreadableBinaryIsAProblem) {
  TempTree t;
  t.write("site/torch/lib/libtorch_cuda.so", "");
  FakeBinaries bin;
  io::RealFileSystem fs;
  std::vector<std::string> problems;
  facts::FrameworkBuild b;
  const std::array<std::string_view, 1> candidates = {"torch/lib/libtorch_cuda.so"};
  EXPECT_EQ(add_gpu_code(BinaryContext{fs, bin, problems}, t / "site", candidates, b), "");
  EXPECT_TRUE(b.archs.empty());
  EXPECT_EQ(problems, (std::vector<std::string>{
                          "cannot read `" + t / "site/torch/lib/libtorch_cuda.so" +
                          "`: not an ELF file"}));
  EXPECT_EQ(b.problems, problems);
}

TEST(BinaryFacts, JaxBuildVersionsReplaceMajorsOnlyWhenTheyAgree) {
  TempTree t;
  t.write("v.so", "x");
  FakeBinaries bin;
  bin.jax[t / "v.so"] = {"13.0", "9.12.0", "constants"};
  io::RealFileSystem fs;
  std::vector<std::string> problems;
  facts::FrameworkBuild b;
  b.cuda = {"13", "name"};
  b.cudnn = {"9", "pin, major only"};
  add_jax_build_versions(BinaryContext{fs, bin, problems}, t / "v.so", b);
  EXPECT_EQ(b.cuda.value, "13.0");
  EXPECT_EQ(b.cudnn.value, "9.12.0");
  EXPECT_TRUE(problems.empty());

  b.cuda = {"12", "name"};
  add_jax_build_versions(BinaryContext{fs, bin, problems}, t / "v.so", b);
  EXPECT_EQ(b.cuda.value, "12");
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].find("says CUDA 13.0 but name says 12"), std::string::npos);

  facts::FrameworkBuild stripped;
  add_jax_build_versions(BinaryContext{fs, bin, problems}, t / "missing.so", stripped);
  EXPECT_EQ(stripped.evidence.back(), t / "missing.so" + ": missing");
}

TEST(BinaryFacts, StaticLibrariesFillUnknownVersions) {
  FakeBinaries bin;
  bin.embedded["/s/libtorch_cuda.so"] = {{"nccl", "2.10.3", "10.2", "`NCCL version 2.10.3+cuda10.2`"}};
  io::RealFileSystem fs;
  std::vector<std::string> problems;
  facts::FrameworkBuild b;
  b.evidence = {"NCCL: unknown: no pin"};
  add_static_libraries(BinaryContext{fs, bin, problems}, "/s/libtorch_cuda.so", "torch", b);
  EXPECT_EQ(b.nccl.value, "2.10.3");
  ASSERT_EQ(b.static_libraries.size(), 1U);
  EXPECT_EQ(b.static_libraries[0].path, "/s/libtorch_cuda.so");
  EXPECT_EQ(b.static_libraries[0].package, "torch");
  EXPECT_EQ(b.evidence, (std::vector<std::string>{
                            "/s/libtorch_cuda.so: nccl 2.10.3 linked statically "
                            "(`NCCL version 2.10.3+cuda10.2`)"}));
}

// A library the binary loads (DT_NEEDED) is not linked in, whatever strings it carries.
TEST(BinaryFacts, StaticLibrariesSkipWhatTheBinaryLinks) {
  FakeBinaries bin;
  bin.embedded["/s/libtorch_cuda.so"] = {
      {"nccl", "2.27.3", "12.9", "`NCCL version 2.27.3+cuda12.9` in .rodata"}};
  io::RealFileSystem fs;
  std::vector<std::string> problems;
  facts::FrameworkBuild b;
  b.linked = {"libnccl.so.2", "libc.so.6"};
  add_static_libraries(BinaryContext{fs, bin, problems}, "/s/libtorch_cuda.so", "torch", b);
  EXPECT_TRUE(b.static_libraries.empty());
  EXPECT_TRUE(b.nccl.value.empty());
}

// onnxruntime-gpu 1.18.1 ships no build_and_package_info.py; its CUDA provider NEEDs
// libcudart.so.11.0 and libcudnn.so.8 (PyPI wheel, readelf -d).
TEST(BinaryFacts, NeededLibrariesGiveTheMajors) {
  FakeBinaries bin;
  bin.needs["/p.so"] = {"libcublasLt.so.11", "libcudnn.so.8", "libcudart.so.11.0", "libc.so.6"};
  io::RealFileSystem fs;
  std::vector<std::string> problems;
  facts::FrameworkBuild b;
  add_linked_libraries(BinaryContext{fs, bin, problems}, "/p.so", b);
  EXPECT_EQ(b.linked, bin.needs["/p.so"]);
  EXPECT_EQ(b.linked_by, "/p.so");
  EXPECT_EQ(b.cuda.value, "11");
  EXPECT_EQ(b.cuda.source, "/p.so (DT_NEEDED `libcudart.so.11.0`, major only)");
  EXPECT_EQ(b.cudnn.value, "8");
  facts::FrameworkBuild known;
  known.cuda = {"12.2", "build_and_package_info.py"};
  known.cudnn = {"9", "pin"};
  add_linked_libraries(BinaryContext{fs, bin, problems}, "/p.so", known);
  EXPECT_EQ(known.cuda.value, "12.2");
}

TEST(AddMappedGpuCode, ReadsEachTrackedFileOnceAndKeepsThoseWithDeviceCode) {
  FakeBinaries bins;
  facts::GpuCode cudnn;
  cudnn.sass = {"sm_80", "sm_90"};
  cudnn.sass_entries = 2;
  bins.code["/venv/nvidia/cudnn/lib/libcudnn_engines_precompiled.so.9"] = cudnn;
  bins.code["/venv/nvidia/cudnn/lib/libcudnn.so.9"] = facts::GpuCode{};
  facts::LoaderFacts loader;
  facts::LoadScenario s;
  facts::MappedLibrary shim;
  shim.library = "cudnn";
  shim.path = "/venv/nvidia/cudnn/lib/libcudnn.so.9";
  facts::MappedLibrary engines = shim;
  engines.library = "cudnn_engines_precompiled";
  engines.real_path = "/venv/nvidia/cudnn/lib/libcudnn_engines_precompiled.so.9";
  facts::MappedLibrary untracked;
  untracked.path = "/venv/torch/lib/libc10.so";  // not read: not a tracked library
  facts::MappedLibrary broken = shim;
  broken.path = "/usr/lib/libcublas.so.12";
  broken.library = "cublas";
  s.libraries = {shim, engines, untracked, broken, engines};
  loader.scenarios = {s, s};
  add_mapped_gpu_code(bins, loader);
  ASSERT_EQ(loader.gpu_code.size(), 1u);
  EXPECT_EQ(loader.gpu_code[0].path, engines.real_path);
  EXPECT_EQ(loader.gpu_code[0].sass, cudnn.sass);
  EXPECT_EQ(loader.problems,
            std::vector<std::string>{"cannot read `/usr/lib/libcublas.so.12`: not an ELF file"});
}

}  // namespace
}  // namespace mlstack::frameworks
