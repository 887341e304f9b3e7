// SPDX-License-Identifier: MIT
#include "mlstack/image/render.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace mlstack::image {
namespace {

namespace fs = std::filesystem;

// The seed's stack as a plan would give it: no lock (`--no-resolve`), the torch build from
// PyTorch's cu113 index, protobuf and numpy pinned for both frameworks.
ImageRequest seed_request() {
  ImageRequest r;
  r.name = "seed";
  r.base_image = "docker.io/library/python:3.9-slim-bullseye";
  r.python = "3.9";
  r.mlstack_version = "0.1.0";
  r.shared_pins = {"numpy<2", "protobuf<3.20"};
  r.nvidia_require_cuda = "cuda>=11.3 brand=tesla,driver>=450,driver<451";
  r.labels = {{"org.opencontainers.image.source", "https://example.org/seed"}};
  r.env = {{"PYTHONDONTWRITEBYTECODE", "1"}};
  Variant tf{"tf", "TensorFlow 2.9 only", {"tensorflow==2.9.1"}, {}, {},
             {{"TF_FORCE_GPU_ALLOW_GROWTH", "true"}}};
  Variant torch{"torch", "PyTorch 1.12.1 (CUDA 11.3) only", {"torch==1.12.1+cu113"},
                {"https://download.pytorch.org/whl/cu113"}, {}, {}};
  Variant full{"full", "TensorFlow and PyTorch sharing one GPU",
               {"tensorflow==2.9.1", "torch==1.12.1+cu113"},
               {"https://download.pytorch.org/whl/cu113"}, {},
               {{"TF_FORCE_GPU_ALLOW_GROWTH", "true"}}};
  r.variants = {tf, torch, full};
  return r;
}

// A locked variant as `uv pip compile --generate-hashes` writes it: continued lines, comments.
ImageRequest locked_request() {
  ImageRequest r;
  r.base_image = "localhost/debian-bullseye";
  r.python = "3.9";
  r.mlstack_version = "0.1.0";
  r.shared_pins = {"packaging==24.2 \\",
                   "    --hash=sha256:09abb1bccd265c01f4a3aa3f7a7db064b36514d2cba19a2f694fe6150451a759"};
  Variant small{"small", "a \"small\" set for $HOME", {
      "# via the test",
      "python-dateutil==2.9.0.post0 \\",
      "    --hash=sha256:37dd54208da7e1cd875388217d5e00ebd4179249f90fb72437e91a35459a0ad3",
      "six==1.17.0 \\",
      "    --hash=sha256:4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274 \\",
      "    --hash=sha256:ff70335d468e7eb6ec65b95b99d3a2836546063f63acc5171de367e834932a81",
  }, {}, {"/wheels dir/it's here"}, {}};
  r.variants = {small};
  return r;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void expect_golden(const std::string& name, const ImageRequest& request) {
  auto files = render_context(request);
  ASSERT_TRUE(files) << to_string(files.error());
  const fs::path dir = fs::path(MLSTACK_IMAGE_GOLDEN_DIR) / name;
  const bool update = std::getenv("MLSTACK_UPDATE_GOLDEN") != nullptr;
  for (const ContextFile& f : *files) {
    const fs::path path = dir / f.path;
    if (update) {
      fs::create_directories(path.parent_path());
      std::ofstream(path, std::ios::binary) << f.content;
    }
    EXPECT_EQ(f.content, read_file(path)) << path << " (MLSTACK_UPDATE_GOLDEN=1 rewrites it)";
  }
  std::size_t on_disk = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      ++on_disk;
    }
  }
  EXPECT_EQ(on_disk, files->size()) << "a golden file that is no longer written: " << dir;
}

TEST(RenderContext, SeedPlanGolden) { expect_golden("seed-no-resolve", seed_request()); }

TEST(RenderContext, LockedGolden) { expect_golden("locked", locked_request()); }

TEST(RenderContext, SameRequestSameBytes) {
  auto a = render_context(seed_request());
  auto b = render_context(seed_request());
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->size(), b->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].path, (*b)[i].path);
    EXPECT_EQ((*a)[i].content, (*b)[i].content);
  }
}

