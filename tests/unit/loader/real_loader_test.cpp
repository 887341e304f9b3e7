// SPDX-License-Identifier: MIT
// The emulation against the real loader: the files the fixture's probe maps
// (/proc/self/maps), and `ldd` on system libraries.
#include "mlstack/io/file_system.hpp"
#include "mlstack/loader/resolve.hpp"
#include "run_command.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

namespace mlstack::loader {
namespace {

using testing::run_command;

const std::string k_fixture = MLSTACK_LOADER_FIXTURE;

std::string real(const std::string& path) {
  char buffer[PATH_MAX];
  return ::realpath(path.c_str(), buffer) != nullptr ? std::string(buffer) : path;
}

// The machine's settings: its cache, the dynamic loader already in the process.
LoaderConfig machine_config(const LdCache* cache) {
  LoaderConfig c;
  c.cache = cache;
  c.preloaded = {{"/lib64/ld-linux-x86-64.so.2", "ld-linux-x86-64.so.2"}};
  return c;
}

std::set<std::string> predicted_files(const Resolution& r) {
  std::set<std::string> out;
  for (const LoadedObject& o : r.objects) {
    out.insert(real(o.path));
  }
  return out;
}

class RealLoader : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cache = read_ld_cache(m_fs);
    if (!cache) {
      GTEST_SKIP() << render(cache.error());
    }
    m_cache = std::move(*cache);
  }
  io::RealFileSystem m_fs;
  LdCache m_cache;
  ElfObjectReader m_reader;
};

TEST_F(RealLoader, PredictsWhatTheProbeMaps) {
  const std::string probe = k_fixture + "/bin/loader_probe";
  for (const std::string& env : {std::string(), k_fixture + "/env"}) {
    SCOPED_TRACE("LD_LIBRARY_PATH=" + env);
    const std::string command =
        env.empty() ? "env -u LD_LIBRARY_PATH " + probe : "env LD_LIBRARY_PATH=" + env + " " + probe;
    std::istringstream lines(run_command(command));
    std::set<std::string> mapped;
    for (std::string line; std::getline(lines, line);) {
      if (line.find(".so") != std::string::npos || line == real(probe)) {
        mapped.insert(line);
      }
    }
    ASSERT_FALSE(mapped.empty()) << command;
    LoaderConfig c = machine_config(&m_cache);
    c.ld_library_path = env;
    auto r = resolve(probe, c, m_reader);
    ASSERT_TRUE(r) << render(r.error());
    EXPECT_TRUE(r->missing.empty());
    EXPECT_EQ(predicted_files(*r), mapped);
    // The rules the fixture is built to show (CMakeLists.txt).
    std::map<std::string, std::string> why;
    for (const LoadedObject& o : r->objects) {
      why[o.requested] = std::string(rule_name(o.rule)) + " " + o.path;
    }
    EXPECT_EQ(why["liblda.so.1"], "rpath " + k_fixture + "/bin/../rpath/liblda.so.1");
    EXPECT_EQ(why["libldb.so.1"], env.empty()
                                      ? "runpath " + k_fixture + "/bin/../rpath/../runpath/libldb.so.1"
                                      : "ld_library_path " + env + "/libldb.so.1");
    EXPECT_EQ(why["libldc.so.1"], "rpath " + k_fixture + "/bin/../rpath/libldc.so.1");

    // The path ld.so opened for each name, as written (`LD_DEBUG=libs`: the last
    // "trying file=" after "find library=NAME" is the file it took).
    std::istringstream debug(run_command(
        (env.empty() ? "env -u LD_LIBRARY_PATH" : "env LD_LIBRARY_PATH=" + env) +
        " LD_DEBUG=libs " + probe + " 2>&1 >/dev/null"));
    std::map<std::string, std::string> opened;
    std::string current;
    for (std::string line; std::getline(debug, line);) {
      if (const std::size_t at = line.find("find library="); at != std::string::npos) {
        current = line.substr(at + 13, line.find(" [") - at - 13);
      } else if (const std::size_t tried = line.find("trying file="); tried != std::string::npos) {
        opened[current] = line.substr(tried + 12);
      }
    }
    ASSERT_FALSE(opened.empty());
    for (const auto& entry : opened) {
      const std::string& name = entry.first;  // not a structured binding: clang 14 captures
      const auto it = std::find_if(r->objects.begin(), r->objects.end(),
                                   [&name](const LoadedObject& o) { return o.requested == name; });
      ASSERT_NE(it, r->objects.end()) << name;
      EXPECT_EQ(it->path, entry.second) << name;
    }
  }
}

