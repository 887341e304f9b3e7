// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/scan.hpp"

#include "mlstack/pyenv/spawn.hpp"

#include "../reference_check.hpp"
#include "temp_tree.hpp"
#include "zip_writer.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace mlstack::pyenv {
namespace {

using testing::TempTree;
using mlstack::testing::ZipWriter;

std::string meta(std::string_view name, std::string_view version, std::string_view extra = "") {
  return "Metadata-Version: 2.1\nName: " + std::string(name) +
         "\nVersion: " + std::string(version) + "\n" + std::string(extra) + "\n";
}

// The trees pip itself can walk (no FIFO read, no symlink loop that needs its name).
struct Fixture {
  TempTree site;
  TempTree editable;
  TempTree later;

  Fixture() {
    site.write("alpha-1.0.dist-info/METADATA",
               meta("alpha", "1.0", "Requires-Dist: beta-pkg>=2\nRequires-Dist: gone\n"));
    site.write("alpha-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nTag: py3-none-any\n");
    site.write("alpha-1.0.dist-info/INSTALLER", "pip\n");
    site.write("alpha-1.0.dist-info/RECORD",
               "alpha/__init__.py,sha256=x,1\n/abs/alpha.pth,,\n../../bin/alpha,,\n"
               "alpha/_c.cpython-311-x86_64-linux-gnu.so,sha256=y,1234\n/abs/libalpha.so.1.2,,\n"
               "alpha/not.so.py,,\n");
    site.write("Beta_Pkg-2.0.dist-info/METADATA", meta("Beta_Pkg", "2.0"));
    site.write("gamma-1.0.dist-info/METADATA", meta("gamma", "1.0"));
    site.write("gamma-1.0.dist-info/RECORD", "gamma.py,,\ngamma/\xff.py,,\n");  // not UTF-8
    site.write("beta.pkg-3.0.dist-info/METADATA", meta("beta.pkg", "3.0"));
    site.write("delta.egg-info/PKG-INFO", meta("Delta", "0.5"));
    site.write("delta.egg-info/requires.txt", "six\n[test]\npytest\n");
    site.write("epsilon-0.1-py3.11.egg-info", meta("epsilon", "0.1"));
    site.write("~lpha-0.9.dist-info/METADATA", meta("alpha", "0.9"));
    site.write("Upper.DIST-INFO/METADATA", meta("Upper-Case", "1.0"));
    site.write("noversion.dist-info/METADATA", meta("noversion", "4.0"));
    site.write("emptymeta-1.0.dist-info/METADATA", "");
    site.write("emptymeta-1.0.dist-info/PKG-INFO", meta("emptymeta", "1.1"));
    site.mkdir("nameless.dist-info");
    site.write("latin-1.0.dist-info/METADATA", "Name: latin\nVersion: 1.0\nSummary: caf\xe9\n");
    site.symlink("missing-target", "broken-1.0.dist-info");
    site.symlink("loop-1.0.dist-info", "loop-1.0.dist-info");
    site.write("wheel-1.0-py3-none-any.whl", "not a zip");
    site.write("proj.egg-link", "\n  " + editable.path() + "  \n.\n");
    editable.write("proj.egg-info/PKG-INFO", meta("proj", "0.0.1"));
    later.write("alpha-2.0.dist-info/METADATA", meta("alpha", "2.0"));
    later.write("foo-1.0.egg/EGG-INFO/PKG-INFO", meta("foo", "1.0"));
    // Zip archives on the path (FastPath.zip_children).
    ZipWriter bundle;
    bundle.add("zalpha-1.0.dist-info/METADATA", meta("zalpha", "1.0", "Requires-Dist: beta-pkg\n"));
    bundle.add("zalpha-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nTag: py3-none-any\n");
    bundle.add("zalpha-1.0.dist-info/INSTALLER", "pip\n");
    bundle.add("zalpha-1.0.dist-info/RECORD", "zalpha/__init__.py,,\nzalpha/_c.so,,\n");
    bundle.add("zalpha/__init__.py", "");
    bundle.add("alpha-3.0.dist-info/METADATA", meta("alpha", "3.0"));
    bundle.add("zbeta.egg-info", meta("zbeta", "2.0"));  // a file: zipfile.Path reads no text
    bundle.add("zgamma.dist-info/METADATA", meta("zgamma", "3.0"));
    bundle.add("EGG-INFO/PKG-INFO", meta("notegg", "1.0"));  // not an .egg: not looked at
    bundle.add("zdup-1.0.dist-info/METADATA", meta("zdup", "1.0", "Requires-Dist: first\n"));
    bundle.add("zdup-1.0.dist-info/METADATA", meta("zdup", "1.0", "Requires-Dist: second\n"));
    bundle.add("Zdup-2.0.dist-info/METADATA", meta("zdup", "2.0"));
    bundle.add("zdir-1.0.dist-info/METADATA/", "");
    bundle.add("zdir-1.0.dist-info/PKG-INFO", meta("zdir", "1.0"));
    later.write("bundle.zip", bundle.finish());
    ZipWriter egg;
    egg.add("EGG-INFO/PKG-INFO", meta("zegg", "2.0"));
    egg.add("EGG-INFO/requires.txt", "six\n[test]\npytest\n");
    egg.add("zegg/__init__.py", "");
    later.write("zegg-2.0-py3.11.egg", egg.finish());
    ZipWriter tool;
    tool.add("ztool-0.1.dist-info/METADATA", meta("ztool", "0.1"));
    later.write("tool.whl", tool.finish());  // not named like a wheel: read as a zip
    ZipWriter wheel;
    wheel.add("zskip-1.0.dist-info/METADATA", meta("zskip", "1.0"));
    later.write("zskip-1.0-py3-none-any.whl", wheel.finish());  // pip skips wheels
    later.write("notes.txt", "not a zip\n");
  }
  [[nodiscard]] std::vector<std::string> paths() const {
    return {site.path(),           later.path(),
            later / "foo-1.0.egg", later / "nope",
            "",                    later / "bundle.zip",
            later / "zegg-2.0-py3.11.egg", later / "tool.whl",
            later / "zskip-1.0-py3-none-any.whl", later / "bundle.zip/zalpha"};
  }
};

const facts::InstalledDist* find(const facts::Inventory& inv, std::string_view name) {
  for (const auto& d : inv.dists) {
    if (d.canonical_name == name) {
      return &d;
    }
  }
  return nullptr;
}

TEST(ScanFixture, FindsWhatPipFinds) {
  const Fixture fx;
  const io::RealFileSystem fs;
  ScanOptions options;
  options.depth = ScanDepth::full;
  const facts::Inventory inv = scan(fx.paths(), fs, options);

  const auto* alpha = find(inv, "alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(alpha->version_text, "1.0");
  EXPECT_EQ(alpha->requires_dist, (std::vector<std::string>{"beta-pkg>=2", "gone"}));
  EXPECT_EQ(alpha->wheel_tags, (std::vector<std::string>{"py3-none-any"}));
  EXPECT_EQ(alpha->installer, "pip");
  ASSERT_TRUE(alpha->record_libraries);
  EXPECT_EQ(*alpha->record_libraries,
            (std::vector<facts::RecordedFile>{
                {fx.site / "alpha/_c.cpython-311-x86_64-linux-gnu.so", 1234},
                {"/abs/libalpha.so.1.2", std::nullopt}}));
  EXPECT_EQ(alpha->location, fx.site.path());
  const auto* gamma = find(inv, "gamma");
  ASSERT_NE(gamma, nullptr);
  EXPECT_FALSE(gamma->record_libraries);  // pip's read_text fails: no files known
  EXPECT_TRUE(inv.file_clashes.empty());

  const auto* delta = find(inv, "delta");
  ASSERT_NE(delta, nullptr);
  EXPECT_EQ(delta->version_text, "0.5");
  EXPECT_EQ(delta->raw_name, "Delta");
  EXPECT_EQ(delta->requires_dist, (std::vector<std::string>{"six", "pytest ; extra == \"test\""}));
  EXPECT_EQ(delta->provides_extra, (std::vector<std::string>{"test"}));
  EXPECT_FALSE(delta->wheel_tags);

  ASSERT_NE(find(inv, "epsilon"), nullptr);  // an .egg-info file is its own PKG-INFO
  EXPECT_EQ(find(inv, "upper-case")->version_text, "1.0");
  EXPECT_EQ(find(inv, "noversion")->version_text, "4.0");
  EXPECT_EQ(find(inv, "emptymeta")->version_text, "1.0");
  EXPECT_EQ(find(inv, "foo")->location, fx.later / "foo-1.0.egg");
  EXPECT_EQ(find(inv, "proj")->location, fx.editable.path());

  const auto* latin = find(inv, "latin");
  ASSERT_NE(latin, nullptr);
  ASSERT_TRUE(latin->read_error);
  EXPECT_EQ(*latin->read_error,
            "'utf-8' codec can't decode byte 0xe9 in position 37: invalid continuation byte");

  const auto* loop = find(inv, "loop");
  ASSERT_NE(loop, nullptr);
  ASSERT_TRUE(loop->read_error);
  EXPECT_NE(loop->read_error->find("[Errno 40] Too many levels of symbolic links"),
            std::string::npos);
  const auto* broken = find(inv, "broken");
  ASSERT_NE(broken, nullptr);
  EXPECT_FALSE(broken->read_error);

  EXPECT_EQ(find(inv, "lpha"), nullptr);
  bool saw_leftover = false;
  bool saw_nameless = false;
  for (const std::string& s : inv.skipped) {
    saw_leftover = saw_leftover || s.starts_with(
                                       "Ignoring incompletely removed distribution "
                                       "~lpha-0.9.dist-info");
    saw_nameless = saw_nameless || s == "Skipping " + (fx.site / "nameless.dist-info") +
                                            " due to invalid metadata entry 'name'";
  }
  EXPECT_TRUE(saw_leftover);
  EXPECT_TRUE(saw_nameless);
  // beta-pkg: two spellings in one dir; alpha: again in `later`.
  std::vector<std::string> shadowed;
  for (const auto& d : inv.shadowed) {
    shadowed.push_back(d.canonical_name + " " + d.version_text.value_or("?"));
  }
  EXPECT_NE(std::find(shadowed.begin(), shadowed.end(), "alpha 2.0"), shadowed.end());
  EXPECT_EQ(std::count_if(shadowed.begin(), shadowed.end(),
                          [](const std::string& s) { return s.starts_with("beta-pkg "); }),
            1);
}

TEST(ScanFixture, SurvivesHostileTrees) {
  TempTree t;
  t.write("fifo-1.0.dist-info/WHEEL", "Tag: py3-none-any\n");
  t.mkfifo("fifo-1.0.dist-info/METADATA");
  t.mkfifo("pipe.egg-info");
  t.symlink("selfloop.dist-info", "selfloop.dist-info");
  t.write("big-1.0.dist-info/METADATA", std::string(2048, 'x'));
  t.write("locked-1.0.dist-info/METADATA", meta("locked", "1.0"));
  t.write("junk-1.0.dist-info/METADATA", std::string("\0\x01\x02\xff\xfe:\n\n", 9));
  ::chmod((t / "locked-1.0.dist-info").c_str(), 0);
  t.mkdir("closed");
  ::chmod((t / "closed").c_str(), 0);
  const io::RealFileSystem fs;
  ScanOptions options;
  options.max_file_size = 1024;
  const auto start = std::chrono::steady_clock::now();
  const facts::Inventory inv =
      scan(std::vector<std::string>{t.path(), t / "closed", t / "big-1.0.dist-info/METADATA"}, fs,
           options);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  const auto* fifo = find(inv, "fifo");
  ASSERT_NE(fifo, nullptr);
  ASSERT_TRUE(fifo->read_error);
  EXPECT_NE(fifo->read_error->find("would block"), std::string::npos);
  const auto* big = find(inv, "big");
  ASSERT_NE(big, nullptr);
  EXPECT_TRUE(big->read_error);
  EXPECT_NE(find(inv, "locked"), nullptr);  // root can read it anyway; no crash either way
  EXPECT_TRUE(find(inv, "junk")->read_error);
}

// RECORDs that cannot be read are problems naming the file (doctor's PKG-BAD-METADATA), not
// silently "no files": a device is refused at once, not read up to the size cap.
TEST(ScanFixture, NamesRecordsItCannotRead) {
  TempTree t;
  t.write("zero-1.0.dist-info/METADATA", meta("zero", "1.0"));
  t.symlink("/dev/zero", "zero-1.0.dist-info/RECORD");
  t.write("fifo-1.0.dist-info/METADATA", meta("fifo", "1.0"));
  t.mkfifo("fifo-1.0.dist-info/RECORD");
  t.write("latin-1.0.dist-info/METADATA", meta("latin", "1.0"));
  t.write("latin-1.0.dist-info/RECORD", "caf\xe9.py,,\n");
  t.write("none-1.0.dist-info/METADATA", meta("none", "1.0"));
  t.write("devwheel-1.0.dist-info/METADATA", meta("devwheel", "1.0"));
  t.symlink("/dev/urandom", "devwheel-1.0.dist-info/WHEEL");
  t.mkdir("devmeta-1.0.dist-info");
  t.symlink("/dev/zero", "devmeta-1.0.dist-info/METADATA");
  const io::RealFileSystem fs;
  ScanOptions options;
  options.depth = ScanDepth::full;
  const auto start = std::chrono::steady_clock::now();
  const facts::Inventory inv = scan(std::vector<std::string>{t.path()}, fs, options);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  const auto* devwheel = find(inv, "devwheel");
  ASSERT_NE(devwheel, nullptr);
  EXPECT_EQ(devwheel->wheel_error,
            "cannot read WHEEL: '" + (t / "devwheel-1.0.dist-info/WHEEL") +
                "' is a FIFO, socket or device; reading it would block");
  const auto* devmeta = find(inv, "devmeta");
  ASSERT_NE(devmeta, nullptr);
  EXPECT_EQ(devmeta->read_error, "'" + (t / "devmeta-1.0.dist-info/METADATA") +
                                     "' is a FIFO, socket or device; reading it would block");
  for (const char* name : {"zero", "fifo"}) {
    SCOPED_TRACE(name);
    const auto* d = find(inv, name);
    ASSERT_NE(d, nullptr);
    EXPECT_FALSE(d->record_libraries);
    EXPECT_EQ(d->problems, (std::vector<std::string>{
                               "cannot read `" + d->info_path +
                               "/RECORD`: not a regular file (a FIFO, socket or device)"}));
  }
  EXPECT_EQ(find(inv, "latin")->problems,
            (std::vector<std::string>{"`" + (t / "latin-1.0.dist-info") +
                                      "/RECORD` is not valid UTF-8; its files are not known"}));
  EXPECT_TRUE(find(inv, "none")->problems.empty());  // no RECORD: nothing to say
}

TEST(ScanZip, FindsWhatPipFindsInArchives) {
  const Fixture fx;
  const io::RealFileSystem fs;
  ScanOptions options;
  options.depth = ScanDepth::full;
  const facts::Inventory inv = scan(fx.paths(), fs, options);
  const std::string bundle = fx.later / "bundle.zip";

  const auto* zalpha = find(inv, "zalpha");
  ASSERT_NE(zalpha, nullptr);
  EXPECT_EQ(zalpha->location, bundle);
  EXPECT_EQ(zalpha->info_path, bundle + "/zalpha-1.0.dist-info");
  EXPECT_EQ(zalpha->version_text, "1.0");
  EXPECT_EQ(zalpha->requires_dist, (std::vector<std::string>{"beta-pkg"}));
  EXPECT_EQ(zalpha->wheel_tags, (std::vector<std::string>{"py3-none-any"}));
  EXPECT_EQ(zalpha->installer, "pip");
  EXPECT_FALSE(zalpha->record_libraries);  // files inside an archive are not on disk
  EXPECT_FALSE(zalpha->read_error);

  const auto* zbeta = find(inv, "zbeta");  // an .egg-info file in a zip reads as no text
  ASSERT_NE(zbeta, nullptr);
  EXPECT_FALSE(zbeta->version_text);
  EXPECT_EQ(find(inv, "zgamma")->version_text, "3.0");
  EXPECT_EQ(find(inv, "zdup")->requires_dist, (std::vector<std::string>{"second"}));
  EXPECT_EQ(find(inv, "zdir")->version_text, "1.0");  // METADATA is a folder: PKG-INFO
  EXPECT_EQ(find(inv, "notegg"), nullptr);
  EXPECT_EQ(find(inv, "zskip"), nullptr);
  EXPECT_EQ(find(inv, "ztool")->location, fx.later / "tool.whl");

  const auto* zegg = find(inv, "zegg");
  ASSERT_NE(zegg, nullptr);
  EXPECT_EQ(zegg->info_path, fx.later / "zegg-2.0-py3.11.egg/EGG-INFO");
  EXPECT_EQ(zegg->requires_dist, (std::vector<std::string>{"six", "pytest ; extra == \"test\""}));

  std::vector<std::string> shadowed;
  for (const auto& d : inv.shadowed) {
    shadowed.push_back(d.canonical_name + " " + d.version_text.value_or("?"));
  }
  EXPECT_NE(std::find(shadowed.begin(), shadowed.end(), "alpha 3.0"), shadowed.end());
  EXPECT_NE(std::find(shadowed.begin(), shadowed.end(), "zdup 2.0"), shadowed.end());
  // A file on the path that is not a zip: Python passes over it, mlstack says so.
  EXPECT_TRUE(inv.problems.empty()) << inv.problems.front();
  const facts::Inventory with_text = scan(std::vector<std::string>{fx.later / "notes.txt"}, fs);
  ASSERT_EQ(with_text.problems.size(), 1U);
  EXPECT_TRUE(with_text.problems[0].starts_with("cannot read the zip archive `" +
                                                (fx.later / "notes.txt") + "`: "))
      << with_text.problems[0];
}

TEST(ScanZip, SurvivesHostileArchives) {
  TempTree t;
  ZipWriter crc;
  crc.add("crc-1.0.dist-info/METADATA", meta("crc", "1.0"),
          ZipWriter::Options().stored().wrong_crc(1));
  crc.add("crcwheel-1.0.dist-info/METADATA", meta("crcwheel", "1.0"));
  crc.add("crcwheel-1.0.dist-info/WHEEL", "Tag: py3-none-any\n",
          ZipWriter::Options().stored().wrong_crc(1));
  crc.add("bomb-1.0.dist-info/METADATA", std::string(std::size_t{4} << 20U, 'x'));
  crc.add("nameless.dist-info/METADATA", "Metadata-Version: 2.1\n");
  crc.add("latin-1.0.dist-info/METADATA", "Name: latin\nVersion: 1.0\nSummary: caf\xe9\n");
  t.write("bad.zip", crc.finish());
  const std::string truncated = crc.finish();
  t.write("truncated.zip", truncated.substr(0, truncated.size() / 2));
  t.mkfifo("fifo.zip");
  t.write("link.egg-link", t / "bad.zip");
  const io::RealFileSystem fs;
  ScanOptions options;
  options.max_file_size = std::size_t{1} << 20U;
  const facts::Inventory inv = scan(
      std::vector<std::string>{t / "bad.zip", t / "truncated.zip", t / "fifo.zip",
                               t / "bad.zip/inner", t.path()},
      fs, options);
  const auto* bad = find(inv, "crc");
  ASSERT_NE(bad, nullptr);
  ASSERT_TRUE(bad->read_error);
  EXPECT_TRUE(bad->read_error_crashes_pip);  // zipfile.BadZipFile: pip check stops
  EXPECT_NE(bad->read_error->find("'crc-1.0.dist-info/METADATA': "), std::string::npos)
      << *bad->read_error;
  const auto* wheel = find(inv, "crcwheel");
  ASSERT_NE(wheel, nullptr);
  EXPECT_TRUE(wheel->wheel_error);
  const auto* bomb = find(inv, "bomb");
  ASSERT_NE(bomb, nullptr);
  ASSERT_TRUE(bomb->read_error);
  EXPECT_FALSE(bomb->read_error_crashes_pip);
  EXPECT_NE(bomb->read_error->find("is larger than 1048576 bytes"), std::string::npos)
      << *bomb->read_error;
  const auto* latin = find(inv, "latin");
  ASSERT_NE(latin, nullptr);
  EXPECT_EQ(*latin->read_error,
            "'utf-8' codec can't decode byte 0xe9 in position 37: invalid continuation byte");
  EXPECT_NE(std::find(inv.skipped.begin(), inv.skipped.end(),
                      "Skipping " + (t / "bad.zip") +
                          "/nameless.dist-info/ due to invalid metadata entry 'name'"),
            inv.skipped.end());
  // The egg-link's target is the same archive: its distributions are found again, shadowed.
  EXPECT_EQ(std::count_if(inv.shadowed.begin(), inv.shadowed.end(),
                          [](const auto& d) { return d.canonical_name == "crc"; }),
            1);
  ASSERT_EQ(inv.problems.size(), 2U);
  EXPECT_TRUE(inv.problems[0].starts_with("cannot read the zip archive `" +
                                          (t / "truncated.zip") + "`: "))
      << inv.problems[0];
  EXPECT_EQ(inv.problems[1], "`" + (t / "fifo.zip") +
                                 "` on the path is a FIFO, socket or device; not read (Python "
                                 "would wait on it)");
}

TEST(ScanPathlib, NormalizesLikePurePosixPath) {
  EXPECT_EQ(pathlib_str(""), ".");
  EXPECT_EQ(pathlib_str("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(pathlib_str("//a"), "//a");
  EXPECT_EQ(pathlib_str("///a"), "/a");
  EXPECT_EQ(pathlib_str("a/../b"), "a/../b");
  EXPECT_EQ(pathlib_str("./"), ".");
}

// The pinned pip's interpreter: $MLSTACK_REF_PYTHON, else build/refvenv/bin/python (CMake's
// MLSTACK_REF_PYTHON, which `make refvenv` creates).
std::string reference_python() {
  if (const char* env = std::getenv("MLSTACK_REF_PYTHON"); env != nullptr && env[0] != '\0') {
    return env;
  }
  return MLSTACK_REF_PYTHON;
}

TEST(ScanDifferential, MatchesPipImportlibBackend) {
  const std::string python = reference_python();
  if (::access(python.c_str(), X_OK) != 0) {
    MLSTACK_REFERENCE_MISSING("no reference interpreter at " << python
                                                              << " (run `make refvenv`)");
  }
  const Fixture fx;
  // pip would raise on the looping link and read the non-UTF-8 METADATA only for names it
  // cannot take from the directory; neither happens in this tree.
  std::vector<std::string> argv = {python,
                                   std::string(MLSTACK_SOURCE_DIR) + "/tools/pip_inventory.py"};
  for (const std::string& p : fx.paths()) {
    argv.push_back(p);
  }
  auto out = run_process(argv, std::chrono::seconds(60));
  ASSERT_TRUE(out) << to_string(out.error());
  ASSERT_EQ(out->exit_status, 0) << out->stderr_text;
  const auto expected = nlohmann::json::parse(out->stdout_text);
  const io::RealFileSystem fs;
  const facts::Inventory inv = scan(fx.paths(), fs);
  nlohmann::json got = nlohmann::json::array();
  for (const auto& d : inv.dists) {
    got.push_back({{"canonical_name", d.canonical_name},
                   {"version_text",
                    d.version_text ? nlohmann::json(*d.version_text) : nlohmann::json(nullptr)},
                   {"location", d.location},
                   {"info_location", d.info_path}});
  }
  // zipfile.Path ends a folder inside an archive with `/` (`.../bundle.zip/`); mlstack's
  // locations do not.
  const auto strip_slash = [](const nlohmann::json& v) {
    std::string text = v.get<std::string>();
    if (text.size() > 1 && text.back() == '/') {
      text.pop_back();
    }
    return text;
  };
  nlohmann::json want = nlohmann::json::array();
  for (const auto& e : expected) {
    want.push_back({{"canonical_name", e.at("canonical_name")},
                    {"version_text", e.at("version_text")},
                    {"location", strip_slash(e.at("location"))},
                    {"info_location", strip_slash(e.at("info_location"))}});
  }
  EXPECT_EQ(got.dump(1), want.dump(1));
}

}  // namespace
}  // namespace mlstack::pyenv
