// SPDX-License-Identifier: MIT
#include "mlstack/io/file_system.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>
#include <sys/stat.h>
#include <unistd.h>

namespace mlstack::io {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::getenv("TMPDIR") != nullptr ? std::string(std::getenv("TMPDIR"))
                                                          : std::string("/tmp")) +
                        "/mlstack-io-XXXXXX";
    char* made = ::mkdtemp(templ.data());
    EXPECT_NE(made, nullptr);
    m_path = templ;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&&) = delete;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    const std::string cmd = "rm -rf '" + m_path + "'";
    [[maybe_unused]] const int rc = std::system(cmd.c_str());
  }
  [[nodiscard]] const std::string& path() const { return m_path; }
  [[nodiscard]] std::string operator/(std::string_view child) const {
    return m_path + "/" + std::string(child);
  }

 private:
  std::string m_path;
};

void write(const std::string& path, std::string_view content) {
  std::ofstream(path, std::ios::binary) << content;
}

// A file system whose only file is `text`, using FileSystem's default read_pieces.
class MemoryBackedDefault final : public FileSystem {
 public:
  explicit MemoryBackedDefault(std::string text) : m_text(std::move(text)) {}
  IoStatus list_dir(const std::string&, Follow, std::vector<DirEntry>&) const override {
    return IoStatus::from_errno(ENOENT);
  }
  IoStatus read_file(const std::string&, std::size_t, std::string& out) const override {
    out = m_text;
    return {};
  }
  IoStatus stat(const std::string&, Follow, FileStat&) const override {
    return IoStatus::from_errno(ENOENT);
  }
  IoStatus realpath(const std::string&, std::string&) const override {
    return IoStatus::from_errno(ENOENT);
  }

 private:
  std::string m_text;
};

TEST(RealFileSystemRead, ReadsWholeFile) {
  const TempDir dir;
  const std::string big(100000, 'x');
  write(dir / "a", "hello");
  write(dir / "big", big);
  write(dir / "empty", "");
  const RealFileSystem fs;
  std::string out;
  ASSERT_TRUE(fs.read_file(dir / "a", 100, out).ok());
  EXPECT_EQ(out, "hello");
  ASSERT_TRUE(fs.read_file(dir / "big", k_default_max_file_size, out).ok());
  EXPECT_EQ(out, big);
  ASSERT_TRUE(fs.read_file(dir / "empty", 100, out).ok());
  EXPECT_EQ(out, "");
}

TEST(RealFileSystemRead, ClassifiesFailures) {
  const TempDir dir;
  write(dir / "file", "0123456789");
  ASSERT_EQ(::mkdir((dir / "sub").c_str(), 0755), 0);
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0644), 0);
  ASSERT_EQ(::symlink("missing", (dir / "dangling").c_str()), 0);
  ASSERT_EQ(::symlink("loop", (dir / "loop").c_str()), 0);
  const RealFileSystem fs;
  std::string out;
  EXPECT_EQ(fs.read_file(dir / "nope", 100, out).kind, IoStatus::Kind::not_found);
  EXPECT_EQ(fs.read_file(dir / "sub", 100, out).kind, IoStatus::Kind::is_directory);
  EXPECT_EQ(fs.read_file(dir / "file/x", 100, out).kind, IoStatus::Kind::not_directory);
  EXPECT_EQ(fs.read_file(dir / "file", 5, out).kind, IoStatus::Kind::too_large);
  EXPECT_EQ(fs.read_file(dir / "fifo", 100, out).kind, IoStatus::Kind::not_regular);
  EXPECT_EQ(fs.read_file(dir / "dangling", 100, out).kind, IoStatus::Kind::not_found);
  EXPECT_EQ(fs.read_file(dir / "loop", 100, out).kind, IoStatus::Kind::loop);
}

