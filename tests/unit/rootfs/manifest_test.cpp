// SPDX-License-Identifier: MIT
#include "mlstack/rootfs/manifest.hpp"

#include <gtest/gtest.h>

namespace mlstack::rootfs {
namespace {

TEST(Manifest, DockerManifest) {
  auto m = parse_docker_manifest(
      R"([{"Config":"abc.json","RepoTags":["a:1","b:2"],"Layers":["x/layer.tar","y/layer.tar"]}])");
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_EQ(m->size(), 1U);
  EXPECT_EQ((*m)[0].config, "abc.json");
  EXPECT_EQ((*m)[0].repo_tags, (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_EQ((*m)[0].layers, (std::vector<std::string>{"x/layer.tar", "y/layer.tar"}));
  EXPECT_EQ(parse_docker_manifest("{}").error().message, "expected a JSON array");
  EXPECT_EQ(parse_docker_manifest("[{").error().message, "it is not valid JSON");
  EXPECT_EQ(parse_docker_manifest(R"([{"Config":"c","Layers":[1]}])").error().message,
            "`Layers` is not an array of strings");
  EXPECT_EQ(parse_docker_manifest(R"([{"Layers":[]}])").error().message,
            "an image entry has no `Config`");
}

TEST(Manifest, OciIndexAndManifest) {
  const std::string d = "sha256:" + std::string(64, 'a');
  auto index = parse_oci_index(R"({"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json",)"
                               R"("digest":")" + d + R"(","size":12,"platform":{"os":"linux","architecture":"arm64"},)"
                               R"("annotations":{"org.opencontainers.image.ref.name":"v1"}}]})");
  ASSERT_TRUE(index) << index.error().message;
  EXPECT_TRUE(is_index_media_type((*index)[0].media_type));
  EXPECT_EQ((*index)[0].architecture, "arm64");
  EXPECT_EQ((*index)[0].size, 12U);
  EXPECT_EQ((*index)[0].annotations.at("org.opencontainers.image.ref.name"), "v1");
  auto manifest = parse_oci_manifest(R"({"config":{"digest":")" + d + R"(","size":3},"layers":[{"digest":")" + d +
                                     R"(","size":-1}]})");
  ASSERT_FALSE(manifest);
  EXPECT_EQ(manifest.error().message,
            "a layer descriptor has a `size` that is not a non-negative integer");
  EXPECT_EQ(parse_oci_manifest(R"({"layers":[]})").error().message, "it has no `config`");
}

TEST(Manifest, BlobPathsAreOnlyDigests) {
  EXPECT_EQ(*blob_path("sha256:" + std::string(64, 'f')), "blobs/sha256/" + std::string(64, 'f'));
  for (const std::string& bad : std::vector<std::string>{"sha256:../../../etc/passwd", "sha256:" + std::string(63, 'a'),
                                "sha256:" + std::string(64, 'A'), "sha512:" + std::string(64, 'a'),
                                "sha256:" + std::string(63, 'a') + "/"}) {
    EXPECT_FALSE(blob_path(bad)) << bad;
  }
}

TEST(Manifest, ImageConfig) {
  auto c = parse_image_config(R"({"architecture":"amd64","os":"linux","config":{
    "Env":["PATH=/usr/bin","CUDA_VERSION=12.4.1","PATH=/opt/venv/bin:/usr/bin"],
    "Entrypoint":["/bin/sh"],"Cmd":null,"WorkingDir":"/w","User":"1000",
    "Labels":{"a":"b"}},"rootfs":{"type":"layers","diff_ids":["sha256:1","sha256:2"]}})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->architecture, "amd64");
  EXPECT_EQ(c->env_value("PATH"), "/opt/venv/bin:/usr/bin");  // the last one wins
  EXPECT_EQ(c->env_value("CUDA_VERSION"), "12.4.1");
  EXPECT_EQ(c->env_value("CUDA"), std::nullopt);
  EXPECT_EQ(c->entrypoint, (std::vector<std::string>{"/bin/sh"}));
  EXPECT_TRUE(c->cmd.empty());
  EXPECT_EQ(c->working_dir, "/w");
  EXPECT_EQ(c->labels.at("a"), "b");
  EXPECT_EQ(c->diff_ids.size(), 2U);
  EXPECT_EQ(parse_image_config(R"({"config":{"Env":"PATH=/x"}})").error().message,
            "`Env` is not an array of strings");
}

}  // namespace
}  // namespace mlstack::rootfs
