// SPDX-License-Identifier: MIT
#include "mlstack/rootfs/tar_stream.hpp"

#include "tar_writer.hpp"
#include "temp_tree.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace mlstack::rootfs {
namespace {

using namespace testing;

std::string pread_string(int fd, std::uint64_t offset, std::uint64_t size) {
  std::string out(size, '\0');
  EXPECT_EQ(::pread(fd, out.data(), size, static_cast<off_t>(offset)), static_cast<ssize_t>(size));
  return out;
}

// The data offset libarchive reports (what it consumed up to the member's data) is where the
// member's bytes are, for pax extended headers (long names, long link targets), GNU long
// names (`././@LongLink`) and plain ustar, also behind a prefix of other bytes.
TEST(TarStream, DataOffsetsPointAtTheMembersBytes) {
  const std::string long_dir(180, 'd');
  const std::string long_name = long_dir + "/" + std::string(120, 'n') + ".so";
  std::vector<TarMember> members = {
      file("short", "first file"),
      dir(long_dir + "/"),
      file(long_name, std::string(5000, 'x') + "end"),
      symlink("link", std::string(200, 't')),
      file("after/long/link", "after the long link"),
      file("empty", ""),
      file("last", std::string(512, 'L')),
  };
  for (const TarFormat format : {TarFormat::pax, TarFormat::gnu, TarFormat::ustar}) {
    std::vector<TarMember> ms = members;
    if (format == TarFormat::ustar) {  // ustar cannot store names over 255 bytes
      ms.erase(ms.begin() + 1, ms.begin() + 4);
    }
    const pyenv::testing::TempTree tmp;
    const std::string prefix(1536, 'P');  // a tar inside a bigger file: offsets are absolute
    tmp.write("a.tar", prefix + make_tar(ms, format));
    const int fd = ::open((tmp / "a.tar").c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    const std::uint64_t size = static_cast<std::uint64_t>(::lseek(fd, 0, SEEK_END)) - prefix.size();
    auto stream = TarStream::open(ByteRange{fd, prefix.size(), size}, "a test tar");
    ASSERT_TRUE(stream) << stream.error().message;
    EXPECT_FALSE((*stream)->compressed());
    std::size_t i = 0;
    TarEntry e;
    while (true) {
      auto more = (*stream)->next(e);
      ASSERT_TRUE(more) << more.error().message;
      if (!*more) {
        break;
      }
      ASSERT_LT(i, ms.size());
      EXPECT_EQ(e.path, ms[i].path);
      if (ms[i].type == TarMember::Type::file) {
        EXPECT_EQ(e.size, ms[i].data.size());
        EXPECT_EQ(e.data_offset % 512, prefix.size() % 512);
        EXPECT_EQ(pread_string(fd, e.data_offset, e.size), ms[i].data) << ms[i].path;
      }
      if (ms[i].type == TarMember::Type::symlink) {
        EXPECT_EQ(e.kind, io::FileKind::symlink);
        EXPECT_EQ(e.symlink, ms[i].link);
      }
      ++i;
    }
    EXPECT_EQ(i, ms.size());
    ::close(fd);
  }
}

TEST(TarStream, CompressedStreamsAreReadThroughTheirFilter) {
  for (const TarFilter filter : {TarFilter::gzip, TarFilter::zstd}) {
    const pyenv::testing::TempTree tmp;
    tmp.write("a.tar.z", make_tar({file("x", "hello"), file("y", std::string(100000, 'y'))},
                                  TarFormat::pax, filter));
    const int fd = ::open((tmp / "a.tar.z").c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    const auto size = static_cast<std::uint64_t>(::lseek(fd, 0, SEEK_END));
    auto stream = TarStream::open(ByteRange{fd, 0, size}, "a test tar");
    ASSERT_TRUE(stream) << stream.error().message;
    EXPECT_TRUE((*stream)->compressed());
    TarEntry e;
    ASSERT_TRUE(*(*stream)->next(e));
    std::string data;
    ASSERT_TRUE((*stream)->read_data([&data](const char* p, std::size_t n) {
      data.append(p, n);
      return true;
    }));
    EXPECT_EQ(data, "hello");
    ASSERT_TRUE(*(*stream)->next(e));
    EXPECT_EQ(e.path, "y");
    EXPECT_FALSE(*(*stream)->next(e));  // skipped without reading: inflated all the same
    EXPECT_GE((*stream)->consumed(), 100000U);
    ::close(fd);
  }
}

TEST(TarStream, NotATarIsAnErrorNamingTheStream) {
  const pyenv::testing::TempTree tmp;
  tmp.write("x", std::string(2000, 'z'));
  const int fd = ::open((tmp / "x").c_str(), O_RDONLY | O_CLOEXEC);
  auto stream = TarStream::open(ByteRange{fd, 0, 2000}, "layer 1 (`x`) of `img.tar`");
  std::string message;
  if (stream) {
    TarEntry e;
    auto more = (*stream)->next(e);
    ASSERT_FALSE(more);
    message = more.error().message;
  } else {
    message = stream.error().message;
  }
  EXPECT_TRUE(message.starts_with("cannot read layer 1 (`x`) of `img.tar`: ")) << message;
  ::close(fd);
}

}  // namespace
}  // namespace mlstack::rootfs