// Reads `path` with read_pieces and checks the piece contract: all but the last end with
// the delimiter, and together they are the file.
IoStatus read_in_pieces(const FileSystem& fs, const std::string& path, std::size_t max,
                        std::string& whole, std::vector<std::string>& pieces) {
  whole.clear();
  pieces.clear();
  return fs.read_pieces(path, max, '\n', [&](std::string_view piece) {
    pieces.emplace_back(piece);
    whole.append(piece);
  });
}

TEST(RealFileSystemReadPieces, CutsOnlyAfterTheDelimiter) {
  const TempDir dir;
  // Lines of every length around the 64 KiB piece size, one longer than two pieces, and a
  // last line without a newline.
  std::string text;
  for (std::size_t n : {0UL, 1UL, 65535UL, 65536UL, 65537UL, 10UL, 200000UL, 3UL}) {
    text.append(n, 'a' + static_cast<char>(n % 26));
    text.push_back('\n');
  }
  text.append("tail without newline");
  write(dir / "f", text);
  write(dir / "empty", "");
  write(dir / "nl", "\n");
  const RealFileSystem fs;
  std::string whole;
  std::vector<std::string> pieces;
  ASSERT_TRUE(read_in_pieces(fs, dir / "f", k_default_max_file_size, whole, pieces).ok());
  EXPECT_EQ(whole, text);
  ASSERT_GE(pieces.size(), 3U);
  for (std::size_t i = 0; i + 1 < pieces.size(); ++i) {
    EXPECT_EQ(pieces[i].back(), '\n') << i;
  }
  EXPECT_EQ(pieces.back(), "tail without newline");
  ASSERT_TRUE(read_in_pieces(fs, dir / "empty", 100, whole, pieces).ok());
  EXPECT_TRUE(pieces.empty());
  ASSERT_TRUE(read_in_pieces(fs, dir / "nl", 100, whole, pieces).ok());
  EXPECT_EQ(pieces, std::vector<std::string>{"\n"});
  // The default implementation (one piece) agrees.
  const MemoryBackedDefault plain(text);
  ASSERT_TRUE(read_in_pieces(plain, "any", k_default_max_file_size, whole, pieces).ok());
  EXPECT_EQ(pieces, std::vector<std::string>{text});
}

TEST(RealFileSystemReadPieces, ClassifiesFailuresLikeReadFile) {
  const TempDir dir;
  write(dir / "file", "0123\n456789\n");
  ASSERT_EQ(::mkdir((dir / "sub").c_str(), 0755), 0);
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0644), 0);
  const RealFileSystem fs;
  std::string whole;
  std::vector<std::string> pieces;
  EXPECT_EQ(read_in_pieces(fs, dir / "nope", 100, whole, pieces).kind, IoStatus::Kind::not_found);
  EXPECT_EQ(read_in_pieces(fs, dir / "sub", 100, whole, pieces).kind,
            IoStatus::Kind::is_directory);
  EXPECT_EQ(read_in_pieces(fs, dir / "file", 5, whole, pieces).kind, IoStatus::Kind::too_large);
  EXPECT_EQ(read_in_pieces(fs, dir / "fifo", 100, whole, pieces).kind,
            IoStatus::Kind::not_regular);
  EXPECT_TRUE(read_in_pieces(fs, dir / "file", 12, whole, pieces).ok());
}

// A device that always has data (a RECORD or METADATA symlinked to /dev/zero) is refused at
// its first full read, not read up to the size cap and then called too large.
TEST(RealFileSystemRead, RefusesDevicesThatNeverEnd) {
  const RealFileSystem fs;
  for (const char* device : {"/dev/zero", "/dev/urandom", "/dev/null"}) {
    SCOPED_TRACE(device);
    if (::access(device, R_OK) != 0) {
      continue;
    }
    std::string out;
    EXPECT_EQ(fs.read_file(device, k_default_max_file_size, out).kind,
              IoStatus::Kind::not_regular);
    EXPECT_TRUE(out.empty());
    std::size_t consumed = 0;
    EXPECT_EQ(fs.read_pieces(device, k_default_max_file_size, '\n',
                             [&](std::string_view piece) { consumed += piece.size(); })
                  .kind,
              IoStatus::Kind::not_regular);
    EXPECT_LE(consumed, std::size_t{1} << 20U);
  }
}

