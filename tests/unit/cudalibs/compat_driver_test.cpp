// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/compat_driver.hpp"

#include "temp_tree.hpp"
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mlstack::cudalibs {
namespace {

using pyenv::testing::TempTree;

std::vector<std::string> found(const std::vector<facts::CudaLibrary>& libs) {
  std::vector<std::string> out;
  for (const auto& l : libs) {
    out.push_back(l.version + " " + l.found_via);
  }
  return out;
}

TEST(CompatDriver, FindsInstalledAndActiveCopies) {
  TempTree t;
  t.write("root/usr/local/cuda-13.0/compat/libcuda.so.580.65.06", "x");
  t.symlink("libcuda.so.580.65.06", "root/usr/local/cuda-13.0/compat/libcuda.so.1");
  t.write("root/usr/local/cuda-12.8/compat/libcuda.so.570.124.06", "x");
  t.write("root/usr/local/cuda-12.8/lib64/libcudart.so.12", "x");
  io::RealFileSystem fs;
  CudaLibOptions o;
  o.root = t / "root";
  o.ld_so_cache = "/etc/ld.so.cache";  // absent under the root
  std::vector<std::string> problems;
  EXPECT_EQ(found(find_compat_libcuda(fs, o, problems)),
            (std::vector<std::string>{"570.124.06 cuda-root", "580.65.06 cuda-root"}));
  // On LD_LIBRARY_PATH it is ahead of the driver's own libcuda, and reported first.
  o.ld_library_path = "/nowhere:" + t / "root/usr/local/cuda-13.0/compat";
  EXPECT_EQ(found(find_compat_libcuda(fs, o, problems)),
            (std::vector<std::string>{"580.65.06 LD_LIBRARY_PATH", "570.124.06 cuda-root"}));
  EXPECT_TRUE(problems.empty());
  o.system = SystemSearch::disabled;
  EXPECT_TRUE(find_compat_libcuda(fs, o, problems).empty());
}

TEST(CompatDriver, IgnoresTheDriversOwnLibcuda) {
  TempTree t;
  // A driver's libcuda on LD_LIBRARY_PATH is not a compat package (no `compat` folder).
  t.write("lib/libcuda.so.580.159.04", "x");
  io::RealFileSystem fs;
  CudaLibOptions o;
  o.root = t / "none";
  o.ld_library_path = t / "lib";
  std::vector<std::string> problems;
  EXPECT_TRUE(find_compat_libcuda(fs, o, problems).empty());
}

}  // namespace
}  // namespace mlstack::cudalibs
