// SPDX-License-Identifier: MIT
#include "mlstack/io/zip_archive.hpp"

#include "zip_writer.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace mlstack::io {
namespace {

using testing::ZipWriter;

class TempFile {
 public:
  explicit TempFile(std::string_view content) {
    const char* tmp = std::getenv("TMPDIR");
    m_path = std::string(tmp != nullptr ? tmp : "/tmp") + "/mlstack-zip-XXXXXX";
    const int fd = ::mkstemp(m_path.data());
    EXPECT_GE(fd, 0);
    ::close(fd);
    std::ofstream(m_path, std::ios::binary) << content;
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  TempFile(TempFile&&) = delete;
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile() { ::unlink(m_path.c_str()); }
  [[nodiscard]] const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

bool metadata_files(std::string_view name) { return name.ends_with("/METADATA"); }

Result<ZipArchive> read(const std::string& bytes, const ZipLimits& limits = {},
                        const ZipSelect& select = metadata_files) {
  const TempFile file(bytes);
  return ZipArchive::read_file(file.path(), limits, select);
}

TEST(ZipArchiveRead, ListsEveryNameAndReadsTheSelectedMembers) {
  ZipWriter z;
  z.add("alpha-1.0.dist-info/METADATA", "Name: alpha\n");
  z.add("alpha-1.0.dist-info/WHEEL", "Tag: py3-none-any\n");
  z.add("alpha/", "");
  z.add("alpha/__init__.py", "x = 1\n", ZipWriter::Options().stored());
  z.add("beta-2.0.dist-info/METADATA", std::string(100000, 'b'));
  auto zip = read(z.finish());
  ASSERT_TRUE(zip) << to_string(zip.error());
  EXPECT_EQ(zip->names(),
            (std::vector<std::string>{"alpha-1.0.dist-info/METADATA", "alpha-1.0.dist-info/WHEEL",
                                      "alpha/", "alpha/__init__.py",
                                      "beta-2.0.dist-info/METADATA"}));
  const ZipMemberData* alpha = zip->find("alpha-1.0.dist-info/METADATA");
  ASSERT_NE(alpha, nullptr);
  EXPECT_TRUE(alpha->ok());
  EXPECT_EQ(alpha->data, "Name: alpha\n");
  EXPECT_EQ(zip->find("beta-2.0.dist-info/METADATA")->data, std::string(100000, 'b'));
  EXPECT_EQ(zip->find("alpha-1.0.dist-info/WHEEL"), nullptr);  // not selected
  EXPECT_EQ(zip->find("gamma-1.0.dist-info/METADATA"), nullptr);
}

TEST(ZipArchiveRead, TellsDirectoriesExplicitAndImplied) {
  ZipWriter z;
  z.add("a-1.0.dist-info/METADATA/", "");
  z.add("b-1.0.dist-info/PKG-INFO/nested/file", "x");
  z.add("c-1.0.dist-info/METADATA", "x");
  auto zip = read(z.finish());
  ASSERT_TRUE(zip) << to_string(zip.error());
  EXPECT_TRUE(zip->is_directory("a-1.0.dist-info"));
  EXPECT_TRUE(zip->is_directory("a-1.0.dist-info/METADATA"));
  EXPECT_TRUE(zip->is_directory("b-1.0.dist-info/PKG-INFO"));
  EXPECT_TRUE(zip->is_directory("b-1.0.dist-info/PKG-INFO/nested"));
  EXPECT_FALSE(zip->is_directory("b-1.0.dist-info/PKG-INFO/nested/file"));
  EXPECT_FALSE(zip->is_directory("c-1.0.dist-info/METADATA"));
  EXPECT_FALSE(zip->is_directory("c-1.0.dist-info/META"));
  EXPECT_FALSE(zip->is_directory("c"));
}

TEST(ZipArchiveRead, KeepsTheLastOfARepeatedName) {
  ZipWriter z;
  z.add("dup-1.0.dist-info/METADATA", "first\n");
  z.add("dup-1.0.dist-info/METADATA", "second\n");
  auto zip = read(z.finish());
  ASSERT_TRUE(zip) << to_string(zip.error());
  EXPECT_EQ(zip->names().size(), 2U);
  EXPECT_EQ(zip->find("dup-1.0.dist-info/METADATA")->data, "second\n");
}

// Names are kept as stored but for `\`, which libarchive turns into `/` (Python's zipfile keeps
// it on POSIX: a known difference, zip_archive.hpp).
TEST(ZipArchiveRead, KeepsNamesAsStored) {
  ZipWriter z;
  z.add("/abs-1.0.dist-info/METADATA", "x");
  z.add("bs-1.0.dist-info\\METADATA", "x");
  z.add("caf\xc3\xa9-1.0.dist-info/METADATA", "x", ZipWriter::Options().utf8());
  z.add("caf\x82-2.0.dist-info/METADATA", "x");  // CP437 0x82 is U+00E9
  auto zip = read(z.finish());
  ASSERT_TRUE(zip) << to_string(zip.error());
  EXPECT_EQ(zip->names(),
            (std::vector<std::string>{"/abs-1.0.dist-info/METADATA", "bs-1.0.dist-info/METADATA",
                                      "caf\xc3\xa9-1.0.dist-info/METADATA",
                                      "caf\xc3\xa9-2.0.dist-info/METADATA"}));
}

TEST(ZipArchiveRead, ReportsACorruptMemberAndReadsTheOthers) {
  ZipWriter z;
  z.add("bad-1.0.dist-info/METADATA", "Name: bad\n", ZipWriter::Options().stored().wrong_crc(0x12345678));
  z.add("good-1.0.dist-info/METADATA", "Name: good\n");
  auto zip = read(z.finish());
  ASSERT_TRUE(zip) << to_string(zip.error());
  const ZipMemberData* bad = zip->find("bad-1.0.dist-info/METADATA");
  ASSERT_NE(bad, nullptr);
  EXPECT_FALSE(bad->ok());
  ASSERT_TRUE(bad->error);
  EXPECT_NE(bad->error->find("CRC"), std::string::npos) << *bad->error;
  EXPECT_TRUE(bad->data.empty());
  EXPECT_EQ(zip->find("good-1.0.dist-info/METADATA")->data, "Name: good\n");
}

TEST(ZipArchiveRead, CapsWhatAMemberInflatesTo) {
  // 8 MiB of zeros deflate to about 8 KiB: a small zip bomb.
  ZipWriter z;
  z.add("bomb-1.0.dist-info/METADATA", std::string(std::size_t{8} << 20U, '\0'));
  z.add("ok-1.0.dist-info/METADATA", "Name: ok\n");
  const std::string bytes = z.finish();
  EXPECT_LT(bytes.size(), std::size_t{64} << 10U);
  ZipLimits limits;
  limits.max_member_size = std::size_t{1} << 20U;
  auto zip = read(bytes, limits);
  ASSERT_TRUE(zip) << to_string(zip.error());
  const ZipMemberData* bomb = zip->find("bomb-1.0.dist-info/METADATA");
  ASSERT_NE(bomb, nullptr);
  EXPECT_EQ(bomb->status.kind, IoStatus::Kind::too_large);
  EXPECT_TRUE(bomb->data.empty());
  EXPECT_TRUE(zip->find("ok-1.0.dist-info/METADATA")->ok());
}

TEST(ZipArchiveRead, CapsWhatTheSelectedMembersTakeTogether) {
  ZipWriter z;
  for (const char* name : {"a", "b", "c"}) {
    z.add(std::string(name) + "-1.0.dist-info/METADATA", std::string(600000, 'x'));
  }
  ZipLimits limits;
  limits.max_selected_bytes = 1300000;
  auto zip = read(z.finish(), limits);
  ASSERT_TRUE(zip) << to_string(zip.error());
  EXPECT_TRUE(zip->find("a-1.0.dist-info/METADATA")->ok());
  EXPECT_TRUE(zip->find("b-1.0.dist-info/METADATA")->ok());
  EXPECT_EQ(zip->find("c-1.0.dist-info/METADATA")->status.kind, IoStatus::Kind::too_large);
}

TEST(ZipArchiveRead, CapsTheMemberCount) {
  ZipWriter z;
  for (int i = 0; i < 5; ++i) {
    z.add("f" + std::to_string(i), "");
  }
  ZipLimits limits;
  limits.max_members = 4;
  auto zip = read(z.finish(), limits);
  ASSERT_FALSE(zip);
  EXPECT_NE(to_string(zip.error()).find("more than 4 members"), std::string::npos)
      << to_string(zip.error());
}

TEST(ZipArchiveRead, RefusesWhatIsNotAZipNamingTheFile) {
  const TempFile file("hello, not a zip\n");
  auto zip = ZipArchive::read_file(file.path(), {}, metadata_files);
  ASSERT_FALSE(zip);
  EXPECT_EQ(zip.error().code, ErrorCode::invalid_data);
  EXPECT_TRUE(to_string(zip.error()).starts_with("cannot read the zip archive `" + file.path() +
                                                 "`: "))
      << to_string(zip.error());
}

TEST(ZipArchiveRead, RefusesATruncatedArchive) {
  ZipWriter z;
  z.add("alpha-1.0.dist-info/METADATA", std::string(5000, 'a'));
  z.add("beta-1.0.dist-info/METADATA", "b");
  const std::string bytes = z.finish();
  for (const std::size_t keep : {bytes.size() - 10, bytes.size() / 2, std::size_t{30}}) {
    auto zip = read(bytes.substr(0, keep));
    EXPECT_FALSE(zip && zip->find("beta-1.0.dist-info/METADATA") != nullptr &&
                 zip->find("beta-1.0.dist-info/METADATA")->ok() &&
                 zip->find("alpha-1.0.dist-info/METADATA")->ok())
        << "kept " << keep << " bytes";
  }
}

TEST(ZipArchiveRead, RefusesFifosAndFoldersWithoutBlocking) {
  const TempFile file("");
  ::unlink(file.path().c_str());
  ASSERT_EQ(::mkfifo(file.path().c_str(), 0600), 0);
  auto fifo = ZipArchive::read_file(file.path(), {}, metadata_files);
  ASSERT_FALSE(fifo);
  EXPECT_NE(to_string(fifo.error()).find("not a regular file"), std::string::npos)
      << to_string(fifo.error());
  auto dir = ZipArchive::read_file("/", {}, metadata_files);
  ASSERT_FALSE(dir);
  EXPECT_NE(to_string(dir.error()).find("cannot read the zip archive `/`"), std::string::npos);
  auto missing = ZipArchive::read_file(file.path() + "-missing", {}, metadata_files);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

// A file system with one file, read through FileSystem's default read_zip (from memory).
class OneFile final : public FileSystem {
 public:
  explicit OneFile(std::string bytes) : m_bytes(std::move(bytes)) {}
  IoStatus list_dir(const std::string&, Follow, std::vector<DirEntry>&) const override {
    return IoStatus::from_errno(ENOTDIR);
  }
  IoStatus read_file(const std::string&, std::size_t max_bytes, std::string& out) const override {
    if (m_bytes.size() > max_bytes) {
      IoStatus s;
      s.kind = IoStatus::Kind::too_large;
      return s;
    }
    out = m_bytes;
    return {};
  }
  IoStatus stat(const std::string&, Follow, FileStat& out) const override {
    out.kind = FileKind::regular;
    out.size = static_cast<std::int64_t>(m_bytes.size());
    return {};
  }
  IoStatus realpath(const std::string& path, std::string& out) const override {
    out = path;
    return {};
  }

 private:
  std::string m_bytes;
};

TEST(ZipArchiveRead, ReadsFromMemoryThroughTheDefaultFileSystem) {
  ZipWriter z;
  z.add("alpha-1.0.dist-info/METADATA", "Name: alpha\n");
  const OneFile fs(z.finish());
  auto zip = fs.read_zip("/x/a.zip", {}, metadata_files);
  ASSERT_TRUE(zip) << to_string(zip.error());
  EXPECT_EQ(zip->find("alpha-1.0.dist-info/METADATA")->data, "Name: alpha\n");
  ZipLimits small;
  small.max_archive_size = 10;
  auto refused = fs.read_zip("/x/a.zip", small, metadata_files);
  ASSERT_FALSE(refused);
  EXPECT_NE(to_string(refused.error()).find("`/x/a.zip`"), std::string::npos);
}

}  // namespace
}  // namespace mlstack::io
