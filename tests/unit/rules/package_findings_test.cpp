// SPDX-License-Identifier: MIT
#include "mlstack/rules/package_findings.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "fixtures.hpp"
#include "mlstack/pep508/marker_environment.hpp"
#include "mlstack/tags/supported_tags.hpp"

namespace mlstack::rules {
namespace {

using testing::dist;

std::vector<Finding> findings_of(const facts::Inventory& inv) {
  const facts::PythonFacts py = testing::linux_cp311();
  const pep508::MarkerEnvironment env(py.markers);
  const auto supported = tags::SupportedTags::from_facts(py.tags);
  const PackageSet set = build_package_set(inv, env);
  const PipCheckResult pip = pip_check(set, inv, &*supported);
  return package_findings(PackageContext{py, inv, env, set, pip});
}

std::vector<std::string> ids(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const Finding& f : fs) {
    out.push_back(f.id);
  }
  return out;
}

TEST(PackageFindingsExtras, ReportsRequirementsOfRequestedExtras) {
  facts::Inventory inv;
  inv.dists = {dist("app", "1.0", {"lib[gpu]>=1"}),
               dist("lib", "1.0", {"cuda-rt>=12; extra == 'gpu'", "old>=2; extra == 'gpu'",
                                   "never; extra == 'other'"}),
               dist("old", "1.5")};
  const auto fs = findings_of(inv);
  ASSERT_EQ(ids(fs), (std::vector<std::string>{"PKG-EXTRA-CONFLICT", "PKG-EXTRA-MISSING"}));
  EXPECT_EQ(fs[1].title,
            "app 1.0 requires lib[gpu], whose requirement cuda-rt>=12 is not installed");
  EXPECT_EQ(fs[1].fix, "/venv/bin/python -m pip install 'cuda-rt>=12'");
  EXPECT_EQ(fs[0].title, "app 1.0 requires lib[gpu], whose requirement old>=2 is not met by old 1.5");
}

TEST(PackageFindingsDuplicate, NamesBothLocations) {
  facts::Inventory inv;
  inv.dists = {dist("numpy", "1.26.4")};
  facts::InstalledDist shadow = dist("numpy", "2.0.0");
  shadow.location = "/root/.local/lib/python3.11/site-packages";
  inv.shadowed = {shadow};
  const auto fs = findings_of(inv);
  ASSERT_EQ(ids(fs), std::vector<std::string>{"PKG-DUPLICATE"});
  EXPECT_EQ(fs[0].title,
            "numpy: 1.26.4 in /venv/lib/python3.11/site-packages shadows 2.0.0 in "
            "/root/.local/lib/python3.11/site-packages");
}

TEST(PackageFindingsRequiresPython, FlagsUnmetAndInvalid) {
  facts::Inventory inv;
  inv.dists = {dist("new", "1.0"), dist("ok", "1.0"), dist("bad", "1.0")};
  inv.dists[0].requires_python = ">=3.12";
  inv.dists[1].requires_python = ">=3.8, <4";
  inv.dists[2].requires_python = ">=3.x";
  const auto fs = findings_of(inv);
  ASSERT_EQ(ids(fs), (std::vector<std::string>{"PKG-REQUIRES-PYTHON", "PKG-BAD-METADATA"}));
  EXPECT_EQ(fs[0].title, "new 1.0 requires Python >=3.12 but the interpreter is 3.11.7");
}

TEST(PackageFindingsFileClash, GroupsByPair) {
  facts::Inventory inv;
  inv.dists = {dist("opencv-python", "4.9.0"), dist("opencv-python-headless", "4.9.0")};
  inv.file_clashes = {facts::FileClash{0, 1, {"/s/cv2/__init__.py", "/s/cv2/a.so"}, 1, 1}};
  const auto fs = findings_of(inv);
  ASSERT_EQ(ids(fs), std::vector<std::string>{"PKG-FILE-CLASH"});
  EXPECT_EQ(fs[0].title,
            "opencv-python and opencv-python-headless both own 2 files, e.g. /s/cv2/__init__.py");
  EXPECT_EQ(fs[0].evidence.back(),
            "on disk: opencv-python-headless's copy (the size of /s/cv2/a.so matches its RECORD)");
}

TEST(PackageFindingsFileClash, SameContentIsInformation) {
  facts::Inventory inv;
  inv.dists = {dist("tensorboard", "2.9.1"), dist("tensorflow", "2.9.1")};
  inv.file_clashes = {
      facts::FileClash{0, 1, {"/v/bin/tensorboard"}, std::nullopt, std::nullopt, true}};
  const auto fs = findings_of(inv);
  ASSERT_EQ(ids(fs), std::vector<std::string>{"PKG-FILE-CLASH"});
  EXPECT_EQ(fs[0].severity, Severity::info);
  EXPECT_EQ(fs[0].fix, "nothing is required; after uninstalling one, reinstall the other: "
                       "/venv/bin/python -m pip install --force-reinstall --no-deps tensorflow");
}

// nvidia-cudnn-cu12 and -cu13 put libcudnn.so.9 in one folder: uninstalling either breaks a
// framework, so the fix defers to the rules that know who loads which copy.
TEST(PackageFindingsFileClash, CudaMajorTwinsDeferToTheLibraryRules) {
  facts::Inventory inv;
  inv.dists = {dist("nvidia-cudnn-cu13", "9.26.0.51"), dist("nvidia-cudnn-cu12", "9.28.0.42")};
  inv.file_clashes = {facts::FileClash{0, 1, {"/s/nvidia/cudnn/lib/libcudnn.so.9"}, 1, 0}};
  const auto fs = findings_of(inv);
  ASSERT_EQ(ids(fs), std::vector<std::string>{"PKG-FILE-CLASH"});
  EXPECT_EQ(fs[0].severity, Severity::warning);
  EXPECT_NE(fs[0].fix.find("FW-LIB-CUDA-MISMATCH"), std::string::npos);
  EXPECT_EQ(fs[0].fix.find("pip uninstall"), std::string::npos);
}

TEST(PackageFindingsPip, MirrorsPipCheck) {
  facts::Inventory inv;
  inv.dists = {dist("a", "1.0", {"b>=2", "c"}), dist("b", "1.0")};
  const auto fs = findings_of(inv);
  ASSERT_EQ(ids(fs), (std::vector<std::string>{"PKG-CONFLICT", "PKG-MISSING"}));
  EXPECT_EQ(fs[0].fix, "/venv/bin/python -m pip install 'b>=2'");
}

}  // namespace
}  // namespace mlstack::rules
