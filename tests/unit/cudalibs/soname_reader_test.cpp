// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/soname_reader.hpp"

#include "temp_tree.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace mlstack::cudalibs {
namespace {

using pyenv::testing::TempTree;

/// The real reader, counting the files it opens.
class CountingSonames final : public SonameReader {
 public:
  mutable int calls = 0;
  Result<std::string> soname(const std::string& path) const override {
    ++calls;
    return ElfSonameReader().soname(path);
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(CachedSonameReader, AnswersAndErrorsFromTheCacheWhileFilesAreUnchanged) {
  TempTree tree;
  tree.write("libcudnn.so.9", slurp(MLSTACK_FAKE_CUDNN));
  tree.write("libcublas.so.12", "INPUT(libcublas.so.12.4)\n");  // not an ELF file
  tree.age("libcudnn.so.9");
  tree.age("libcublas.so.12");
  const io::RealFileSystem fs;
  CountingSonames inner;
  const std::string elf = tree / "libcudnn.so.9";
  const std::string text = tree / "libcublas.so.12";
  const auto expected_elf = ElfSonameReader().soname(elf);
  const auto expected_text = ElfSonameReader().soname(text);
  ASSERT_TRUE(expected_elf);
  EXPECT_EQ(*expected_elf, "libcudnn.so.9");
  ASSERT_FALSE(expected_text);
  for (int run = 0; run < 2; ++run) {
    io::FileFactsCache cache(tree / "cache/files.bin", "w");
    const CachedSonameReader cached(inner, fs, cache);
    inner.calls = 0;
    const auto a = cached.soname(elf);
    const auto b = cached.soname(text);
    ASSERT_TRUE(a);
    EXPECT_EQ(*a, *expected_elf);
    ASSERT_FALSE(b);
    EXPECT_EQ(render(b.error()), render(expected_text.error()));
    EXPECT_EQ(b.error().code, expected_text.error().code);
    EXPECT_EQ(inner.calls, run == 0 ? 2 : 0) << "run " << run;
    ASSERT_TRUE(cache.save());
  }
  // Replaced by the ELF file: the answer follows.
  tree.write("libcublas.so.12", slurp(MLSTACK_FAKE_CUDNN));
  tree.age("libcublas.so.12");
  io::FileFactsCache cache(tree / "cache/files.bin", "w");
  const CachedSonameReader cached(inner, fs, cache);
  inner.calls = 0;
  const auto now = cached.soname(text);
  ASSERT_TRUE(now);
  EXPECT_EQ(*now, "libcudnn.so.9");
  EXPECT_EQ(inner.calls, 1);
}

}  // namespace
}  // namespace mlstack::cudalibs
