// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/site_folder.hpp"

#include "temp_tree.hpp"
#include <gtest/gtest.h>

namespace mlstack::pyenv {
namespace {

using testing::TempTree;

std::string error_of(const Result<SiteFolder>& r) {
  return r ? std::string("(no error)") : r.error().message;
}

TEST(SiteFolderCheck, AcceptsASiteFolderAndReadsItsPythonVersion) {
  TempTree t;
  t.write("lib/python3.11/site-packages/foo-1.0.dist-info/METADATA", "Name: foo\n");
  const io::RealFileSystem fs;
  const auto r = check_site_folder(fs, t / "lib/python3.11/site-packages");
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_TRUE(r->has_distributions);
  EXPECT_EQ(r->python_version, "3.11");
  EXPECT_EQ(r->path, t / "lib/python3.11/site-packages");
}

TEST(SiteFolderCheck, AcceptsAnEmptyFolderAsHavingNoDistributions) {
  TempTree t;
  t.mkdir("site");
  t.write("site/README.txt", "not a distribution\n");
  const io::RealFileSystem fs;
  const auto r = check_site_folder(fs, t / "site");
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_FALSE(r->has_distributions);
  EXPECT_EQ(r->python_version, std::nullopt);
}

TEST(SiteFolderCheck, CountsEggInfoAndEggLinkAnyCase) {
  TempTree t;
  t.write("a/Foo.EGG-INFO", "Name: foo\n");
  t.write("b/proj.egg-link", "/x\n.\n");
  const io::RealFileSystem fs;
  EXPECT_TRUE(check_site_folder(fs, t / "a")->has_distributions);
  EXPECT_TRUE(check_site_folder(fs, t / "b")->has_distributions);
}

TEST(SiteFolderCheck, RefusesAMissingPathAndAFile) {
  TempTree t;
  t.write("file", "x");
  t.symlink("nowhere", "dangling");
  const io::RealFileSystem fs;
  EXPECT_EQ(error_of(check_site_folder(fs, t / "nope")),
            "--site `" + (t / "nope") + "` does not exist");
  EXPECT_EQ(error_of(check_site_folder(fs, t / "dangling")),
            "--site `" + (t / "dangling") + "` does not exist");
  EXPECT_EQ(error_of(check_site_folder(fs, t / "file/below")),
            "--site `" + (t / "file/below") + "` does not exist");
  EXPECT_EQ(error_of(check_site_folder(fs, t / "file")),
            "--site `" + (t / "file") + "` is a file, expected a site-packages folder");
}

TEST(SiteFolderCheck, RefusesAFifoWithoutOpeningIt) {
  TempTree t;
  t.mkfifo("pipe");
  const io::RealFileSystem fs;
  EXPECT_EQ(error_of(check_site_folder(fs, t / "pipe")),
            "--site `" + (t / "pipe") + "` is a FIFO, expected a site-packages folder");
}

TEST(SiteFolderCheck, NamesTheSiteFolderOfAVirtualEnvironment) {
  TempTree t;
  t.write("venv/pyvenv.cfg", "home = /usr/bin\n");
  t.mkdir("venv/lib/python3.11/site-packages");
  t.write("venv/bin/python", "");
  const io::RealFileSystem fs;
  const std::string venv = t / "venv";
  EXPECT_EQ(error_of(check_site_folder(fs, venv)),
            "--site `" + venv + "` is a virtual environment, not a site-packages folder\n"
            "hint: did you mean `--site " + venv + "/lib/python3.11/site-packages`? (or `--python " +
            venv + "/bin/python`)");
  EXPECT_EQ(error_of(check_site_folder(fs, venv + "/lib/python3.11")),
            "--site `" + venv + "/lib/python3.11` is a Python library folder, not its "
            "site-packages folder\nhint: did you mean `--site " + venv +
            "/lib/python3.11/site-packages`?");
  EXPECT_EQ(error_of(check_site_folder(fs, venv + "/lib")),
            "--site `" + venv + "/lib` is not a site-packages folder: it holds no distributions\n"
            "hint: did you mean `--site " + venv + "/lib/python3.11/site-packages`?");
}

TEST(SiteFolderCheck, ListsEverySiteFolderOfARootFileSystem) {
  TempTree t;
  t.mkdir("root/usr/lib/python3/dist-packages");
  t.mkdir("root/usr/local/lib/python3.11/dist-packages");
  t.mkdir("root/etc");
  const io::RealFileSystem fs;
  const std::string root = t / "root";
  EXPECT_EQ(error_of(check_site_folder(fs, root)),
            "--site `" + root + "` is not a site-packages folder: it holds no distributions\n"
            "hint: did you mean one of `--site " + root + "/usr/lib/python3/dist-packages`, "
            "`--site " + root + "/usr/local/lib/python3.11/dist-packages`?");
}

TEST(SiteFolderVersion, ReadsThePythonFolderAboveTheSiteFolder) {
  EXPECT_EQ(python_version_from_site_path("/v/lib/python3.11/site-packages"), "3.11");
  EXPECT_EQ(python_version_from_site_path("/v/lib/python3.9/site-packages/"), "3.9");
  EXPECT_EQ(python_version_from_site_path("/usr/local/lib/python3.12/dist-packages"), "3.12");
  EXPECT_EQ(python_version_from_site_path("python3.10/site-packages"), "3.10");
  EXPECT_EQ(python_version_from_site_path("/v/lib//python3.13//site-packages"), "3.13");
}

TEST(SiteFolderVersion, ReadsNothingFromOtherPaths) {
  EXPECT_EQ(python_version_from_site_path("/usr/lib/python3/dist-packages"), std::nullopt);
  EXPECT_EQ(python_version_from_site_path("C:/venv/Lib/site-packages"), std::nullopt);
  EXPECT_EQ(python_version_from_site_path("/v/lib/python3.13t/site-packages"), std::nullopt);
  EXPECT_EQ(python_version_from_site_path("/v/lib/python3.11/site-packages/foo"), std::nullopt);
  EXPECT_EQ(python_version_from_site_path("/v/lib/python3.11.2/site-packages"), std::nullopt);
  EXPECT_EQ(python_version_from_site_path("/v/lib/pypy3.10/site-packages"), std::nullopt);
  EXPECT_EQ(python_version_from_site_path("site-packages"), std::nullopt);
  EXPECT_EQ(python_version_from_site_path(""), std::nullopt);
}

}  // namespace
}  // namespace mlstack::pyenv
