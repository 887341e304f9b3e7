// SPDX-License-Identifier: MIT
#include "mlstack/linkmap/model_files.hpp"
#include "mlstack/linkmap/scenario.hpp"

#include <gtest/gtest.h>

namespace mlstack::linkmap {
namespace {

TEST(Fnmatch, MatchesAsPythonGlobDoes) {
  // torch/__init__.py's patterns.
  EXPECT_TRUE(fnmatch("libcublasLt.so.*[0-9]", "libcublasLt.so.13"));
  EXPECT_TRUE(fnmatch("libnvrtc-builtins.so.*[0-9]", "libnvrtc-builtins.so.13.2"));
  EXPECT_FALSE(fnmatch("libcublas.so.*[0-9]", "libcublasLt.so.13"));
  EXPECT_FALSE(fnmatch("libcudart.so.*[0-9]", "libcudart.so.13.bak"));
  EXPECT_FALSE(fnmatch("libcudart.so.*[0-9]", "libcudart.so."));
  EXPECT_TRUE(fnmatch("*.so", "x.so"));
  EXPECT_TRUE(fnmatch("a?c", "abc"));
  EXPECT_TRUE(fnmatch("[!x]b", "ab"));
  EXPECT_FALSE(fnmatch("[!a]b", "ab"));
  EXPECT_TRUE(fnmatch("[a-c]", "b"));
  EXPECT_TRUE(fnmatch("x[", "x["));  // an unclosed class is a literal `[`
  EXPECT_TRUE(fnmatch("", ""));
  EXPECT_FALSE(fnmatch("", "a"));
}

TEST(TrackedLibrary, NamesEveryTrackedLibrary) {
  EXPECT_EQ(tracked_library("libcudart.so.13"), "cudart");
  EXPECT_EQ(tracked_library("libcublasLt.so.13"), "cublaslt");
  EXPECT_EQ(tracked_library("libcublas.so.12"), "cublas");
  EXPECT_EQ(tracked_library("libcudnn.so.9"), "cudnn");
  EXPECT_EQ(tracked_library("libcudnn_ops.so.9"), "cudnn_ops");
  EXPECT_EQ(tracked_library("libcudnn_engines_precompiled.so.9"), "cudnn_engines_precompiled");
  EXPECT_EQ(tracked_library("libnccl.so.2"), "nccl");
  EXPECT_EQ(tracked_library("libnvJitLink.so.13"), "nvjitlink");
  EXPECT_EQ(tracked_library("libnvrtc.so.13"), "nvrtc");
  EXPECT_EQ(tracked_library("libnvrtc-builtins.so.13.2"), "nvrtc_builtins");
  EXPECT_EQ(tracked_library("libcufft.so.12"), "cufft");
  EXPECT_EQ(tracked_library("libcusparse.so.12"), "cusparse");
  EXPECT_EQ(tracked_library("libstdc++.so.6"), "libstdcxx");
  EXPECT_EQ(tracked_library("libstdc++.so.6.0.30"), "libstdcxx");
  EXPECT_EQ(tracked_library("libc.so.6"), "");
  EXPECT_EQ(tracked_library("libtorch_cuda.so"), "");
}

}  // namespace
}  // namespace mlstack::linkmap