TEST(RealFileSystemList, KeepsReaddirOrderAndResolvesLinks) {
  const TempDir dir;
  write(dir / "f", "x");
  ASSERT_EQ(::mkdir((dir / "d").c_str(), 0755), 0);
  ASSERT_EQ(::symlink("d", (dir / "link").c_str()), 0);
  ASSERT_EQ(::symlink("missing", (dir / "dangling").c_str()), 0);
  const RealFileSystem fs;
  std::vector<DirEntry> raw;
  ASSERT_TRUE(fs.list_dir(dir.path(), Follow::no, raw).ok());
  std::vector<DirEntry> resolved;
  ASSERT_TRUE(fs.list_dir(dir.path(), Follow::yes, resolved).ok());
  ASSERT_EQ(raw.size(), 4U);
  ASSERT_EQ(resolved.size(), 4U);
  auto kind_of = [](const std::vector<DirEntry>& v, std::string_view name) {
    const auto it =
        std::find_if(v.begin(), v.end(), [&](const DirEntry& e) { return e.name == name; });
    return it == v.end() ? FileKind::unknown : it->kind;
  };
  EXPECT_EQ(kind_of(raw, "link"), FileKind::symlink);
  EXPECT_EQ(kind_of(resolved, "link"), FileKind::directory);
  EXPECT_EQ(kind_of(resolved, "dangling"), FileKind::dangling);
  EXPECT_EQ(kind_of(resolved, "f"), FileKind::regular);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    EXPECT_EQ(raw[i].name, resolved[i].name);
  }
}

TEST(RealFileSystemList, NamesThePathInErrors) {
  const RealFileSystem fs;
  const auto r = list_directory(fs, "/nonexistent-mlstack-dir");
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()),
            "cannot list directory `/nonexistent-mlstack-dir`: no such file or directory");
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  const auto t = read_text(fs, "/nonexistent-mlstack-dir/x");
  ASSERT_FALSE(t);
  EXPECT_EQ(to_string(t.error()),
            "cannot read `/nonexistent-mlstack-dir/x`: no such file or directory");
}

TEST(RealFileSystemStat, ReportsKindSizeAndRealpath) {
  const TempDir dir;
  write(dir / "f", "abc");
  ASSERT_EQ(::symlink("f", (dir / "l").c_str()), 0);
  const RealFileSystem fs;
  FileStat st;
  ASSERT_TRUE(fs.stat(dir / "l", Follow::yes, st).ok());
  EXPECT_EQ(st.kind, FileKind::regular);
  EXPECT_EQ(st.size, 3);
  ASSERT_TRUE(fs.stat(dir / "l", Follow::no, st).ok());
  EXPECT_EQ(st.kind, FileKind::symlink);
  std::string real;
  ASSERT_TRUE(fs.realpath(dir / "l", real).ok());
  std::string real_dir;
  ASSERT_TRUE(fs.realpath(dir.path(), real_dir).ok());
  EXPECT_EQ(real, real_dir + "/f");
  EXPECT_TRUE(fs.exists(dir / "f"));
  EXPECT_FALSE(fs.exists(dir / "g"));
}

TEST(WriteFileAtomic, CreatesParentsAndReplaces) {
  const TempDir dir;
  const std::string path = dir / "a/b/c.json";
  ASSERT_TRUE(write_file_atomic(path, "one"));
  ASSERT_TRUE(write_file_atomic(path, "two"));
  const RealFileSystem fs;
  auto text = read_text(fs, path);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "two");
  std::vector<DirEntry> entries;
  ASSERT_TRUE(fs.list_dir(dir / "a/b", Follow::no, entries).ok());
  EXPECT_EQ(entries.size(), 1U);  // no temporary file left behind
}

}  // namespace
}  // namespace mlstack::io
