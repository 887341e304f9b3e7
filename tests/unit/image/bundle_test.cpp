// SPDX-License-Identifier: MIT
#include "mlstack/image/bundle.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <vector>

#include "mlstack/elf/elf_file.hpp"
#include "mlstack/pyenv/spawn.hpp"

namespace mlstack::image {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "mlstack-bundle-XXXXXX").string();
    m_path = mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

bool have_patchelf() {
  return std::system("command -v patchelf >/dev/null 2>&1") == 0;
}

// The test binary itself is bundled with its folder as the image path, so the bundled copy
// runs here through the copied interpreter and libraries only.
TEST(MakeBundle, CopiesTheInterpreterAndLibrariesAndPointsTheBinaryAtThem) {
  if (!have_patchelf()) {
    GTEST_SKIP() << "patchelf is not installed (Debian package patchelf)";
  }
  TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  BundleSources sources;
  sources.executable = fs::read_symlink("/proc/self/exe").string();
  const std::string dir = tmp.path() + "/mlstack";
  auto bundle = make_bundle(sources, dir, dir);
  ASSERT_TRUE(bundle) << to_string(bundle.error());
  EXPECT_EQ(bundle->interpreter, dir + "/lib/ld-linux-x86-64.so.2");
  EXPECT_TRUE(std::is_sorted(bundle->libraries.begin(), bundle->libraries.end()));
  EXPECT_NE(std::find(bundle->libraries.begin(), bundle->libraries.end(), "libc.so.6"),
            bundle->libraries.end());
  for (const std::string& so : bundle->libraries) {
    EXPECT_TRUE(fs::is_regular_file(dir + "/lib/" + so)) << so;
  }
  auto copy = elf::ElfFile::open(dir + "/bin/mlstack");
  ASSERT_TRUE(copy);
  const auto interp = copy->section(".interp");
  ASSERT_TRUE(interp);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(interp->bytes.data())),
            bundle->interpreter);
  auto dynamic = copy->dynamic();
  ASSERT_TRUE(dynamic);
  EXPECT_EQ(dynamic->rpath, dir + "/lib");

  auto run = pyenv::run_process({dir + "/bin/mlstack", "--gtest_list_tests",
                                 "--gtest_filter=MakeBundle.*"},
                                std::chrono::seconds(30));
  ASSERT_TRUE(run) << to_string(run.error());
  EXPECT_EQ(run->exit_status, 0) << run->stderr_text;
  EXPECT_NE(run->stdout_text.find("CopiesTheInterpreterAndLibraries"), std::string::npos);
}

// The real mlstack bundled with the ONNX reader plugin: the plugin lands in lib/mlstack/, what
// it needs in lib/, and the bundled mlstack reads a .pb through it (no MLSTACK_ONNX_PLUGIN).
TEST(MakeBundle, CarriesThePluginWhereMlstackLooksAndWhatItNeeds) {
  if (!have_patchelf()) {
    GTEST_SKIP() << "patchelf is not installed";
  }
  TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  BundleSources sources;
  sources.executable = MLSTACK_EXECUTABLE;
  sources.plugins = {MLSTACK_ONNX_PLUGIN_FILE};
  const std::string dir = tmp.path() + "/mlstack";
  auto bundle = make_bundle(sources, dir, dir);
  ASSERT_TRUE(bundle) << to_string(bundle.error());
  EXPECT_EQ(bundle->plugins, std::vector<std::string>{"libmlstack-onnx.so"});
  const auto has = [&](std::string_view prefix) {
    return std::any_of(bundle->libraries.begin(), bundle->libraries.end(),
                       [&](const std::string& so) { return so.starts_with(prefix); });
  };
  EXPECT_TRUE(has("libonnx_proto.so."));
  EXPECT_TRUE(has("libprotobuf.so."));
  EXPECT_TRUE(has("libstdc++.so."));
  EXPECT_TRUE(std::is_sorted(bundle->libraries.begin(), bundle->libraries.end()));
  for (const std::string& so : bundle->libraries) {
    EXPECT_TRUE(fs::is_regular_file(dir + "/lib/" + so)) << so;
  }
  auto plugin = elf::ElfFile::open(dir + "/lib/mlstack/libmlstack-onnx.so");
  ASSERT_TRUE(plugin) << to_string(plugin.error());
  auto dynamic = plugin->dynamic();
  ASSERT_TRUE(dynamic);
  EXPECT_EQ(dynamic->rpath, dir + "/lib");
  EXPECT_EQ(dynamic->runpath, "");

  ::unsetenv("MLSTACK_ONNX_PLUGIN");
  const std::string pb = std::string(MLSTACK_SOURCE_DIR) + "/tests/cli/compare-map-torch/fs/output_0.pb";
  auto run = pyenv::run_process({dir + "/bin/mlstack", "compare", pb, pb},
                                std::chrono::seconds(30));
  ASSERT_TRUE(run) << to_string(run.error());
  EXPECT_EQ(run->exit_status, 0) << run->stdout_text << run->stderr_text;
  EXPECT_NE(run->stdout_text.find("agree: 1 of 1 tensors agree"), std::string::npos)
      << run->stdout_text;
}

TEST(MakeBundle, NamesAMissingLibrary) {
  if (!have_patchelf()) {
    GTEST_SKIP() << "patchelf is not installed";
  }
  TempDir tmp;
  BundleSources sources;
  sources.executable = fs::read_symlink("/proc/self/exe").string();
  sources.library_dirs = {tmp.path() + "/nowhere"};
  auto bundle = make_bundle(sources, tmp.path() + "/b", "/opt/mlstack");
  ASSERT_FALSE(bundle);
  EXPECT_NE(to_string(bundle.error()).find("which is in none of the library folders"),
            std::string::npos)
      << to_string(bundle.error());
}

TEST(MakeBundle, NamesAFileThatIsNotElf) {
  TempDir tmp;
  BundleSources sources;
  sources.executable = tmp.path() + "/missing";
  auto bundle = make_bundle(sources, tmp.path() + "/b", "/opt/mlstack");
  ASSERT_FALSE(bundle);
  EXPECT_NE(to_string(bundle.error()).find(tmp.path() + "/missing"), std::string::npos);
}

}  // namespace
}  // namespace mlstack::image
