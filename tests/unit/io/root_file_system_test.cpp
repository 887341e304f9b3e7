// SPDX-License-Identifier: MIT
#include "mlstack/io/root_file_system.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "temp_tree.hpp"

namespace mlstack::io {
namespace {

using pyenv::testing::TempTree;

// A root with the links a container image has: an absolute one inside the root, a relative
// one, one that climbs out with `..`, one to the host's /etc, a loop, a dangling one.
class RootFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_tree.write("usr/lib/python3.11/os.py", "inside");
    m_tree.write("etc/passwd", "root-of-the-image");
    m_tree.write("etc/os-release", "ID=debian\n");
    m_tree.symlink("/usr/lib", "lib");                       // absolute: re-rooted
    m_tree.symlink("python3.11", "usr/lib/python3");         // relative
    m_tree.symlink("../../../../../../etc/passwd", "usr/up");  // climbs past the root
    m_tree.symlink("/etc/passwd", "usr/abs");                // the image's, not the host's
    m_tree.symlink("loop-b", "loop-a");
    m_tree.symlink("loop-a", "loop-b");
    m_tree.symlink("/missing", "dangling");
  }

  TempTree m_tree;
  RootFileSystem m_fs{m_tree.path()};
};

TEST_F(RootFileSystemTest, ReadsThroughLinksInsideTheRoot) {
  std::string text;
  ASSERT_TRUE(m_fs.read_file("/lib/python3/os.py", 1024, text).ok());
  EXPECT_EQ(text, "inside");
  ASSERT_TRUE(m_fs.read_file("/usr/up", 1024, text).ok());
  EXPECT_EQ(text, "root-of-the-image");
  ASSERT_TRUE(m_fs.read_file("/usr/abs", 1024, text).ok());
  EXPECT_EQ(text, "root-of-the-image");
  ASSERT_TRUE(m_fs.read_file("/../../etc/passwd", 1024, text).ok());
  EXPECT_EQ(text, "root-of-the-image");
  ASSERT_TRUE(m_fs.read_file("etc/os-release", 1024, text).ok());  // relative: from the root
  EXPECT_EQ(text, "ID=debian\n");
}

TEST_F(RootFileSystemTest, RealpathAnswersInTheRootsTerms) {
  std::string real;
  ASSERT_TRUE(m_fs.realpath("/lib/python3/os.py", real).ok());
  EXPECT_EQ(real, "/usr/lib/python3.11/os.py");
  ASSERT_TRUE(m_fs.realpath("/", real).ok());
  EXPECT_EQ(real, "/");
  EXPECT_EQ(m_fs.realpath("/dangling", real).kind, IoStatus::Kind::not_found);
}

TEST_F(RootFileSystemTest, LoopsMissingAndNotFolders) {
  FileStat st;
  EXPECT_EQ(m_fs.stat("/loop-a", Follow::yes, st).kind, IoStatus::Kind::loop);
  ASSERT_TRUE(m_fs.stat("/loop-a", Follow::no, st).ok());
  EXPECT_EQ(st.kind, FileKind::symlink);
  EXPECT_EQ(m_fs.stat("/dangling", Follow::yes, st).kind, IoStatus::Kind::not_found);
  EXPECT_EQ(m_fs.stat("/nope/x", Follow::yes, st).kind, IoStatus::Kind::not_found);
  EXPECT_EQ(m_fs.stat("/etc/passwd/x", Follow::yes, st).kind, IoStatus::Kind::not_directory);
}

TEST_F(RootFileSystemTest, ListingFollowsLinksInsideTheRoot) {
  std::vector<DirEntry> entries;
  ASSERT_TRUE(m_fs.list_dir("/usr", Follow::yes, entries).ok());
  const auto kind = [&entries](const std::string& name) {
    const auto it = std::find_if(entries.begin(), entries.end(),
                                 [&name](const DirEntry& e) { return e.name == name; });
    return it == entries.end() ? FileKind::unknown : it->kind;
  };
  EXPECT_EQ(kind("abs"), FileKind::regular);
  EXPECT_EQ(kind("up"), FileKind::regular);
  EXPECT_EQ(kind("lib"), FileKind::directory);
  entries.clear();
  ASSERT_TRUE(m_fs.list_dir("/", Follow::yes, entries).ok());
  EXPECT_EQ(kind("dangling"), FileKind::dangling);
  EXPECT_EQ(kind("loop-a"), FileKind::dangling);
  EXPECT_EQ(kind("lib"), FileKind::directory);
}

TEST_F(RootFileSystemTest, RegionsOfFilesInsideTheRoot) {
  FileRegion region;
  ASSERT_TRUE(m_fs.open_region("/usr/abs", region).ok());
  EXPECT_GE(region.fd(), 0);
  EXPECT_EQ(region.offset(), 0U);
  EXPECT_EQ(region.size(), std::string("root-of-the-image").size());
  EXPECT_EQ(m_fs.open_region("/usr", region).kind, IoStatus::Kind::not_regular);
}

}  // namespace
}  // namespace mlstack::io
