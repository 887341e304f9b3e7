// SPDX-License-Identifier: MIT
#include "mlstack/elf/elf_file.hpp"

#include "mlstack/elf/gpu_code.hpp"
#include "temp_tree.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mlstack::elf {
namespace {

using pyenv::testing::TempTree;

const std::string k_dir = std::string(MLSTACK_TEST_DATA_DIR) + "/elf/";

TEST(ElfFile, ReadsSectionsAndTheDynamicSection) {
  auto f = ElfFile::open(k_dir + "sass_ptx.so");
  ASSERT_TRUE(f) << render(f.error());
  EXPECT_TRUE(f->section(".nv_fatbin"));
  EXPECT_FALSE(f->section(".no-such-section"));
  auto d = f->dynamic();
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->needed.empty());  // libc, libstdc++
  EXPECT_TRUE(d->soname.empty());
  // A relocatable object has no dynamic section.
  auto o = ElfFile::open(k_dir + "relocatable.o");
  ASSERT_TRUE(o);
  EXPECT_EQ(to_string(o->dynamic().error()),
            "cannot read `" + k_dir + "relocatable.o`: no dynamic section");
}

TEST(ElfFile, ErrorsNameThePath) {
  TempTree t;
  t.write("text.so", "not an ELF file at all");
  t.write("empty.so", "");
  t.mkdir("dir.so");
  t.mkfifo("fifo.so");
  struct Case {
    std::string path;
    std::string expected;
  };
  const std::vector<Case> k_cases = {
      {t / "missing.so", "cannot read `" + t / "missing.so" + "`: no such file or directory"},
      {t / "text.so", "cannot read `" + t / "text.so" + "`: not an ELF file"},
      {t / "empty.so", "cannot read `" + t / "empty.so" + "`: not an ELF file"},
      {t / "dir.so", "cannot read `" + t / "dir.so" + "`: not a regular file"},
      {t / "fifo.so", "cannot read `" + t / "fifo.so" + "`: not a regular file"},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.path);
    auto f = ElfFile::open(c.path);
    ASSERT_FALSE(f);
    EXPECT_EQ(to_string(f.error()), c.expected);
    auto code = read_gpu_code(c.path);
    ASSERT_FALSE(code);
    EXPECT_EQ(to_string(code.error()), c.expected);
  }
}

TEST(ElfFile, MovesOwnership) {
  auto f = ElfFile::open(k_dir + "sass_ptx.so");
  ASSERT_TRUE(f);
  ElfFile moved = std::move(*f);
  EXPECT_TRUE(moved.section(".nv_fatbin"));
  ElfFile other = std::move(ElfFile::open(k_dir + "family.so").value());
  other = std::move(moved);
  EXPECT_EQ(other.path(), k_dir + "sass_ptx.so");
}

TEST(ElfFile, FromMemory) {
  EXPECT_EQ(to_string(ElfFile::from_memory("xx", "blob").error()),
            "cannot read `blob`: not an ELF file");
}

}  // namespace
}  // namespace mlstack::elf
