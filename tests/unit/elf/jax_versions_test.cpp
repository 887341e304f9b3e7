// SPDX-License-Identifier: MIT
#include "mlstack/elf/jax_versions.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mlstack::elf {
namespace {

std::optional<std::uint32_t> immediate(std::vector<unsigned char> code) {
  std::vector<std::byte> b;
  for (unsigned char c : code) {
    b.push_back(static_cast<std::byte>(c));
  }
  return immediate_return(b);
}

TEST(JaxVersions, DecodesTheLoadedConstant) {
  // jax_cuda13_plugin 0.12.0.1 `$_0`: push %rbp; mov %rsp,%rbp; mov $0x32c8,%edi; call ...
  EXPECT_EQ(immediate({0x55, 0x48, 0x89, 0xe5, 0xbf, 0xc8, 0x32, 0x00, 0x00, 0xe8, 1, 2, 3, 4}),
            13000U);
  EXPECT_EQ(immediate({0xb8, 0x40, 0x64, 0x01, 0x00, 0xc3}), 91200U);  // mov $..,%eax; ret
  EXPECT_EQ(immediate({0x55, 0x48, 0x89, 0xe5, 0xc3}), std::nullopt);
  EXPECT_EQ(immediate({0xbf, 0x01}), std::nullopt);  // truncated
}

TEST(JaxVersions, FormatsCudaAndCudnnConstants) {
  EXPECT_EQ(cuda_version_text(13000), "13.0");
  EXPECT_EQ(cuda_version_text(12030), "12.3");
  EXPECT_EQ(cudnn_version_text(91200), "9.12.0");
  EXPECT_EQ(cudnn_version_text(90101), "9.1.1");
  EXPECT_EQ(cudnn_version_text(8907), "8.9.7");
}

// The fixture stands in for jax_cuda13_plugin 0.12.0.1's _versions.so
// (tools/make_fatbin_stub.py --jax-versions 13000 91200: the same symbols and code shape).
TEST(JaxVersions, ReadsThePluginsBuildVersions) {
  const std::string dir = std::string(MLSTACK_TEST_DATA_DIR) + "/envs/cuda13-current/site-packages/";
  auto v = read_jax_build_versions(dir + "jax_cuda13_plugin/_versions.so");
  ASSERT_TRUE(v) << render(v.error());
  EXPECT_EQ(v->cuda, "13.0");
  EXPECT_EQ(v->cudnn, "9.12.0");
  auto stripped = read_jax_build_versions(std::string(MLSTACK_TEST_DATA_DIR) + "/elf/sass_ptx.so");
  ASSERT_FALSE(stripped);
  EXPECT_NE(to_string(stripped.error()).find("no `_versions` lambda symbols"), std::string::npos);
}

}  // namespace
}  // namespace mlstack::elf
