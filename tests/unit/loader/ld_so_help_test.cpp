// SPDX-License-Identifier: MIT
#include "mlstack/loader/ld_so_help.hpp"

#include "mlstack/io/file_system.hpp"
#include "mlstack/loader/resolve.hpp"
#include "run_command.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace mlstack::loader {
namespace {

using testing::run_command;
using V = std::vector<std::string>;

// glibc 2.36 on an x86-64-v3 machine (Debian 12).
constexpr std::string_view k_help = R"(Usage: /lib64/ld-linux-x86-64.so.2 [OPTION]... EXECUTABLE-FILE [ARGS-FOR-PROGRAM...]

Shared library search path:
  (libraries located via /etc/ld.so.cache)
  /lib/x86_64-linux-gnu (system search path)
  /usr/lib (system search path)

Subdirectories of glibc-hwcaps directories, in priority order:
  x86-64-v4
  x86-64-v3 (supported, searched)
  x86-64-v2 (supported, searched)

Legacy HWCAP subdirectories under library search path directories:
  haswell (AT_PLATFORM; supported, searched)
  tls (supported, searched)
  avx512_1
  x86_64 (supported, searched)
)";

TEST(LdSoHelp, ParsesFoldersAndSubfolders) {
  const LdSoSearch s = parse_ld_so_help(k_help);
  EXPECT_EQ(s.default_dirs, (V{"/lib/x86_64-linux-gnu", "/usr/lib"}));
  EXPECT_EQ(s.subdirs, (V{"glibc-hwcaps/x86-64-v3", "glibc-hwcaps/x86-64-v2", "tls/haswell/x86_64",
                          "tls/haswell", "tls/x86_64", "tls", "haswell/x86_64", "haswell",
                          "x86_64"}));
  EXPECT_TRUE(parse_ld_so_help("").subdirs.empty());
}

// The machine's ld.so --help, used as the loader's settings, gives the folders `LD_DEBUG=libs`
// shows ld.so searching, one by one, for a name found nowhere (its system search path).
TEST(LdSoHelp, ItsFoldersAreTheOnesLdSoSearches) {
  const std::string help = run_command("/lib64/ld-linux-x86-64.so.2 --help 2>/dev/null");
  const LdSoSearch search = parse_ld_so_help(help);
  if (search.default_dirs.empty()) {
    GTEST_SKIP() << "no ld.so --help with a search path";
  }
  const std::string probe = std::string(MLSTACK_LOADER_FIXTURE) + "/bin/loader_probe";
  const std::string name = "libnothing-mlstack.so.7";
  std::istringstream debug(run_command("env -u LD_LIBRARY_PATH LD_DEBUG=libs " + probe + " " +
                                       name + " 2>&1 >/dev/null"));
  V expected;
  bool in_search = false;
  for (std::string line; std::getline(debug, line);) {
    if (line.find("find library=") != std::string::npos) {
      in_search = line.find("find library=" + name) != std::string::npos;
    }
    // Only the system search path: ld.so leaves out of its other lines the folders an earlier
    // search found missing (the fixture's RPATH subfolders, tried at start-up).
    const std::size_t at = line.find("search path=");
    if (!in_search || at == std::string::npos ||
        line.find("(system search path)") == std::string::npos) {
      continue;
    }
    std::string dirs = line.substr(at + 12, line.find('\t', at) - at - 12);
    std::istringstream split(dirs);
    for (std::string dir; std::getline(split, dir, ':');) {
      expected.push_back(dir + "/" + name);
    }
  }
  ASSERT_FALSE(expected.empty());
  const io::RealFileSystem fs;
  auto cache = read_ld_cache(fs);
  ASSERT_TRUE(cache);
  LoaderConfig c;
  c.cache = &*cache;
  c.default_dirs = search.default_dirs;
  c.subdirs = search.subdirs;
  const ElfObjectReader reader;
  Process process(c, reader);
  auto main = process.exec(probe);
  ASSERT_TRUE(main);
  const auto opened = process.dlopen(name, *main);
  ASSERT_EQ(opened.missing.size(), 1U);
  const V& searched = opened.missing[0].searched;
  ASSERT_GE(searched.size(), expected.size());
  EXPECT_EQ(V(searched.end() - static_cast<std::ptrdiff_t>(expected.size()), searched.end()),
            expected);
}

}  // namespace
}  // namespace mlstack::loader
