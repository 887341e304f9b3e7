// SPDX-License-Identifier: MIT
#include "mlstack/image/bundle.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

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
