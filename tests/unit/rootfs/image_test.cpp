// SPDX-License-Identifier: MIT
#include "mlstack/rootfs/image.hpp"

#include "image_fixture.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

namespace mlstack::rootfs {
namespace {

using namespace testing;
using pyenv::testing::TempTree;
using Kind = io::IoStatus::Kind;

const std::string k_lib(20000, 'E');  // a "shared object" larger than a tar block

std::vector<TarMember> lower_members() {
  return {dir("etc/"),
          file("etc/os-release", "ID=debian\nVERSION_ID=\"11\"\n"),
          dir("usr/"),
          dir("usr/bin/"),
          file("usr/bin/python3.11", "#!ELF python"),
          symlink("usr/bin/python3", "python3.11"),
          file("usr/lib/x86_64-linux-gnu/libfoo.so.1", k_lib),
          symlink("lib", "usr/lib"),
          file("opt/app/a", "a"),
          file("opt/app/sub/b", "b"),
          file("tmp/gone", "deleted above"),
          file("tmp/stays", "stays")};
}

std::vector<TarMember> upper_members() {
  return {file("tmp/.wh.gone", ""),
          file("opt/app/.wh..wh..opq", ""),
          file("opt/app/c", "c"),
          hardlink("usr/bin/python", "usr/bin/python3.11"),
          file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
          file("usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA",
               "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n")};
}

constexpr std::string_view k_listing =
    "/etc/\n/etc/os-release\n/lib@\n/opt/\n/opt/app/\n/opt/app/c\n/tmp/\n/tmp/stays\n/usr/\n"
    "/usr/bin/\n/usr/bin/python\n/usr/bin/python3@\n/usr/bin/python3.11\n/usr/lib/\n"
    "/usr/lib/python3.11/\n/usr/lib/python3.11/site-packages/\n"
    "/usr/lib/python3.11/site-packages/six-1.16.0.dist-info/\n"
    "/usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA\n"
    "/usr/lib/x86_64-linux-gnu/\n/usr/lib/x86_64-linux-gnu/libfoo.so.1\n";

std::string region_bytes(const io::FileRegion& r) {
  std::string out(r.size(), '\0');
  EXPECT_EQ(::pread(r.fd(), out.data(), r.size(), static_cast<off_t>(r.offset())),
            static_cast<ssize_t>(r.size()));
  return out;
}

void check_merged(const Image& image) {
  const io::FileSystem& fs = *image.fs;
  EXPECT_EQ(listing(fs), k_listing);
  std::string text;
  ASSERT_TRUE(fs.read_file("/etc/os-release", 1000, text).ok());
  EXPECT_EQ(text, "ID=debian\nVERSION_ID=\"12\"\n");
  ASSERT_TRUE(fs.read_file("/lib/x86_64-linux-gnu/libfoo.so.1", 1 << 20, text).ok());
  EXPECT_EQ(text, k_lib);
  EXPECT_EQ(fs.read_file("/lib/x86_64-linux-gnu/libfoo.so.1", 100, text).kind, Kind::too_large);
  EXPECT_EQ(fs.read_file("/tmp/gone", 100, text).kind, Kind::not_found);
  EXPECT_EQ(fs.read_file("/opt/app/a", 100, text).kind, Kind::not_found);
  EXPECT_EQ(fs.read_file("/etc", 100, text).kind, Kind::is_directory);
  std::string real;
  ASSERT_TRUE(fs.realpath("/usr/bin/python3", real).ok());
  EXPECT_EQ(real, "/usr/bin/python3.11");
  io::FileStat a;
  io::FileStat b;
  io::FileStat link;
  ASSERT_TRUE(fs.stat("/usr/bin/python", io::Follow::yes, a).ok());
  ASSERT_TRUE(fs.stat("/usr/bin/python3", io::Follow::yes, b).ok());
  ASSERT_TRUE(fs.stat("/usr/bin/python3", io::Follow::no, link).ok());
  EXPECT_EQ(a.inode, b.inode);  // a hard link
  EXPECT_EQ(a.kind, io::FileKind::regular);
  EXPECT_EQ(a.size, 12);
  EXPECT_EQ(a.mtime_ns, 1'700'000'000'000'000'000);
  EXPECT_EQ(link.kind, io::FileKind::symlink);
  EXPECT_NE(link.inode, b.inode);
  std::vector<io::DirEntry> entries;
  ASSERT_TRUE(fs.list_dir("/usr/bin", io::Follow::yes, entries).ok());
  ASSERT_EQ(entries.size(), 3U);
  EXPECT_EQ(entries[1].kind, io::FileKind::regular);  // python3, followed
  io::FileRegion region;
  ASSERT_TRUE(fs.open_region("/usr/lib/x86_64-linux-gnu/libfoo.so.1", region).ok());
  EXPECT_EQ(region.size(), k_lib.size());
  EXPECT_EQ(region_bytes(region), k_lib);
  io::FileRegion python;
  ASSERT_TRUE(fs.open_region("/usr/bin/python", python).ok());
  EXPECT_EQ(region_bytes(python), "#!ELF python");
  EXPECT_EQ(fs.open_region("/usr", region).kind, Kind::not_regular);
  // The config.
  EXPECT_EQ(image.config.architecture, "amd64");
  EXPECT_EQ(image.config.env_value("CUDA_VERSION"), "12.4.1");
  EXPECT_EQ(image.config.entrypoint, (std::vector<std::string>{"/bin/sh", "-c"}));
  EXPECT_EQ(image.config.working_dir, "/work");
  EXPECT_EQ(image.config.labels.at("org.example"), "yes");
  ASSERT_EQ(image.layers.size(), 2U);
  EXPECT_EQ(image.layers[0].members, lower_members().size());
}

struct Layers {
  std::vector<std::string> tars;
  std::string config;
};

Layers layers(TarFilter filter = TarFilter::none) {
  Layers out;
  out.tars = {make_tar(lower_members(), TarFormat::pax, filter),
              make_tar(upper_members(), TarFormat::gnu, filter)};
  out.config = make_config(out.tars, {"PATH=/usr/bin", "CUDA_VERSION=12.4.1"});
  return out;
}

TEST(OpenImage, DockerArchive) {
  const TempTree tmp;
  const Layers l = layers();
  tmp.write("img.tar", make_docker_archive(l.tars, l.config, "example:1"));
  auto image = open_image(tmp / "img.tar");
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(image->format, ImageFormat::docker_archive);
  EXPECT_EQ(image->names, (std::vector<std::string>{"example:1"}));
  EXPECT_EQ(image->config_digest, digest(l.config));
  EXPECT_FALSE(image->layers[0].compressed);
  check_merged(*image);
  EXPECT_EQ(image->fs->memory_bytes(), 0U);  // everything read in place
}

TEST(OpenImage, OciArchiveAndLayout) {
  const TempTree tmp;
  const Layers l = layers();
  const auto files = make_oci_layout(l.tars, l.config, "example:1");
  tmp.write("oci.tar", tar_of(files));
  write_files(tmp, "layout/", files);
  for (const std::string& path : {tmp / "oci.tar", tmp / "layout"}) {
    auto image = open_image(path);
    ASSERT_TRUE(image) << image.error().message;
    EXPECT_EQ(image->format, path.ends_with(".tar") ? ImageFormat::oci_archive : ImageFormat::oci_layout);
    EXPECT_EQ(image->names, (std::vector<std::string>{"example:1"}));
    EXPECT_EQ(image->layers[1].media_type, "application/vnd.oci.image.layer.v1.tar");
    check_merged(*image);
  }
}

TEST(OpenImage, CompressedLayersKeptOrInflatedAgain) {
  for (const TarFilter filter : {TarFilter::gzip, TarFilter::zstd}) {
    const TempTree tmp;
    const Layers l = layers(filter);
    write_files(tmp, "layout/", make_oci_layout(l.tars, l.config, "example:1", true));
    auto kept = open_image(tmp / "layout");  // the default: what the doctor reads is kept
    ASSERT_TRUE(kept) << kept.error().message;
    EXPECT_TRUE(kept->layers[0].compressed);
    check_merged(*kept);
    EXPECT_GE(kept->fs->memory_bytes(), k_lib.size());
    ImageOptions none;
    none.keep = [](std::string_view, std::uint64_t) { return false; };
    auto lazy = open_image(tmp / "layout", none);
    ASSERT_TRUE(lazy) << lazy.error().message;
    EXPECT_EQ(lazy->fs->memory_bytes(), 0U);
    check_merged(*lazy);  // each file inflated again on first use
    EXPECT_GE(lazy->fs->memory_bytes(), k_lib.size());
    ImageOptions tiny = none;
    tiny.limits.max_kept_bytes = 0;  // nothing kept: read_file still reads, regions cannot
    auto bounded = open_image(tmp / "layout", tiny);
    ASSERT_TRUE(bounded) << bounded.error().message;
    std::string text;
    ASSERT_TRUE(bounded->fs->read_file("/usr/lib/x86_64-linux-gnu/libfoo.so.1", 1 << 20, text).ok());
    EXPECT_EQ(text, k_lib);
    io::FileRegion region;
    EXPECT_EQ(bounded->fs->open_region("/usr/lib/x86_64-linux-gnu/libfoo.so.1", region).kind,
              Kind::too_large);
  }
}

TEST(OpenImage, ChoosesAnImageByNameOrDigest) {
  const TempTree tmp;
  const Layers l = layers();
  const std::string config_b = make_config(l.tars, {"PATH=/b"});
  // Two images in one docker-archive.
  std::vector<TarMember> members;
  for (const std::string& c : {l.config, config_b}) {
    members.push_back(file(sha256_hex(c) + ".json", c));
  }
  members.push_back(file("l1/layer.tar", l.tars[0]));
  members.push_back(file("l2/layer.tar", l.tars[1]));
  members.push_back(file(
      "manifest.json",
      R"([{"Config":")" + sha256_hex(l.config) + R"(.json","RepoTags":["docker.io/library/first:latest"],)"
      R"("Layers":["l1/layer.tar","l2/layer.tar"]},)"
      R"({"Config":")" + sha256_hex(config_b) + R"(.json","RepoTags":["localhost/second:2"],)"
      R"("Layers":["l1/layer.tar","l2/layer.tar"]}])"));
  tmp.write("two.tar", make_tar(members));
  auto none = open_image(tmp / "two.tar");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message,
            "cannot read the image `" + tmp / "two.tar" + "`: it holds 2 images: "
            "docker.io/library/first:latest (" + digest(l.config).substr(0, 19) + "), "
            "localhost/second:2 (" + digest(config_b).substr(0, 19) +
            "); name one (`--image FILE:NAME`, a name or a digest)");
  for (const std::string_view name : {"first", "first:latest", "docker.io/library/first:latest"}) {
    ImageOptions o;
    o.select = std::string(name);
    auto image = open_image(tmp / "two.tar", o);
    ASSERT_TRUE(image) << image.error().message;
    EXPECT_EQ(image->config.env_value("PATH"), "/usr/bin") << name;
  }
  ImageOptions o;
  o.select = "second:2";
  EXPECT_EQ(open_image(tmp / "two.tar", o)->config.env_value("PATH"), "/b");
  o.select = digest(config_b).substr(0, 7 + 12);
  EXPECT_EQ(open_image(tmp / "two.tar", o)->config.env_value("PATH"), "/b");
  o.select = "third";
  auto third = open_image(tmp / "two.tar", o);
  ASSERT_FALSE(third);
  EXPECT_TRUE(third.error().message.find("it holds no image named `third`; it holds "
                                         "docker.io/library/first:latest") != std::string::npos)
      << third.error().message;
}

// The legacy docker save layout: a layer folder whose layer.tar is a symlink to another's.
TEST(OpenImage, DockerArchiveLayersThroughSymlinks) {
  const TempTree tmp;
  const Layers l = layers();
  const std::string config_name = sha256_hex(l.config) + ".json";
  tmp.write("img.tar",
            make_tar({file(config_name, l.config), file("blob-1.tar", l.tars[0]),
                      symlink("a/layer.tar", "../blob-1.tar"), file("b/layer.tar", l.tars[1]),
                      symlink("c/layer.tar", "../b/layer.tar"),
                      symlink("evil/layer.tar", "../../outside.tar"),
                      file("manifest.json", R"([{"Config":")" + config_name +
                                                R"(","Layers":["a/layer.tar","c/layer.tar"]}])")}));
  auto image = open_image(tmp / "img.tar");
  ASSERT_TRUE(image) << image.error().message;
  check_merged(*image);
  tmp.write("evil.tar",
            make_tar({file(config_name, l.config), symlink("evil/layer.tar", "../../outside.tar"),
                      file("manifest.json", R"([{"Config":")" + config_name +
                                                R"(","Layers":["evil/layer.tar","evil/layer.tar"]}])")}));
  auto evil = open_image(tmp / "evil.tar");
  ASSERT_FALSE(evil);
  EXPECT_EQ(evil.error().message, "cannot read the image `" + tmp / "evil.tar" +
                                      "`: `evil/layer.tar` points outside the archive");
}

TEST(SplitImageArgument, FileThenName) {
  const auto exists = [](const std::string& p) { return p == "img.tar" || p == "a:b.tar"; };
  EXPECT_EQ(split_image_argument("img.tar", exists), (std::pair<std::string, std::string>{"img.tar", ""}));
  EXPECT_EQ(split_image_argument("img.tar:repo/x:1", exists),
            (std::pair<std::string, std::string>{"img.tar", "repo/x:1"}));
  EXPECT_EQ(split_image_argument("a:b.tar", exists), (std::pair<std::string, std::string>{"a:b.tar", ""}));
  EXPECT_EQ(split_image_argument("a:b.tar:t", exists), (std::pair<std::string, std::string>{"a:b.tar", "t"}));
  EXPECT_EQ(split_image_argument("missing:t", exists), (std::pair<std::string, std::string>{"missing:t", ""}));
}

TEST(DoctorMayRead, WhatTheDoctorReads) {
  EXPECT_TRUE(doctor_may_read("/usr/lib/x86_64-linux-gnu/libcudnn.so.9", 900U << 20U));
  EXPECT_TRUE(doctor_may_read("/opt/venv/lib/python3.11/site-packages/torch/_C.cpython-311-x86_64-linux-gnu.so", 1U << 30U));
  EXPECT_TRUE(doctor_may_read("/opt/venv/lib/python3.11/site-packages/torch/version.py", 300));
  EXPECT_TRUE(doctor_may_read("/opt/venv/lib/python3.11/site-packages/x-1.dist-info/RECORD", 3000));
  EXPECT_TRUE(doctor_may_read("/etc/ld.so.cache", 30000));
  EXPECT_TRUE(doctor_may_read("/usr/bin/python3.11", 6U << 20U));
  EXPECT_TRUE(doctor_may_read("/usr/local/cuda-12.4/version.json", 3000));
  EXPECT_FALSE(doctor_may_read("/usr/share/doc/x/changelog.gz", 3000));
  EXPECT_FALSE(doctor_may_read("/opt/venv/lib/python3.11/site-packages/big.bin", 10U << 20U));
}

}  // namespace
}  // namespace mlstack::rootfs
