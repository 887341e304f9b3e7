// SPDX-License-Identifier: MIT
#include "mlstack/metadata/core_metadata.hpp"

#include "mlstack/metadata/wheel_file.hpp"

#include <gtest/gtest.h>

namespace mlstack::metadata {
namespace {

TEST(CoreMetadataParse, ReadsFieldsRaw) {
  const auto p = parse_core_metadata(
      "Metadata-Version: 2.1\r\nName: torch\r\nVersion: 2.3.0+cu121\r\n"
      "Requires-Dist: filelock\r\nrequires-dist: sympy ; extra == 'x'  \r\n"
      "Requires-Dist: a\r\n  >=1\r\nProvides-Extra: x\r\nRequires-Python: >=3.8\r\n"
      "Summary: Tensors\r\n\r\nRequires-Dist: in-body\r\n");
  EXPECT_EQ(p.metadata.name, "torch");
  EXPECT_EQ(p.metadata.version, "2.3.0+cu121");
  EXPECT_EQ(p.metadata.metadata_version, "2.1");
  EXPECT_EQ(p.metadata.requires_python, ">=3.8");
  EXPECT_EQ(p.metadata.summary, "Tensors");
  EXPECT_EQ(p.metadata.requires_dist,
            (std::vector<std::string>{"filelock", "sympy ; extra == 'x'  ", "      a\n>=1"}));
  EXPECT_EQ(p.metadata.provides_extra, (std::vector<std::string>{"x"}));
  EXPECT_TRUE(p.problems.empty());
  EXPECT_FALSE(p.decode_error);
}

TEST(CoreMetadataParse, CollectsAllProblems) {
  const auto p = parse_core_metadata("  stray\nName: bad name!\nno colon\n");
  EXPECT_EQ(p.problems,
            (std::vector<std::string>{
                // feedparser finds the end of the section before it folds the lines.
                "line 3: not a header line: the header section ends here without a blank line",
                "line 1: a continuation line with no header before it is ignored",
                "missing `Metadata-Version`", "invalid `Name`: 'bad name!'", "missing `Version`"}));
}

TEST(CoreMetadataParse, RejectsInvalidUtf8Anywhere) {
  const auto p = parse_core_metadata("Name: a\nVersion: 1\n\nbody \xff\n");
  ASSERT_TRUE(p.decode_error);
  EXPECT_EQ(*p.decode_error,
            "'utf-8' codec can't decode byte 0xff in position 25: invalid start byte");
  EXPECT_FALSE(p.metadata.name);
  EXPECT_EQ(p.problems.size(), 1U);
}

TEST(WheelFileParse, KeepsTagsUnstripped) {
  const auto w = parse_wheel_file("Wheel-Version: 1.0\ntag: py3-none-any \nTag: a\n  b\n");
  EXPECT_EQ(w.tags, (std::vector<std::string>{"py3-none-any ", "a\n  b"}));
}

TEST(InstallerParse, TakesFirstNonEmptyLine) {
  EXPECT_EQ(parse_installer("\n  pip  \nuv\n"), "pip");
  EXPECT_EQ(parse_installer(""), "");
  EXPECT_EQ(parse_installer("\xff"), "");
}

std::vector<std::string> record_paths(std::string_view text) {
  std::vector<std::string> out;
  RecordReader reader(text);
  while (const auto path = reader.next()) {
    out.emplace_back(*path);
  }
  return out;
}

TEST(RecordParse, ReadsFirstFieldOfEachRow) {
  EXPECT_EQ(record_paths("a/b.py,sha256=x,12\r\n\"c,d.py\",,\n\"e\"\"f\",,\n\ng\n"),
            (std::vector<std::string>{"a/b.py", "c,d.py", "e\"f", "g"}));
}

TEST(RecordParse, GivesEachRowsHashAndSize) {
  RecordReader reader("\"a,b.py\",sha256=x-Y_z,12\nc.py,,\nd.py\ne.pyc,sha256=q,\n");
  std::vector<std::string> hashes;
  std::vector<std::optional<std::uint64_t>> sizes;
  while (reader.next()) {
    hashes.emplace_back(reader.hash());
    sizes.push_back(reader.size());
  }
  EXPECT_EQ(hashes, (std::vector<std::string>{"sha256=x-Y_z", "", "", "sha256=q"}));
  EXPECT_EQ(sizes, (std::vector<std::optional<std::uint64_t>>{12, std::nullopt, std::nullopt,
                                                              std::nullopt}));
}

TEST(RecordParse, BreaksLinesAsSplitlines) {
  // Long rows take the 16-byte scan; every str.splitlines() break ends a row.
  const std::string long_path = "pkg/" + std::string(40, 'x') + ".py";
  EXPECT_EQ(record_paths(long_path + ",sha256=" + std::string(43, 'h') + ",1234\n" + long_path +
                         "\v" + long_path + "\x1c/abs/" + long_path + ",,\r" + "caf\xc3\xa9,,"),
            (std::vector<std::string>{long_path, long_path, long_path, "/abs/" + long_path,
                                      "caf\xc3\xa9"}));
  EXPECT_EQ(record_paths("a\xe2\x80\xa8"
                         "b,,\xc2\x85"
                         "c\xc2\xa0"
                         "d,x\n,e\n\"q\"tail,x"),
            (std::vector<std::string>{"a", "b",
                                      "c\xc2\xa0"
                                      "d",
                                      "", "qtail"}));
  EXPECT_EQ(record_paths(""), std::vector<std::string>{});
  EXPECT_EQ(record_paths("\n\n\r\n"), std::vector<std::string>{});
}

bool only_ascii(std::string_view text) {
  RecordReader reader(text);
  while (reader.next()) {
  }
  return reader.only_ascii();
}

TEST(RecordParse, TellsWhetherEverythingReadWasAscii) {
  const std::string row =
      "pkg/" + std::string(40, 'x') + ".py,sha256=" + std::string(43, 'h') + ",1234\r\n";
  EXPECT_TRUE(only_ascii(""));
  EXPECT_TRUE(only_ascii(row + row + "\"q\"\"x\",,\n\n,\v" + row + "last"));
  EXPECT_FALSE(only_ascii(row + "caf\xc3\xa9,," + row));  // in a path
  EXPECT_FALSE(only_ascii(row + "a,sha\xff\n" + row));    // after the comma
  EXPECT_FALSE(only_ascii(row + "a\tb\xff,,\n"));         // after a control byte
  EXPECT_FALSE(only_ascii(row + "\"a\xc2\x85\",,\n"));    // a U+0085 break
  EXPECT_FALSE(only_ascii(row + "\xe2\x80\xa8" + row));   // a U+2028 break
}

}  // namespace
}  // namespace mlstack::metadata
