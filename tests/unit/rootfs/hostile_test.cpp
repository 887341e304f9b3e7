// SPDX-License-Identifier: MIT
// Crafted, hostile archives: each is refused with an error naming the archive and the member,
// or read inside its own root, never touching the host.
#include "mlstack/rootfs/image.hpp"

#include "image_fixture.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <gtest/gtest.h>

namespace mlstack::rootfs {
namespace {

using namespace testing;
using pyenv::testing::TempTree;
using Kind = io::IoStatus::Kind;

// A docker-archive of the given layers at `tmp/img.tar`.
std::string archive(const TempTree& tmp, const std::vector<std::vector<TarMember>>& layers,
                    TarFilter filter = TarFilter::none) {
  std::vector<std::string> tars;
  for (const auto& members : layers) {
    tars.push_back(make_tar(members, TarFormat::pax, filter));
  }
  tmp.write("img.tar", make_docker_archive(tars, make_config(tars)));
  return tmp / "img.tar";
}

// `bytes` in the gzip format (zlib).
std::string gzip(const std::string& bytes) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, bytes.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string error_of(const std::string& path, const ImageOptions& options = {}) {
  auto image = open_image(path, options);
  return image ? std::string("(opened)") : image.error().message;
}

TEST(Hostile, TraversalInAMemberNameIsRefused) {
  const TempTree tmp;
  const std::string path = archive(tmp, {{file("ok", "1"), file("a/../../etc/cron.d/evil", "x")}});
  const std::string message = error_of(path);
  EXPECT_TRUE(message.starts_with("cannot read layer 1 (`")) << message;
  EXPECT_NE(message.find("`) of `" + path + "`: member `a/../../etc/cron.d/evil`: its name leaves "
                         "the image root"), std::string::npos) << message;
}

TEST(Hostile, AbsoluteMemberNamesStayInsideTheRoot) {
  const TempTree tmp;
  auto image = open_image(archive(tmp, {{file("/etc/passwd", "root:x:0:0::/root:/bin/sh\n")}}));
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(listing(*image->fs), "/etc/\n/etc/passwd\n");
}

TEST(Hostile, SymlinksOutOfTheRootResolveInsideIt) {
  const TempTree tmp;
  tmp.write("host-secret", "the host's");
  auto image = open_image(archive(tmp, {{symlink("abs", tmp / "host-secret"),
                                         symlink("rel", "../../../../../../../../" + tmp / "host-secret"),
                                         symlink("hostetc", "/etc"), file("x", "in the image")}}));
  ASSERT_TRUE(image) << image.error().message;
  std::string text;
  EXPECT_EQ(image->fs->read_file("/abs", 100, text).kind, Kind::not_found);
  EXPECT_EQ(image->fs->read_file("/rel", 100, text).kind, Kind::not_found);
  EXPECT_EQ(image->fs->read_file("/hostetc/passwd", 100, text).kind, Kind::not_found);
  EXPECT_TRUE(text.empty());
  std::vector<io::DirEntry> entries;
  ASSERT_TRUE(image->fs->list_dir("/", io::Follow::yes, entries).ok());
  ASSERT_EQ(entries.size(), 4U);
  EXPECT_EQ(entries[0].kind, io::FileKind::dangling);
}

TEST(Hostile, HardLinksOutsideOrToMissingMembersAreRefused) {
  const TempTree tmp;
  const std::string outside = archive(tmp, {{file("a", "1"), hardlink("b", "../../etc/shadow")}});
  std::string message = error_of(outside);
  EXPECT_TRUE(message.ends_with("member `b`: it is a hard link to `../../etc/shadow`, outside the "
                                "image")) << message;
  const std::string missing = archive(tmp, {{file("a", "1")}, {hardlink("b", "etc/shadow")}});
  message = error_of(missing);
  EXPECT_TRUE(message.starts_with("cannot read layer 2 (`")) << message;
  EXPECT_TRUE(message.ends_with("member `b`: it is a hard link to a member that is not in this or "
                                "a lower layer")) << message;
}

TEST(Hostile, DevicesAndFifosAreListedNeverOpened) {
  const TempTree tmp;
  TarMember fifo = file("run/fifo", "");
  fifo.type = TarMember::Type::fifo;
  TarMember dev = file("dev/sda", "");
  dev.type = TarMember::Type::char_device;
  auto image = open_image(archive(tmp, {{fifo, dev, symlink("link-to-fifo", "run/fifo")}}));
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(listing(*image->fs), "/dev/\n/dev/sda%\n/link-to-fifo@\n/run/\n/run/fifo|\n");
  std::string text;
  io::FileRegion region;
  EXPECT_EQ(image->fs->read_file("/run/fifo", 100, text).kind, Kind::not_regular);
  EXPECT_EQ(image->fs->read_file("/link-to-fifo", 100, text).kind, Kind::not_regular);
  EXPECT_EQ(image->fs->open_region("/dev/sda", region).kind, Kind::not_regular);
  io::FileStat st;
  ASSERT_TRUE(image->fs->stat("/dev/sda", io::Follow::yes, st).ok());
  EXPECT_EQ(st.kind, io::FileKind::char_device);
}

TEST(Hostile, DecompressionBombStopsAtTheBound) {
  const TempTree tmp;
  const std::string path = archive(tmp, {{file("zeros", std::string(8U << 20U, '\0'))}}, TarFilter::gzip);
  ImageOptions o;
  o.limits.max_inflated_bytes = 1U << 20U;
  for (const bool keep : {true, false}) {
    o.keep = [keep](std::string_view, std::uint64_t) { return keep; };
    const std::string message = error_of(path, o);
    EXPECT_TRUE(message.starts_with("cannot read layer 1 (`")) << message;
    EXPECT_TRUE(message.ends_with("the compressed layers inflate to more than 1048576 bytes"))
        << message;
  }
  o.limits.max_inflated_bytes = 16U << 20U;
  EXPECT_EQ(error_of(path, o), "(opened)");
}

TEST(Hostile, CountsAndSizesAreBounded) {
  const TempTree tmp;
  std::vector<TarMember> many;
  for (int i = 0; i < 50; ++i) {
    many.push_back(file("f" + std::to_string(i), "x"));
  }
  ImageOptions o;
  o.limits.max_members = 40;
  std::string message = error_of(archive(tmp, {many}), o);
  EXPECT_TRUE(message.ends_with("the image has more than 40 members")) << message;

  std::string deep;
  for (int i = 0; i < 300; ++i) {
    deep += "d/";
  }
  message = error_of(archive(tmp, {{file(deep + "f", "x")}}));
  EXPECT_TRUE(message.ends_with("its name has more than 256 components")) << message;
  message = error_of(archive(tmp, {{file(std::string(5000, 'n'), "x")}}));
  EXPECT_TRUE(message.ends_with("its name is longer than 4096 bytes")) << message;
  EXPECT_NE(message.find("member `nnnn"), std::string::npos);
  EXPECT_LT(message.size(), 1000U);  // the name is shortened in the message

  o = ImageOptions{};
  o.limits.max_json_bytes = 100;
  message = error_of(archive(tmp, {{file("a", "1")}}), o);
  EXPECT_TRUE(message.ends_with("`manifest.json` is larger than 100 bytes")) << message;
}

TEST(Hostile, DuplicateMembersTheLastWins) {
  const TempTree tmp;
  auto image = open_image(archive(tmp, {{file("etc/x", "first"), file("etc/x", "second"),
                                         dir("etc/x/"), file("etc/x/y", "third")}}));
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(listing(*image->fs), "/etc/\n/etc/x/\n/etc/x/y\n");
}

// The size field of the ustar header at `header` set to `size` (octal), the checksum redone.
void set_header_size(std::string& tar, std::size_t header, std::uint64_t size) {
  const std::string octal = fmt::format("{:011o}", size);
  tar.replace(header + 124, 11, octal);
  tar.replace(header + 148, 8, 8, ' ');
  unsigned sum = 0;
  for (std::size_t i = 0; i < 512; ++i) {
    sum += static_cast<unsigned char>(tar[header + i]);
  }
  const std::string check = fmt::format("{:06o}", sum);
  tar.replace(header + 148, 6, check);
  tar[header + 154] = '\0';
}

TEST(Hostile, ALyingSizeIsAnError) {
  const TempTree tmp;
  for (const bool compressed : {false, true}) {
    // A header that claims 8 GiB for 5 bytes, and the layer ends.
    std::string layer = make_tar({file("big", "short")}, TarFormat::ustar);
    set_header_size(layer, 0, std::uint64_t{8} << 30U);
    if (compressed) {
      layer = gzip(layer);
    }
    const std::string config = make_config({layer});
    tmp.write("img.tar", make_docker_archive({layer}, config));
    const std::string message = error_of(tmp / "img.tar");
    EXPECT_TRUE(message.starts_with("cannot read layer 1 (`")) << message;
    EXPECT_NE(message.find("`) of `" + tmp / "img.tar" + "`"), std::string::npos) << message;
  }
}

TEST(Hostile, MissingLayerOrOutsideReferencesAreErrors) {
  const TempTree tmp;
  const std::string layer = make_tar({file("a", "1")});
  const std::string config = make_config({layer});
  const std::string config_name = sha256_hex(config) + ".json";
  for (const std::string& ref : std::vector<std::string>{"missing/layer.tar", "../outside/layer.tar", "/etc/passwd"}) {
    tmp.write("img.tar", make_tar({file(config_name, config), file("l/layer.tar", layer),
                                   file("manifest.json", R"([{"Config":")" + config_name +
                                                             R"(","Layers":[")" + ref + R"("]}])")}));
    const std::string message = error_of(tmp / "img.tar");
    const std::string expected = ref.starts_with("missing") ? "`missing/layer.tar` is not in the archive"
                                                            : "`" + ref + "` points outside the archive";
    EXPECT_EQ(message, "cannot read the image `" + tmp / "img.tar" + "`: " + expected);
  }
}

TEST(Hostile, DigestsThatDoNotMatchAreErrors) {
  const TempTree tmp;
  const std::string layer = make_tar({file("a", "1")});
  const std::string config = make_config({layer});
  // A docker-archive config whose name is not its digest.
  const std::string wrong = std::string(64, 'a') + ".json";
  tmp.write("img.tar", make_tar({file(wrong, config), file("l/layer.tar", layer),
                                 file("manifest.json", R"([{"Config":")" + wrong +
                                                           R"(","Layers":["l/layer.tar"]}])")}));
  EXPECT_EQ(error_of(tmp / "img.tar"),
            "cannot read the image `" + tmp / "img.tar" + "`: the config `" + wrong +
                "` does not match its digest: expected `sha256:" + std::string(64, 'a') +
                "`, found `" + digest(config) + "`");
  // An OCI layout whose manifest blob was changed.
  auto files = make_oci_layout({layer}, config);
  for (auto& [path, content] : files) {
    if (content.find("\"layers\"") != std::string::npos) {
      content += " ";
    }
  }
  write_files(tmp, "layout/", files);
  const std::string message = error_of(tmp / "layout");
  EXPECT_NE(message.find("the manifest `blobs/sha256/"), std::string::npos) << message;
  EXPECT_NE(message.find("has "), std::string::npos) << message;
  // A layer blob whose bytes changed: found with verify_layers.
  auto tampered = make_oci_layout({layer}, config);
  for (auto& [path, content] : tampered) {
    if (content == layer) {
      content[600] = 'X';  // inside the member's data block: the tar still reads
    }
  }
  write_files(tmp, "tampered/", tampered);
  EXPECT_EQ(error_of(tmp / "tampered"), "(opened)");
  ImageOptions verify;
  verify.limits.verify_layers = true;
  const std::string verified = error_of(tmp / "tampered", verify);
  EXPECT_NE(verified.find("does not match its digest"), std::string::npos) << verified;
}

TEST(Hostile, NotAnImage) {
  const TempTree tmp;
  tmp.write("plain.tar", make_tar({file("hello", "world")}));
  EXPECT_EQ(error_of(tmp / "plain.tar"),
            "cannot read the image `" + tmp / "plain.tar" + "`: it is neither a docker-archive (no "
            "`manifest.json`) nor an OCI archive or layout (no `index.json`)");
  tmp.write("gz.tar.gz", make_tar({file("manifest.json", "[]")}, TarFormat::pax, TarFilter::gzip));
  EXPECT_EQ(error_of(tmp / "gz.tar.gz"),
            "cannot read the image `" + tmp / "gz.tar.gz" + "`: it is compressed; decompress it "
            "first (a `docker save` or `docker-archive:` tarball is read uncompressed, in place)");
  EXPECT_EQ(error_of(tmp / "absent.tar"),
            "cannot read the image `" + tmp / "absent.tar" + "`: no such file or directory");
}

}  // namespace
}  // namespace mlstack::rootfs
