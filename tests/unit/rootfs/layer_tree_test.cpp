// SPDX-License-Identifier: MIT
#include "mlstack/rootfs/layer_tree.hpp"

#include <gtest/gtest.h>

namespace mlstack::rootfs {
namespace {

using io::FileKind;
using io::Follow;
using Kind = io::IoStatus::Kind;

std::vector<std::string> parts(std::string_view p) {
  std::vector<std::string> out;
  EXPECT_TRUE(normalize_member_path(p, out)) << p;
  return out;
}

class Tree {
 public:
  void add(std::uint32_t layer, std::string_view path, FileKind kind = FileKind::regular,
           std::string_view link = "", std::uint64_t size = 1) {
    ASSERT_TRUE(tree.add(layer, parts(path), kind, size, 0, 0644, link, nullptr,
                         DataRef{DataRef::Where::range, 0, size * 100}));
  }
  Result<void> hard(std::uint32_t layer, std::string_view path, std::string_view target) {
    const std::vector<std::string> t = parts(target);
    return tree.add(layer, parts(path), FileKind::regular, 0, 0, 0644, "", &t, DataRef{});
  }
  [[nodiscard]] std::string listing() const {
    std::string out;
    tree.walk([&out](const std::string& path, const Node& n) {
      out += path;
      out += n.kind == FileKind::directory ? "/" : n.kind == FileKind::symlink ? "@" : "";
      out += "\n";
    });
    return out;
  }
  [[nodiscard]] std::string resolve(std::string_view path, Follow follow = Follow::yes) const {
    const Lookup l = tree.lookup(path, follow);
    if (!l.status.ok()) {
      return std::string("error:") + io::describe(l.status);
    }
    return tree.path_of(l.node);
  }
  LayerTree tree;
};

TEST(NormalizeMemberPath, InsideTheRoot) {
  std::vector<std::string> out;
  ASSERT_TRUE(normalize_member_path("./usr//lib/./x", out));
  EXPECT_EQ(out, (std::vector<std::string>{"usr", "lib", "x"}));
  ASSERT_TRUE(normalize_member_path("/etc/passwd", out));  // absolute: inside the root
  EXPECT_EQ(out, (std::vector<std::string>{"etc", "passwd"}));
  ASSERT_TRUE(normalize_member_path("a/b/../c", out));
  EXPECT_EQ(out, (std::vector<std::string>{"a", "c"}));
  ASSERT_TRUE(normalize_member_path("./", out));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(normalize_member_path("../etc/passwd", out));
  EXPECT_FALSE(normalize_member_path("a/../../b", out));
  EXPECT_FALSE(normalize_member_path("/../x", out));
}

TEST(LayerTree, WhiteoutHidesLowerLayersOnly) {
  Tree t;
  t.add(1, "etc/", FileKind::directory);
  t.add(1, "etc/a");
  t.add(1, "etc/b");
  t.add(1, "usr/lib/x");
  t.add(2, "etc/.wh.a");
  t.add(2, "usr/.wh.lib");
  t.add(2, "usr/lib/y");  // the same layer puts a new folder back
  EXPECT_EQ(t.listing(), "/etc/\n/etc/b\n/usr/\n/usr/lib/\n/usr/lib/y\n");
}

TEST(LayerTree, WhiteoutBeforeOrAfterTheSameLayersMemberGivesTheSame) {
  Tree before;
  before.add(1, "d/f");
  before.add(2, "d/.wh.f");
  before.add(2, "d/f");
  Tree after;
  after.add(1, "d/f");
  after.add(2, "d/f");
  after.add(2, "d/.wh.f");
  EXPECT_EQ(before.listing(), "/d/\n/d/f\n");
  EXPECT_EQ(after.listing(), before.listing());
}

TEST(LayerTree, OpaqueDirectoryHidesEverythingBelowFromLowerLayers) {
  Tree t;
  t.add(1, "opt/app/old");
  t.add(1, "opt/app/sub/deep");
  t.add(1, "opt/keep");
  t.add(2, "opt/app/new");  // before the marker, in the same layer: kept
  t.add(2, "opt/app/sub/", FileKind::directory);
  t.add(2, "opt/app/.wh..wh..opq");
  t.add(2, "opt/app/later");
  EXPECT_EQ(t.listing(), "/opt/\n/opt/app/\n/opt/app/later\n/opt/app/new\n/opt/app/sub/\n/opt/keep\n");
}

TEST(LayerTree, LaterMembersReplaceEarlierOnes) {
  Tree t;
  t.add(1, "a/x");
  t.add(1, "b");
  t.add(1, "b", FileKind::symlink, "a");  // same layer, same path: the last wins
  t.add(2, "a", FileKind::regular);       // a file over a folder
  t.add(2, "c/d");
  t.add(3, "c", FileKind::directory);     // a folder over a folder: merged
  EXPECT_EQ(t.listing(), "/a\n/b@\n/c/\n/c/d\n");
}

TEST(LayerTree, HardLinksShareDataAndInode) {
  Tree t;
  t.add(1, "usr/bin/python3.11", FileKind::regular, "", 7);
  ASSERT_TRUE(t.hard(2, "usr/bin/python3", "usr/bin/python3.11"));
  const Node& a = t.tree.node(t.tree.lookup("/usr/bin/python3.11", Follow::yes).node);
  const Node& b = t.tree.node(t.tree.lookup("/usr/bin/python3", Follow::yes).node);
  EXPECT_EQ(a.inode, b.inode);
  EXPECT_EQ(b.size, 7U);
  EXPECT_EQ(b.data.offset, a.data.offset);
  auto missing = t.hard(2, "x", "not/there");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "it is a hard link to a member that is not in this or a lower layer");
  auto to_dir = t.hard(2, "y", "usr/bin");
  ASSERT_FALSE(to_dir);
  EXPECT_EQ(to_dir.error().message, "it is a hard link to a directory");
}

TEST(LayerTree, SymlinksResolveInsideTheImage) {
  Tree t;
  t.add(1, "usr/lib/x86_64-linux-gnu/libc.so.6");
  t.add(1, "lib", FileKind::symlink, "usr/lib");
  t.add(1, "etc/alternatives/python", FileKind::symlink, "/usr/bin/python3");
  t.add(1, "usr/bin/python3", FileKind::symlink, "python3.11");
  t.add(1, "usr/bin/python3.11");
  t.add(1, "escape", FileKind::symlink, "../../../../../usr/lib");
  t.add(1, "abs", FileKind::symlink, "/etc/passwd");
  t.add(1, "loop1", FileKind::symlink, "loop2");
  t.add(1, "loop2", FileKind::symlink, "/loop1");
  t.add(1, "self", FileKind::symlink, "self/x");
  EXPECT_EQ(t.resolve("/lib/x86_64-linux-gnu/libc.so.6"), "/usr/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(t.resolve("/etc/alternatives/python"), "/usr/bin/python3.11");
  EXPECT_EQ(t.resolve("/etc/alternatives/python", Follow::no), "/etc/alternatives/python");
  EXPECT_EQ(t.resolve("/escape"), "/usr/lib");  // `..` stops at the root
  EXPECT_EQ(t.resolve("/../../usr/./lib/"), "/usr/lib");
  EXPECT_EQ(t.resolve("usr/lib"), "/usr/lib");  // relative: from the root
  EXPECT_EQ(t.resolve("/abs"), "error:no such file or directory");  // not the host's
  EXPECT_EQ(t.resolve("/loop1"), "error:too many levels of symbolic links");
  EXPECT_EQ(t.resolve("/self"), "error:too many levels of symbolic links");
  EXPECT_EQ(t.resolve("/usr/bin/python3.11/x"), "error:not a directory");
}

TEST(LayerTree, FortyLinksResolveAndFortyOneDoNot) {
  for (const int n : {40, 41}) {
    Tree t;
    t.add(1, "target");
    for (int i = 0; i < n; ++i) {
      t.add(1, "l" + std::to_string(i), FileKind::symlink,
            i + 1 == n ? "target" : "l" + std::to_string(i + 1));
    }
    EXPECT_EQ(t.resolve("/l0"), n == 40 ? "/target" : "error:too many levels of symbolic links");
  }
}

}  // namespace
}  // namespace mlstack::rootfs
