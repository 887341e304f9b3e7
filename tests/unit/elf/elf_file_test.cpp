// SPDX-License-Identifier: MIT
#include "mlstack/elf/elf_file.hpp"

#include "mlstack/elf/gpu_code.hpp"
#include "temp_tree.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

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

// A file system with one file, `/member.so`: a region of a bigger file, starting at an offset
// that is not page-aligned, with other bytes after it (as a member of an uncompressed layer
// inside an image archive).
class RegionFileSystem final : public io::FileSystem {
 public:
  RegionFileSystem(std::string file, std::uint64_t offset, std::uint64_t size)
      : m_file(std::move(file)), m_offset(offset), m_size(size) {}
  io::IoStatus list_dir(const std::string&, io::Follow, std::vector<io::DirEntry>&) const override {
    return io::IoStatus::from_errno(ENOTSUP);
  }
  io::IoStatus read_file(const std::string&, std::size_t, std::string&) const override {
    return io::IoStatus::from_errno(ENOTSUP);
  }
  io::IoStatus stat(const std::string&, io::Follow, io::FileStat&) const override {
    return io::IoStatus::from_errno(ENOTSUP);
  }
  io::IoStatus realpath(const std::string&, std::string&) const override {
    return io::IoStatus::from_errno(ENOTSUP);
  }
  io::IoStatus open_region(const std::string& path, io::FileRegion& out) const override {
    if (path != "/member.so") {
      return io::IoStatus::from_errno(ENOENT);
    }
    io::FileRegion whole;
    if (const io::IoStatus s = io::real_file_system().open_region(m_file, whole); !s.ok()) {
      return s;
    }
    out = io::FileRegion(whole.release(), m_offset, m_size);
    return {};
  }

 private:
  std::string m_file;
  std::uint64_t m_offset;
  std::uint64_t m_size;
};

TEST(ElfFile, OpensARegionOfALargerFile) {
  std::string so;
  ASSERT_TRUE(io::real_file_system().read_file(k_dir + "sass_ptx.so", 64U << 20U, so).ok());
  TempTree t;
  const std::string before(1000, 'x');
  t.write("archive.tar", before + so + std::string(5000, 'y'));
  const RegionFileSystem fs(t / "archive.tar", before.size(), so.size());
  auto f = ElfFile::open(fs, "/member.so");
  ASSERT_TRUE(f) << render(f.error());
  auto whole = ElfFile::open(k_dir + "sass_ptx.so");
  ASSERT_TRUE(whole);
  EXPECT_EQ(f->dynamic()->needed, whole->dynamic()->needed);
  ASSERT_TRUE(f->section(".nv_fatbin"));
  EXPECT_EQ(f->section(".nv_fatbin")->bytes.size(), whole->section(".nv_fatbin")->bytes.size());
  auto code = read_gpu_code("/member.so", fs);
  auto expected = read_gpu_code(k_dir + "sass_ptx.so");
  ASSERT_TRUE(code) << render(code.error());
  ASSERT_TRUE(expected);
  EXPECT_EQ(code->index.sass, expected->index.sass);
  EXPECT_EQ(code->index.ptx, expected->index.ptx);
  EXPECT_FALSE(code->index.sass.empty());
  // pread stops at the member's end, not at the archive's.
  std::array<std::byte, 16> bytes{};
  EXPECT_TRUE(f->read_at(so.size() - bytes.size(), bytes));
  EXPECT_FALSE(f->read_at(so.size() - 8, bytes));
  EXPECT_EQ(to_string(ElfFile::open(fs, "/other.so").error()),
            "cannot read `/other.so`: no such file or directory");
}

TEST(ElfFile, FromMemory) {
  EXPECT_EQ(to_string(ElfFile::from_memory("xx", "blob").error()),
            "cannot read `blob`: not an ELF file");
}

}  // namespace
}  // namespace mlstack::elf