// dlopen after start-up, as an import does: by path a second file with a soname already mapped
// is mapped too (two copies of libldb.so.1); by soname the mapped one is taken; a missing
// name fails and maps nothing.
TEST_F(RealLoader, PredictsWhatDlopenMaps) {
  const std::string probe = k_fixture + "/bin/loader_probe";
  const std::vector<std::string> opens = {k_fixture + "/env/libldb.so.1", "libldc.so.1",
                                          "libnothing-mlstack.so.7", "libldb.so.1"};
  std::string command = "env -u LD_LIBRARY_PATH " + probe;
  for (const std::string& name : opens) {
    command += " " + name;
  }
  std::istringstream lines(run_command(command));
  std::set<std::string> mapped;
  std::vector<std::string> failed;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("dlopen-failed ", 0) == 0) {
      failed.push_back(line.substr(14));
    } else if (line.find(".so") != std::string::npos || line == real(probe)) {
      mapped.insert(line);
    }
  }
  ASSERT_FALSE(mapped.empty()) << command;
  Process process(machine_config(&m_cache), m_reader);
  auto main = process.exec(probe);
  ASSERT_TRUE(main) << render(main.error());
  std::vector<std::string> predicted_failed;
  for (const std::string& name : opens) {
    if (process.dlopen(name, *main).index < 0) {
      predicted_failed.push_back(name);
    }
  }
  EXPECT_EQ(predicted_failed, failed);
  EXPECT_EQ(predicted_files(process.resolution()), mapped);
  int copies = 0;
  for (const LoadedObject& o : process.resolution().objects) {
    copies += o.soname == "libldb.so.1" ? 1 : 0;
  }
  EXPECT_EQ(copies, 2);
}

// A Python import: the interpreter, then each extension module dlopen'ed by libpython (or the
// executable) as it is imported. The modules come from the interpreter (`sys.modules`), the
// files from its /proc/self/maps; skipped without a `python3` with these modules.
TEST_F(RealLoader, PredictsWhatAPythonImportMaps) {
  const std::string script =
      "import sys, os\n"
      "try:\n"
      "    import _ssl, _ctypes, _json\n"
      "except ImportError:\n"
      "    sys.exit(0)\n"
      "print('EXE', os.path.realpath(sys.executable))\n"
      "for m in list(sys.modules.values()):\n"
      "    f = getattr(m, '__file__', None) or ''\n"
      "    if f.endswith('.so'): print('MOD', f)\n"
      "for l in open('/proc/self/maps'):\n"
      "    p = l.split(None, 5)\n"
      "    if len(p) > 5 and p[5].startswith('/'): print('MAP', p[5].strip())\n";
  std::istringstream lines(
      run_command("env -u LD_LIBRARY_PATH python3 -S -c \"" + script + "\" 2>/dev/null"));
  std::string exe;
  std::vector<std::string> modules;
  std::set<std::string> mapped;
  for (std::string line; std::getline(lines, line);) {
    const std::string value = line.substr(std::min<std::size_t>(line.size(), 4));
    if (line.rfind("EXE ", 0) == 0) {
      exe = value;
    } else if (line.rfind("MOD ", 0) == 0) {
      modules.push_back(value);
    } else if (line.rfind("MAP ", 0) == 0 &&
               (value.find(".so") != std::string::npos || value == exe)) {
      mapped.insert(value);
    }
  }
  if (exe.empty() || modules.empty()) {
    GTEST_SKIP() << "no python3 with _ssl, _ctypes and _json";
  }
  SCOPED_TRACE(exe);
  Process process(machine_config(&m_cache), m_reader);
  auto main = process.exec(exe);
  ASSERT_TRUE(main) << render(main.error());
  int caller = *main;  // dlopen is called by libpython when the executable links it
  for (std::size_t i = 0; i < process.resolution().objects.size(); ++i) {
    if (process.resolution().objects[i].soname.rfind("libpython", 0) == 0) {
      caller = static_cast<int>(i);
    }
  }
  for (const std::string& module : modules) {
    EXPECT_GE(process.dlopen(module, caller).index, 0) << module;
  }
  EXPECT_EQ(predicted_files(process.resolution()), mapped);
}

