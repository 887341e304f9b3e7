// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/cuda_libraries.hpp"

#include "fixture_inventory.hpp"
#include "temp_tree.hpp"
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace mlstack::cudalibs {
namespace {

using pyenv::testing::TempTree;

std::string fake_elf() {
  std::ifstream in(MLSTACK_FAKE_CUDNN, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void add_dist(const TempTree& t, const std::string& site, const std::string& name,
              const std::string& version) {
  std::string dir = name;
  for (auto& c : dir) {
    c = c == '-' ? '_' : c;
  }
  t.write(site + "/" + dir + "-" + version + ".dist-info/METADATA",
          "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n\n");
}

const facts::CudaLibrary* find(const CudaLibraryScan& scan, std::string_view name,
                               std::string_view origin) {
  for (const auto& lib : scan.libraries) {
    if (lib.name == name && lib.origin == origin) {
      return &lib;
    }
  }
  return nullptr;
}

class CudaLibrariesTree : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto elf = fake_elf();
    ASSERT_FALSE(elf.empty());
    // Wheels: a cu12-layout cuDNN and the CUDA 13 single-folder layout.
    t.write("site/nvidia/cudnn/lib/libcudnn.so.9", elf);
    add_dist(t, "site", "nvidia-cudnn-cu12", "9.1.0.70");
    t.write("site/nvidia/cu13/lib/libcudart.so.13", "");
    t.write("site/nvidia/cu13/lib/libcublas.so.13", "");
    t.write("site/nvidia/cu13/lib/libcublasLt.so.13", "");
    add_dist(t, "site", "nvidia-cuda-runtime", "13.0.96");
    add_dist(t, "site", "nvidia-cublas", "13.1.0.3");
    // A toolkit with headers and version.json.
    t.write("root/usr/local/cuda-12.4/lib64/libcudart.so.12.4.127", "");
    t.symlink("libcudart.so.12.4.127", "root/usr/local/cuda-12.4/lib64/libcudart.so.12");
    t.write("root/usr/local/cuda-12.4/lib64/libcudnn.so.9", elf);
    t.write("root/usr/local/cuda-12.4/include/cuda_runtime_api.h",
            "#define CUDART_VERSION 12040\n");
    t.write("root/usr/local/cuda-12.4/include/cudnn_version.h",
            "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 19\n#define CUDNN_PATCHLEVEL 0\n");
    t.write("root/usr/local/cuda-12.4/include/nccl.h",
            "#define NCCL_MAJOR 3\n#define NCCL_MINOR 0\n#define NCCL_PATCH 0\n");
    t.write("root/usr/local/cuda-12.4/lib64/libnccl.so.2", "");
    t.write("root/usr/local/cuda-12.4/version.json",
            R"({"cuda": {"version": "12.4.1"}, "cuda_cudart": {"version": "12.4.127"}})");
    t.symlink("cuda-12.4", "root/usr/local/cuda");
    // No ld.so.cache: ld.so.conf with an include names /opt/nccl/lib.
    t.write("root/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n");
    t.write("root/etc/ld.so.conf.d/nccl.conf", "/opt/nccl/lib\n");
    t.write("root/opt/nccl/lib/libnccl.so.2.21.5", "");
    t.write("root/opt/nccl/include/nccl.h",
            "#define NCCL_MAJOR 2\n#define NCCL_MINOR 21\n#define NCCL_PATCH 5\n");
  }

  CudaLibraryScan run() {
    const auto inventory = testing::fixture_inventory(t / "site");
    CudaLibOptions options;
    options.root = t / "root";
    return find_cuda_libraries(inventory, fs, options);
  }

  TempTree t;
  io::RealFileSystem fs;
};

TEST_F(CudaLibrariesTree, ReadsWheelVersionsFromDistributions) {
  const auto scan = run();
  const auto* cudnn = find(scan, "cudnn", "wheel");
  ASSERT_NE(cudnn, nullptr);
  EXPECT_EQ(cudnn->version, "9.1.0.70");
  EXPECT_EQ(cudnn->version_source, "nvidia_cudnn_cu12-9.1.0.70.dist-info");
  EXPECT_EQ(cudnn->package, "nvidia-cudnn-cu12");
  EXPECT_EQ(cudnn->soname, "libcudnn.so.9");
  EXPECT_EQ(cudnn->found_via, "wheel-layout");
  const auto* cudart = find(scan, "cudart", "wheel");
  ASSERT_NE(cudart, nullptr);
  EXPECT_EQ(cudart->version, "13.0.96");
  EXPECT_EQ(cudart->path, t / "site/nvidia/cu13/lib/libcudart.so.13");
  const auto* lt = find(scan, "cublaslt", "wheel");
  ASSERT_NE(lt, nullptr);
  EXPECT_EQ(lt->package, "nvidia-cublas");
  EXPECT_EQ(lt->version, "13.1.0.3");
}

TEST_F(CudaLibrariesTree, ReadsToolkitHeadersFileNamesAndSonames) {
  const auto scan = run();
  const auto* cudart = find(scan, "cudart", "system");
  ASSERT_NE(cudart, nullptr);
  EXPECT_EQ(cudart->version, "12.4.127");
  EXPECT_EQ(cudart->found_via, "cuda-root");
  EXPECT_EQ(cudart->path, t / "root/usr/local/cuda/lib64/libcudart.so.12.4.127");
  ASSERT_EQ(cudart->versions.size(), 3U);  // version.json, file name, header
  EXPECT_EQ(cudart->versions[2].value, "12.4");
  EXPECT_EQ(cudart->versions[2].source, t / "root/usr/local/cuda/include/cuda_runtime_api.h");
  const auto* cudnn = find(scan, "cudnn", "system");
  ASSERT_NE(cudnn, nullptr);
  EXPECT_EQ(cudnn->version, "9.19.0");
  EXPECT_EQ(cudnn->soname, "libcudnn.so.9");
  ASSERT_EQ(cudnn->versions.size(), 3U);  // header, DT_SONAME, file name
  EXPECT_EQ(cudnn->versions[1].source,
            t / "root/usr/local/cuda/lib64/libcudnn.so.9" + " (DT_SONAME `libcudnn.so.9`)");
}

TEST_F(CudaLibrariesTree, RejectsHeadersOfAnotherMajor) {
  const auto scan = run();
  std::vector<const facts::CudaLibrary*> nccl;
  for (const auto& lib : scan.libraries) {
    if (lib.name == "nccl") {
      nccl.push_back(&lib);
    }
  }
  ASSERT_EQ(nccl.size(), 2U);
  EXPECT_EQ(nccl[0]->version, "2");  // toolkit's nccl.h says 3.0.0: not this file's
  EXPECT_EQ(nccl[0]->version_source,
            t / "root/usr/local/cuda/lib64/libnccl.so.2" + " (file name, major only)");
  EXPECT_EQ(nccl[1]->version, "2.21.5");  // from ld.so.conf.d, header beside it agrees
  EXPECT_EQ(nccl[1]->found_via, "ld.so.conf");
  ASSERT_EQ(scan.problems.size(), 1U);
  EXPECT_NE(scan.problems[0].find("says 3.0.0, which is not the file's major version 2"),
            std::string::npos);
}

TEST_F(CudaLibrariesTree, SkipsTheSystemWhenAsked) {
  const auto inventory = testing::fixture_inventory(t / "site");
  CudaLibOptions options;
  options.root = t / "root";
  options.system = SystemSearch::disabled;
  const auto scan = find_cuda_libraries(inventory, fs, options);
  for (const auto& lib : scan.libraries) {
    EXPECT_EQ(lib.origin, "wheel") << lib.path;
  }
  EXPECT_EQ(scan.libraries.size(), 4U);
}

// cu12 and cu13 cuDNN wheels both install nvidia/cudnn/lib/libcudnn.so.9; the one installed
// last wins on disk. The file belongs to the wheel whose RECORD size matches it.
TEST(CudaLibrariesShared, AttributesAnOverwrittenFileToTheCopyOnDisk) {
  TempTree t;
  const std::string copy13(133336 % 1000, 'x');  // sizes differ like the real wheels'
  t.write("site/nvidia/cudnn/lib/libcudnn.so.9", copy13);
  add_dist(t, "site", "nvidia-cudnn-cu12", "9.28.0.42");
  add_dist(t, "site", "nvidia-cudnn-cu13", "9.26.0.51");
  auto inventory = testing::fixture_inventory(t / "site");
  ASSERT_EQ(inventory.dists.size(), 2U);
  const std::string lib = t / "site/nvidia/cudnn/lib/libcudnn.so.9";
  inventory.dists[0].record_libraries = {{lib, 137432 % 1000}};
  inventory.dists[1].record_libraries = {{lib, copy13.size()}};
  io::RealFileSystem fs;
  CudaLibOptions options;
  options.system = SystemSearch::disabled;
  auto scan = find_cuda_libraries(inventory, fs, options);
  const auto* cudnn = find(scan, "cudnn", "wheel");
  ASSERT_NE(cudnn, nullptr);
  EXPECT_EQ(cudnn->package, "nvidia-cudnn-cu13");
  EXPECT_EQ(cudnn->version, "9.26.0.51");
  // cu13's RECORD matches the file: cu12's copy was overwritten, nothing is wrong. (The file
  // is not an ELF, which is its own problem.)
  for (const auto& p : scan.problems) {
    EXPECT_EQ(p.find("RECORD"), std::string::npos) << p;
  }
  // Sizes unknown or equal: the first wheel keeps it, as before.
  inventory.dists[1].record_libraries = {{lib, std::nullopt}};
  inventory.dists[0].record_libraries = {{lib, std::nullopt}};
  scan = find_cuda_libraries(inventory, fs, options);
  cudnn = find(scan, "cudnn", "wheel");
  ASSERT_NE(cudnn, nullptr);
  EXPECT_EQ(cudnn->package, "nvidia-cudnn-cu12");
}

// A library no RECORD matches (changed or damaged after install) and one that is not an ELF
// file are problem lines naming the file, not silent drops.
TEST(CudaLibrariesShared, NamesFilesNoRecordMatchesAndDamagedLibraries) {
  TempTree t;
  t.write("site/nvidia/cudnn/lib/libcudnn.so.9", std::string(3007, 'x'));
  t.write("site/nvidia/cudnn/lib/libcudnn.so.9.1.0", std::string(10, 'x'));
  add_dist(t, "site", "nvidia-cudnn-cu12", "9.1.0.70");
  t.write("site/nvidia/nccl/lib/libnccl.so.2", "\x7f" "ELF garbage");
  add_dist(t, "site", "nvidia-nccl-cu12", "2.21.5");
  auto inventory = testing::fixture_inventory(t / "site");
  ASSERT_EQ(inventory.dists.size(), 2U);
  const std::string cudnn = t / "site/nvidia/cudnn/lib/libcudnn.so.9";
  const std::string ops = t / "site/nvidia/cudnn/lib/libcudnn.so.9.1.0";
  const std::string nccl = t / "site/nvidia/nccl/lib/libnccl.so.2";
  inventory.dists[0].record_libraries = {{cudnn, 0}, {ops, 0}};
  inventory.dists[1].record_libraries = {{nccl, std::nullopt}};
  io::RealFileSystem fs;
  CudaLibOptions options;
  options.system = SystemSearch::disabled;
  const auto scan = find_cuda_libraries(inventory, fs, options);
  EXPECT_EQ(find(scan, "cudnn", "wheel"), nullptr);
  ASSERT_NE(find(scan, "nccl", "wheel"), nullptr);
  ASSERT_EQ(scan.problems.size(), 2U);
  EXPECT_EQ(scan.problems[0], "cannot read `" + nccl + "`: not an ELF file; the loader cannot load it");
  EXPECT_EQ(scan.problems[1],
            "`" + cudnn + "` is 3007 bytes, not the 0 bytes the RECORD of nvidia-cudnn-cu12 "
            "says (and 1 more of its files), and no other distribution's RECORD matches it: it "
            "was changed or damaged after install, so it is left out of the CUDA libraries");
}

TEST(CudaLibrariesFixture, ReadsTheCuda13WheelLayout) {
  io::RealFileSystem fs;
  const std::string site =
      std::string(MLSTACK_TEST_DATA_DIR) + "/envs/cuda13-current/site-packages";
  const auto inventory = testing::fixture_inventory(site);
  CudaLibOptions options;
  options.system = SystemSearch::disabled;
  const auto scan = find_cuda_libraries(inventory, fs, options);
  std::map<std::string, std::string> versions;
  for (const auto& lib : scan.libraries) {
    versions[lib.name] = lib.version;
  }
  EXPECT_EQ(versions["cudnn"], "9.26.0.51");
  EXPECT_EQ(versions["nccl"], "2.30.7");
  EXPECT_EQ(versions["cusparselt"], "0.8.1");
  EXPECT_FALSE(versions["cudart"].empty());
  EXPECT_TRUE(versions["cudart"].starts_with("13.")) << versions["cudart"];
}

TEST(CudaLibrariesMachine, FindsThisMachinesToolkitWhenPresent) {
  io::RealFileSystem fs;
  if (!fs.exists("/usr/local/cuda/lib64")) {
    GTEST_SKIP() << "no CUDA toolkit in /usr/local/cuda";
  }
  const auto scan = find_cuda_libraries({}, fs, {});
  EXPECT_FALSE(scan.libraries.empty());
  for (const auto& lib : scan.libraries) {
    EXPECT_FALSE(lib.version.empty()) << lib.path;
    EXPECT_FALSE(lib.version_source.empty()) << lib.path;
  }
}

}  // namespace
}  // namespace mlstack::cudalibs