TEST(RenderContext, LockInstallsWithHashesAndNoResolver) {
  auto files = render_context(locked_request());
  ASSERT_TRUE(files);
  const std::string& small = (*files)[1].content;
  EXPECT_EQ((*files)[1].path, "Dockerfile.small");
  EXPECT_NE(small.find("--require-hashes"), std::string::npos);
  EXPECT_NE(small.find("--no-deps"), std::string::npos);
  EXPECT_EQ(small.find("-c /opt/mlstack/constraints.txt"), std::string::npos);
  // Quoting: a Dockerfile string keeps `"` and `$` literal, the shell word keeps `'`.
  EXPECT_NE(small.find(R"(description="a \"small\" set for \$HOME")"), std::string::npos);
  EXPECT_NE(small.find(R"(--find-links '/wheels dir/it'\''s here')"), std::string::npos);
}

TEST(RenderContext, PlannedPinsResolveUnderTheSharedPins) {
  auto files = render_context(seed_request());
  ASSERT_TRUE(files);
  const std::string& torch = (*files)[2].content;
  EXPECT_EQ((*files)[2].path, "Dockerfile.torch");
  EXPECT_EQ(torch.find("--require-hashes"), std::string::npos);
  EXPECT_NE(torch.find("-c /opt/mlstack/constraints.txt"), std::string::npos);
  EXPECT_NE(torch.find("--extra-index-url 'https://download.pytorch.org/whl/cu113'"),
            std::string::npos);
  EXPECT_NE(torch.find("RUN [\"/opt/mlstack/bin/mlstack\", \"check\"]"), std::string::npos);
  const std::string& base = (*files)[0].content;
  EXPECT_NE(base.find("HEALTHCHECK"), std::string::npos);
  EXPECT_NE(base.find("NVIDIA_REQUIRE_CUDA=\"cuda>=11.3"), std::string::npos);
  EXPECT_NE(base.find("--mount=type=secret,id=pipconf,target=/etc/pip.conf"),
            std::string::npos);
}

TEST(IsHashed, ContinuedLinesCommentsAndOptions) {
  EXPECT_TRUE(is_hashed({"a==1 \\", "  --hash=sha256:00", "# c", "", "--index-url x"}));
  EXPECT_FALSE(is_hashed({"a==1", "b==2 --hash=sha256:00"}));
  EXPECT_FALSE(is_hashed({"# only a comment"}));
  EXPECT_FALSE(is_hashed({}));
}

std::string error_of(const ImageRequest& r) {
  auto files = render_context(r);
  return files ? std::string("(no error)") : to_string(files.error());
}

TEST(RenderContext, RefusesWhatCannotBeWrittenSafely) {
  ImageRequest r = seed_request();
  r.variants[0].requirements = {"a==1 --hash=sha256:00", "b==2"};
  EXPECT_EQ(error_of(r),
            "variant `tf`: 1 of 2 requirements have hashes; a lock needs one on every line");
  r = seed_request();
  r.variants[1].name = "tf";
  EXPECT_EQ(error_of(r), "two variants are named `tf`");
  r = seed_request();
  r.variants[0].name = "Tf Only";
  EXPECT_EQ(error_of(r),
            "variant name `Tf Only`: expected lowercase letters, digits, `.`, `_` or `-` (and "
            "not `base` or `shared`)");
  r = seed_request();
  r.variants[0].name = "base";
  EXPECT_NE(error_of(r).find("variant name `base`"), std::string::npos);
  r = seed_request();
  r.env = {{"BAD KEY", "1"}};
  EXPECT_EQ(error_of(r), "environment: `BAD KEY` is not a valid environment variable name");
  r = seed_request();
  r.labels = {{"a", "line\nbreak"}};
  EXPECT_EQ(error_of(r), "labels: the value of `a` has a control character");
  r = seed_request();
  r.variants[2].requirements = {"torch\nRUN rm -rf /"};
  EXPECT_EQ(error_of(r), "variant `full`: a requirement line has a control character");
  r = seed_request();
  r.base_image = "";
  EXPECT_EQ(error_of(r), "base image ``: expected an image reference");
  r = seed_request();
  r.variants.clear();
  EXPECT_EQ(error_of(r), "no variants: expected at least one image besides the base");
}

}  // namespace
}  // namespace mlstack::image