// A library older than a version its user needs: ld.so refuses to start the probe, naming
// the version and the object that needs it; the prediction names the same.
TEST_F(RealLoader, PredictsAMissingSymbolVersion) {
  const std::string probe = k_fixture + "/bin_old/loader_probe_old";
  const std::string output = run_command("env -u LD_LIBRARY_PATH " + probe + " 2>&1");
  auto r = resolve(probe, machine_config(&m_cache), m_reader);
  ASSERT_TRUE(r) << render(r.error());
  const std::vector<MissingVersion> missing = check_versions(*r);
  ASSERT_EQ(missing.size(), 1U);
  const MissingVersion& m = missing[0];
  EXPECT_EQ(m.provider, k_fixture + "/bin_old/../old/libldc.so.1");
  EXPECT_EQ(m.file, "libldc.so.1");
  EXPECT_FALSE(m.weak);
  // ld.so: "PROBE: OBJECT: version `V' not found (required by OBJECT)", OBJECT the provider.
  const std::string message = m.provider + ": version `" + m.version +
                              "' not found (required by " + m.object + ")";
  EXPECT_NE(output.find(message), std::string::npos) << output << "\n" << message;
  // The fixture's good tree passes.
  auto good = resolve(k_fixture + "/bin/loader_probe", machine_config(&m_cache), m_reader);
  ASSERT_TRUE(good);
  EXPECT_TRUE(check_versions(*good).empty());
}

// `ldd LIB` (ld.so --list: LIB as the program) names the file of every dependency.
TEST_F(RealLoader, AgreesWithLddOnSystemLibraries) {
  int compared = 0;
  for (const std::string name : {"libstdc++.so.6", "libelf.so.1", "libarchive.so.13",
                                 "libicuuc.so.72", "libfmt.so.9"}) {
    auto path = m_cache.lookup(name, k_cache_flags_x86_64);
    if (!path) {
      continue;
    }
    SCOPED_TRACE(*path);
    std::istringstream lines(run_command("env -u LD_LIBRARY_PATH ldd " + *path + " 2>&1"));
    std::map<std::string, std::string> expected;
    for (std::string line; std::getline(lines, line);) {
      const std::size_t arrow = line.find(" => ");
      if (arrow == std::string::npos) {
        continue;
      }
      const std::size_t start = line.find_first_not_of(" \t");
      const std::size_t end = line.find(" (", arrow);
      expected[line.substr(start, arrow - start)] = line.substr(arrow + 4, end - arrow - 4);
    }
    auto r = resolve(*path, machine_config(&m_cache), m_reader);
    ASSERT_TRUE(r) << render(r.error());
    std::map<std::string, std::string> actual;
    for (const LoadedObject& o : r->objects) {
      if (o.rule != Rule::entry && o.rule != Rule::preloaded) {
        actual[o.requested] = o.path;
      }
    }
    for (const Missing& m : r->missing) {
      actual[m.name] = "not found";
    }
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(actual, expected);
    // ldd ran it, so every version it needs is there.
    for (const MissingVersion& m : check_versions(*r)) {
      EXPECT_TRUE(m.weak) << m.object << " needs " << m.version << " from " << m.provider;
    }
    ++compared;
  }
  EXPECT_GT(compared, 0);
}

}  // namespace
}  // namespace mlstack::loader
