// SPDX-License-Identifier: MIT
#include "mlstack/io/file_facts_cache.hpp"

#include "temp_tree.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace mlstack::io {
namespace {

using pyenv::testing::TempTree;

FileStat stat_of(const std::string& path) {
  const RealFileSystem fs;
  FileStat st;
  EXPECT_TRUE(fs.stat(path, Follow::yes, st).ok()) << path;
  return st;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A cache file with one entry for `tree/lib.so` (aged, so it may be stored).
struct Stored {
  TempTree tree;
  std::string lib = tree / "lib.so";
  std::string cache = tree / "cache/files-x.bin";

  Stored() {
    tree.write("lib.so", "an ELF file");
    tree.age("lib.so");
    FileFactsCache c(cache, "writer 1");
    c.store("elf.soname/1", lib, stat_of(lib), "libx.so.1");
    EXPECT_TRUE(c.save());
  }
};

TEST(Blob, RoundTripsIntegersStringsAndErrors) {
  BlobWriter w;
  Error e = make_parse_error("expected version", ">=;", 2);
  e.context.push_back("METADATA:3");
  w.u64(0).u64(127).u64(128).u64(std::numeric_limits<std::uint64_t>::max()).str("").str("sm_90a");
  w.error(e);
  const std::string blob = w.take();
  BlobReader r(blob);
  EXPECT_EQ(r.u64(), 0U);
  EXPECT_EQ(r.u64(), 127U);
  EXPECT_EQ(r.u64(), 128U);
  EXPECT_EQ(r.u64(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(r.str(), "");
  EXPECT_EQ(r.str(), "sm_90a");
  const Error back = r.error();
  EXPECT_TRUE(r.done());
  EXPECT_EQ(render(back), render(e));
  EXPECT_EQ(back.context, e.context);
}

TEST(Blob, ReadsPastTheEndFailOnce) {
  BlobWriter w;
  w.str("torch/lib/libtorch_cuda.so");
  const std::string blob = w.take();
  for (std::size_t cut = 0; cut < blob.size(); ++cut) {
    BlobReader r(std::string_view(blob).substr(0, cut));
    [[maybe_unused]] const std::string_view s = r.str();
    EXPECT_FALSE(r.ok()) << cut;
    EXPECT_EQ(r.u64(), 0U);
  }
  BlobWriter big;
  big.u64(1'000'000'000);  // a count no blob of this size can hold
  const std::string counted = big.take();
  BlobReader r(counted);
  EXPECT_EQ(r.count(1), 0U);
  EXPECT_FALSE(r.ok());
}

TEST(Blob, ErrorSpansOutsideTheirInputAreDamage) {
  BlobWriter w;
  // code, message, no context, a span of 2^40 carets over a 3-byte input
  w.u64(0).str("expected version").u64(0).u64(1).str(">=;").u64(2).u64(std::uint64_t{1} << 40U);
  const std::string blob = w.take();
  BlobReader r(blob);
  const Error e = r.error();
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(e.span);
}

TEST(FileFactsCache, HitAfterReopenWithoutRewriting) {
  Stored s;
  const FileStat written = stat_of(s.cache);
  FileFactsCache c(s.cache, "writer 1");
  EXPECT_EQ(c.find("elf.soname/1", s.lib, stat_of(s.lib)), "libx.so.1");
  EXPECT_EQ(c.find("elf.needed/1", s.lib, stat_of(s.lib)), std::nullopt);  // another kind
  EXPECT_EQ(c.counts().hits, 1U);
  EXPECT_EQ(c.counts().misses, 1U);
  // Every entry used and none stored: the file is left as it is (same inode).
  EXPECT_TRUE(c.save());
  EXPECT_EQ(stat_of(s.cache).inode, written.inode);
}

TEST(FileFactsCache, MissWhenTheFileChanges) {
  {
    Stored s;  // another size
    s.tree.write("lib.so", "a longer ELF file");
    s.tree.age("lib.so");
    FileFactsCache c(s.cache, "writer 1");
    EXPECT_EQ(c.find("elf.soname/1", s.lib, stat_of(s.lib)), std::nullopt);
  }
  {
    Stored s;  // the same size, another mtime
    s.tree.write("lib.so", "an ELF filf");
    s.tree.age("lib.so", 7200);
    FileFactsCache c(s.cache, "writer 1");
    EXPECT_EQ(c.find("elf.soname/1", s.lib, stat_of(s.lib)), std::nullopt);
  }
  {
    Stored s;  // replaced by another file (another inode), mtime set back to the same
    const FileStat before = stat_of(s.lib);
    s.tree.write("other.so", "an ELF file");
    ASSERT_EQ(::rename((s.tree / "other.so").c_str(), s.lib.c_str()), 0);
    FileStat after = stat_of(s.lib);
    after.mtime_ns = before.mtime_ns;
    FileFactsCache c(s.cache, "writer 1");
    EXPECT_EQ(c.find("elf.soname/1", s.lib, after), std::nullopt);
  }
}

TEST(FileFactsCache, StaleEntryIsReplaced) {
  Stored s;
  s.tree.write("lib.so", "a new ELF file, longer");
  s.tree.age("lib.so");
  {
    FileFactsCache c(s.cache, "writer 1");
    ASSERT_EQ(c.find("elf.soname/1", s.lib, stat_of(s.lib)), std::nullopt);
    c.store("elf.soname/1", s.lib, stat_of(s.lib), "libx.so.2");
    EXPECT_EQ(c.find("elf.soname/1", s.lib, stat_of(s.lib)), "libx.so.2");
    EXPECT_TRUE(c.save());
  }
  const FileFactsCache c(s.cache, "writer 1");
  EXPECT_EQ(c.find("elf.soname/1", s.lib, stat_of(s.lib)), "libx.so.2");
}

TEST(FileFactsCache, RecentlyModifiedFilesAreNotStored) {
  TempTree tree;
  tree.write("fresh.so", "just written");
  const std::string path = tree / "fresh.so";
  const std::string cache = tree / "files.bin";
  {
    FileFactsCache c(cache, "w");
    EXPECT_FALSE(c.storable(stat_of(path)));
    c.store("elf.soname/1", path, stat_of(path), "x");
    EXPECT_EQ(c.counts().stored, 0U);
    EXPECT_TRUE(c.save());
  }
  const FileFactsCache c(cache, "w");
  EXPECT_EQ(c.find("elf.soname/1", path, stat_of(path)), std::nullopt);
}

TEST(FileFactsCache, OnlyRegularFilesAreStored) {
  TempTree tree;
  tree.mkdir("dir");
  tree.age("dir");
  FileFactsCache c(tree / "files.bin", "w");
  EXPECT_FALSE(c.storable(stat_of(tree / "dir")));
}

TEST(FileFactsCache, AnotherWritersFileIsIgnored) {
  Stored s;
  FileFactsCache c(s.cache, "writer 2");
  EXPECT_EQ(c.find("elf.soname/1", s.lib, stat_of(s.lib)), std::nullopt);
  // ... and replaced by this writer's.
  c.store("elf.soname/1", s.lib, stat_of(s.lib), "liby.so.1");
  EXPECT_TRUE(c.save());
  EXPECT_EQ(FileFactsCache(s.cache, "writer 2").find("elf.soname/1", s.lib, stat_of(s.lib)),
            "liby.so.1");
  EXPECT_EQ(FileFactsCache(s.cache, "writer 1").find("elf.soname/1", s.lib, stat_of(s.lib)),
            std::nullopt);
}

TEST(FileFactsCache, CorruptFilesAreEmptyCaches) {
  Stored s;
  const std::string good = slurp(s.cache);
  ASSERT_GT(good.size(), 30U);
  std::vector<std::string> bad = {
      "",
      "garbage",
      good.substr(0, good.size() - 1),  // truncated
      good.substr(0, good.size() / 2),
      good + "x",  // trailing bytes
  };
  for (std::size_t i = 0; i < good.size(); i += 7) {
    std::string flipped = good;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x20);  // one byte damaged anywhere
    bad.push_back(flipped);
  }
  for (const std::string& bytes : bad) {
    spit(s.cache, bytes);
    FileFactsCache c(s.cache, "writer 1");
    EXPECT_EQ(c.find("elf.soname/1", s.lib, stat_of(s.lib)), std::nullopt) << bytes.size();
    // The next save writes a good file again.
    c.store("elf.soname/1", s.lib, stat_of(s.lib), "libx.so.1");
    EXPECT_TRUE(c.save());
    EXPECT_EQ(slurp(s.cache), good);
  }
}

TEST(FileFactsCache, UnwritableFolderOnlyCostsSpeed) {
  Stored s;
  // A cache path below a regular file cannot be created, whoever runs the test.
  s.tree.write("not-a-dir", "");
  FileFactsCache c(s.tree / "not-a-dir/mlstack/files.bin", "writer 1");
  EXPECT_TRUE(c.enabled());
  EXPECT_EQ(c.find("elf.soname/1", s.lib, stat_of(s.lib)), std::nullopt);
  c.store("elf.soname/1", s.lib, stat_of(s.lib), "libx.so.1");
  EXPECT_EQ(c.find("elf.soname/1", s.lib, stat_of(s.lib)), "libx.so.1");  // this run still
  EXPECT_FALSE(c.save());
}

TEST(FileFactsCache, ReadOnlyFolderOnlyCostsSpeed) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root writes into read-only folders";
  }
  Stored s;
  ASSERT_EQ(::chmod((s.tree / "cache").c_str(), 0500), 0);
  FileFactsCache c(s.cache, "writer 1");
  EXPECT_EQ(c.find("elf.soname/1", s.lib, stat_of(s.lib)), "libx.so.1");  // still read
  c.store("elf.needed/1", s.lib, stat_of(s.lib), "");
  EXPECT_FALSE(c.save());
}

TEST(FileFactsCache, EntriesNotAskedForAreDropped) {
  Stored s;
  s.tree.write("other.so", "x");
  s.tree.age("other.so");
  const std::string other = s.tree / "other.so";
  {
    FileFactsCache c(s.cache, "writer 1");
    ASSERT_TRUE(c.find("elf.soname/1", s.lib, stat_of(s.lib)));
    c.store("elf.soname/1", other, stat_of(other), "libo.so.1");
    EXPECT_TRUE(c.save());
  }
  {
    FileFactsCache c(s.cache, "writer 1");  // asks for `other` only
    EXPECT_EQ(c.find("elf.soname/1", other, stat_of(other)), "libo.so.1");
    EXPECT_TRUE(c.save());
  }
  const FileFactsCache c(s.cache, "writer 1");
  EXPECT_EQ(c.find("elf.soname/1", s.lib, stat_of(s.lib)), std::nullopt);
  EXPECT_EQ(c.find("elf.soname/1", other, stat_of(other)), "libo.so.1");
}

TEST(FileFactsCache, NamedEntriesCarryTheirOwnValidators) {
  TempTree tree;
  const std::string cache = tree / "files.bin";
  {
    FileFactsCache c(cache, "w");
    EXPECT_EQ(c.find_entry("pyenv.file_clashes/1", ""), std::nullopt);
    c.store_entry("pyenv.file_clashes/1", "", "signature and pairs");
    EXPECT_TRUE(c.save());
  }
  const FileFactsCache c(cache, "w");
  EXPECT_EQ(c.find_entry("pyenv.file_clashes/1", ""), "signature and pairs");
}

TEST(FileFactsCache, DisabledCacheDoesNothing) {
  TempTree tree;
  tree.write("lib.so", "x");
  tree.age("lib.so");
  FileFactsCache c;
  EXPECT_FALSE(c.enabled());
  c.store("elf.soname/1", tree / "lib.so", stat_of(tree / "lib.so"), "x");
  EXPECT_EQ(c.find("elf.soname/1", tree / "lib.so", stat_of(tree / "lib.so")), std::nullopt);
  EXPECT_TRUE(c.save());
}

}  // namespace
}  // namespace mlstack::io
