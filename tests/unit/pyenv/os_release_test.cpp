// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/os_release.hpp"

#include "temp_tree.hpp"
#include <gtest/gtest.h>

namespace mlstack::pyenv {
namespace {

using testing::TempTree;

TEST(OsReleaseParse, ReadsQuotedAndPlainValues) {
  const auto fields = parse_os_release(
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
      "NAME='Debian GNU/Linux'\n"
      "VERSION_ID=\"12\"\n"
      "ID=debian\n"
      "# a comment\n"
      "\n"
      "not an assignment\n"
      "BAD-KEY=x\n"
      "=novalue\n"
      "QUOTED=\"say \\\"hi\\\" \\\\ \\$HOME\"\n");
  EXPECT_EQ(fields.at("PRETTY_NAME"), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(fields.at("NAME"), "Debian GNU/Linux");
  EXPECT_EQ(fields.at("VERSION_ID"), "12");
  EXPECT_EQ(fields.at("ID"), "debian");
  EXPECT_EQ(fields.at("QUOTED"), "say \"hi\" \\ $HOME");
  EXPECT_EQ(fields.count("BAD-KEY"), 0U);
  EXPECT_EQ(fields.size(), 5U);
}

TEST(SystemFactsRead, PrefersEtcThenUsrLib) {
  TempTree t;
  t.write("usr/lib/os-release", "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\n");
  facts::PythonFacts py;
  py.tags.glibc_version = "2.35";
  const io::RealFileSystem fs;
  auto sys = read_system_facts(fs, py, t.path());
  EXPECT_EQ(sys.os_name, "Ubuntu 22.04");  // no PRETTY_NAME: NAME and VERSION_ID
  EXPECT_EQ(sys.os_id, "ubuntu");
  EXPECT_EQ(sys.os_version_id, "22.04");
  EXPECT_EQ(sys.os_source, "/usr/lib/os-release");
  EXPECT_EQ(sys.glibc_version, "2.35");
  t.write("etc/os-release", "PRETTY_NAME=\"Rocky Linux 9.4 (Blue Onyx)\"\nID=\"rocky\"\n");
  sys = read_system_facts(fs, py, t.path());
  EXPECT_EQ(sys.os_name, "Rocky Linux 9.4 (Blue Onyx)");
  EXPECT_EQ(sys.os_id, "rocky");
  EXPECT_EQ(sys.os_version_id, "");
  EXPECT_EQ(sys.os_source, "/etc/os-release");
}

TEST(SystemFactsRead, LeavesTheOsEmptyWithoutAFile) {
  TempTree t;
  t.mkdir("etc");
  t.mkfifo("etc/os-release");  // never opened blocking
  const io::RealFileSystem fs;
  const auto sys = read_system_facts(fs, facts::PythonFacts{}, t.path());
  EXPECT_EQ(sys.os_name, "");
  EXPECT_EQ(sys.os_source, "");
  EXPECT_EQ(sys.glibc_version, "");
}

}  // namespace
}  // namespace mlstack::pyenv
