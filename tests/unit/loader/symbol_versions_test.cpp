// SPDX-License-Identifier: MIT
// elf::ElfFile::symbol_versions and DT_FLAGS_1 / class / machine, on the fixture's version
// script library and, against `readelf -V`, on system libraries.
#include "mlstack/elf/elf_file.hpp"
#include "run_command.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace mlstack::elf {
namespace {

using loader::testing::run_command;

const std::string k_fixture = MLSTACK_LOADER_FIXTURE;

TEST(SymbolVersions, ReadsTheFixturesVersionScript) {
  auto ldc = ElfFile::open(k_fixture + "/rpath/libldc.so.1");
  ASSERT_TRUE(ldc) << render(ldc.error());
  EXPECT_EQ(ldc->symbol_versions().definitions, (std::vector<std::string>{"LDC_1.0", "LDC_2.0"}));
  auto ldb = ElfFile::open(k_fixture + "/rpath/libldb.so.1");
  ASSERT_TRUE(ldb);
  bool found = false;
  for (const VersionNeed& need : ldb->symbol_versions().needs) {
    if (need.file == "libldc.so.1") {
      EXPECT_EQ(need.versions, (std::vector<std::string>{"LDC_2.0"}));
      found = true;
    }
  }
  EXPECT_TRUE(found);
  auto d = ldb->dynamic();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->soname, "libldb.so.1");
  EXPECT_EQ(d->elf_class, 2U);  // the test binary's own class and machine
  EXPECT_EQ(d->machine, static_cast<unsigned>(ElfFile::open("/proc/self/exe")->dynamic()->machine));
  EXPECT_FALSE(d->nodeflib());
  auto lda = ElfFile::open(k_fixture + "/rpath/liblda.so.1");
  ASSERT_TRUE(lda);
  EXPECT_EQ(lda->dynamic()->runpath, "$ORIGIN/../runpath");
  EXPECT_EQ(lda->dynamic()->rpath, "");
  auto probe = ElfFile::open(k_fixture + "/bin/loader_probe");
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->dynamic()->rpath, "$ORIGIN/../rpath");
  EXPECT_EQ(probe->dynamic()->runpath, "");
}

// What `readelf -V` lists: "File: X  Cnt: N" then "Name: V  Flags: ..." per need, and the
// definitions ("Rev: 1  Flags: none  Index: 2  Cnt: 1  Name: GLIBCXX_3.4"), base excluded.
SymbolVersions readelf_versions(const std::string& path) {
  SymbolVersions out;
  std::istringstream lines(run_command("readelf -V -W " + path));
  bool in_needs = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("Version needs section") != std::string::npos) {
      in_needs = true;
    } else if (line.find("Version definition section") != std::string::npos ||
               line.find("Version symbols section") != std::string::npos) {
      in_needs = false;
    }
    auto field = [&](std::string_view key) {
      const std::size_t at = line.find(key);
      if (at == std::string::npos) {
        return std::string();
      }
      const std::size_t start = at + key.size();
      return line.substr(start, line.find(' ', start) - start);
    };
    if (in_needs && line.find("File: ") != std::string::npos) {
      out.needs.push_back({field("File: "), {}, {}});
    } else if (in_needs && line.find("Name: ") != std::string::npos && !out.needs.empty()) {
      out.needs.back().versions.push_back(field("Name: "));
      out.needs.back().weak.push_back(field("Flags: ") == "WEAK");
    } else if (!in_needs && line.find("Rev: ") != std::string::npos &&
               line.find("Flags: BASE") == std::string::npos) {
      out.definitions.push_back(field("Name: "));
    }
  }
  return out;
}

TEST(SymbolVersions, AgreeWithReadelf) {
  int compared = 0;
  for (const std::string path : {"/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                                 "/usr/lib/x86_64-linux-gnu/libicuuc.so.72",
                                 "/usr/lib/x86_64-linux-gnu/libfmt.so.9",
                                 "/lib/x86_64-linux-gnu/libc.so.6"}) {
    auto f = ElfFile::open(path);
    if (!f) {
      continue;
    }
    SCOPED_TRACE(path);
    const SymbolVersions expected = readelf_versions(path);
    const SymbolVersions actual = f->symbol_versions();
    ASSERT_EQ(actual.needs.size(), expected.needs.size());
    for (std::size_t i = 0; i < actual.needs.size(); ++i) {
      EXPECT_EQ(actual.needs[i].file, expected.needs[i].file);
      EXPECT_EQ(actual.needs[i].versions, expected.needs[i].versions);
      EXPECT_EQ(actual.needs[i].weak, expected.needs[i].weak);
    }
    EXPECT_EQ(actual.definitions, expected.definitions);
    ++compared;
  }
  EXPECT_GT(compared, 0);
}

}  // namespace
}  // namespace mlstack::elf
