// SPDX-License-Identifier: MIT
#include "mlstack/elf/embedded_versions.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mlstack::elf {
namespace {

std::vector<std::string> found(std::string_view text) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(text.data()),  // NOLINT
                                         text.size());
  std::vector<std::string> out;
  for (const EmbeddedVersion& v : find_embedded_versions(bytes)) {
    out.push_back(v.library + " " + v.version + (v.cuda.empty() ? "" : " cuda " + v.cuda) +
                  " | " + v.evidence);
  }
  return out;
}

TEST(EmbeddedVersions, ReadsNcclAndCudnnBuildStrings) {
  // As in torch 1.12.1's libtorch_cuda.so (.rodata, PyPI cu102 wheel).
  using namespace std::string_literals;
  const std::string rodata = "\0Unknown NCCL version\0$tI, NCCL version \0NCCL version "
                             "2.10.3+cuda10.2\0xx\0cudnn_version_7_6_5_32_c27521968_m0_e0\0"s;
  EXPECT_EQ(found(rodata),
            (std::vector<std::string>{
                "nccl 2.10.3 cuda 10.2 | `NCCL version 2.10.3+cuda10.2` in .rodata",
                "cudnn 7.6.5 | `cudnn_version_7_6_5_32_c27521968_m0_e0` in .rodata"}));
}

TEST(EmbeddedVersions, IgnoresFormatsAndShortVersions) {
  for (std::string_view text : {"NCCL version %d.%d.%d", "NCCL version 2", "NCCL version 2.10",
                                "cudnn_version_", "cudnn_version_8_", "cudnn_version_x_1_2",
                                "NCCL version "}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(found(text).empty());
  }
  // torch 2.15's libtorch_cuda.so: a message before the banner (helper report, 2026-12-06).
  using namespace std::string_literals;
  EXPECT_EQ(found("NCCL version 2.27.0 or later. Found version: \0NCCL version 2.30.7+cuda13.0"s),
            (std::vector<std::string>{
                "nccl 2.30.7 cuda 13.0 | `NCCL version 2.30.7+cuda13.0` in .rodata"}));
  EXPECT_TRUE(found("NCCL version 2.28.9").empty());
  // TensorFlow 2.9.1's _pywrap_tensorflow_internal.so: the CUDA is a macro name.
  EXPECT_EQ(found("NCCL version 2.8.3+cudaCUDA_MAJOR.CUDA_MINOR"),
            (std::vector<std::string>{
                "nccl 2.8.3 | `NCCL version 2.8.3+cudaCUDA_MAJOR.CUDA_MINOR` in .rodata"}));
  EXPECT_EQ(found("cudnn_version_8_9_2"),
            (std::vector<std::string>{"cudnn 8.9.2 | `cudnn_version_8_9_2` in .rodata"}));
}

}  // namespace
}  // namespace mlstack::elf
