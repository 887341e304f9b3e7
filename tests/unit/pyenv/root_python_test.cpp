// SPDX-License-Identifier: MIT
// The Python environments of a root, described from its files, against what the interpreters
// themselves say: this machine's / seen as a root is the differential reference.
#include "mlstack/pyenv/root_python.hpp"

#include "mlstack/io/root_file_system.hpp"
#include "mlstack/pyenv/interpreter_probe.hpp"
#include "mlstack/pyenv/spawn.hpp"
#include "../reference_check.hpp"
#include "temp_tree.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace mlstack::pyenv {
namespace {

using testing::TempTree;

// What `python` says of itself: its exact version, sys.path without the script folder,
// site.getsitepackages() and whether it runs in a virtual environment.
nlohmann::json ask(const std::string& python) {
  auto r = run_process(
      {python, "-S", "-c",
       "import sys, json, platform, site; site.ENABLE_USER_SITE = False; site.main(); "
       "print(json.dumps({'version': platform.python_version(), 'sys_path': sys.path[1:], "
       "'site': site.getsitepackages(), 'venv': sys.prefix != sys.base_prefix, "
       "'prefix': sys.prefix, 'executable': sys.executable}))"},
      std::chrono::seconds(30));
  if (!r || r->exit_status != 0) {
    return nullptr;
  }
  return nlohmann::json::parse(r->stdout_text);
}

void expect_same(const RootPython& py, const nlohmann::json& truth) {
  EXPECT_EQ(py.version, truth["version"].get<std::string>());
  EXPECT_EQ(nlohmann::json(py.site_dirs), truth["site"]);
  EXPECT_EQ(py.in_virtualenv, truth["venv"].get<bool>());
  EXPECT_EQ(py.prefix, truth["prefix"].get<std::string>());
  // sys.path: the standard library and the site folders (those that exist: site.py drops the
  // others, and .pth files add theirs).
  std::vector<std::string> expected;
  for (const auto& entry : truth["sys_path"]) {
    expected.push_back(entry.get<std::string>());
  }
  for (const std::string& entry : expected) {
    EXPECT_NE(std::find(py.sys_path.begin(), py.sys_path.end(), entry), py.sys_path.end())
        << entry;
  }
}

TEST(RootPython, DescribesThisMachinesPython3AsItDescribesItself) {
  const auto python = resolve_interpreter("python3");
  if (!python) {
    MLSTACK_REFERENCE_MISSING("no python3 on PATH");
  }
  // python3 on PATH may be a shim (pyenv): the interpreter is what it runs.
  const nlohmann::json truth = ask(*python);
  ASSERT_FALSE(truth.is_null());
  const io::RootFileSystem fs("/");
  auto py = describe_root_python(fs, truth["executable"].get<std::string>());
  ASSERT_TRUE(py) << render(py.error());
  expect_same(*py, truth);
  EXPECT_FALSE(py->version_source.empty());
  EXPECT_EQ(py->platform, "linux-x86_64");
}

TEST(RootPython, DescribesAVirtualEnvironmentAsItDescribesItself) {
  const auto python = resolve_interpreter("python3");
  if (!python) {
    MLSTACK_REFERENCE_MISSING("no python3 on PATH");
  }
  TempTree t;
  auto made = run_process({*python, "-m", "venv", "--without-pip", t / "venv"},
                          std::chrono::seconds(60));
  ASSERT_TRUE(made && made->exit_status == 0);
  const nlohmann::json truth = ask(t / "venv/bin/python");
  ASSERT_FALSE(truth.is_null());
  const io::RootFileSystem fs("/");
  auto py = describe_root_python(fs, t / "venv/bin/python");
  ASSERT_TRUE(py) << render(py.error());
  expect_same(*py, truth);
  EXPECT_TRUE(py->version_source.find("pyvenv.cfg") != std::string::npos) << py->version_source;
}

TEST(RootPython, ReadsPyVersionFromTheBinary) {
  const auto python = resolve_interpreter("python3");
  if (!python) {
    MLSTACK_REFERENCE_MISSING("no python3 on PATH");
  }
  const nlohmann::json truth = ask(*python);
  ASSERT_FALSE(truth.is_null());
  const std::string version = truth["version"].get<std::string>();
  const std::string minor = version.substr(0, version.rfind('.'));
  std::string real;
  ASSERT_TRUE(io::real_file_system().realpath(truth["executable"].get<std::string>(), real).ok());
  // The interpreter, or the libpython it links (a shared build keeps PY_VERSION there).
  std::optional<std::string> found = python_version_in_binary(io::real_file_system(), real, minor);
  const std::string prefix = real.substr(0, real.rfind("/bin/"));
  const std::string lib = prefix + "/lib/libpython" + minor + ".so.1.0";
  if (!found && io::real_file_system().exists(lib)) {
    found = python_version_in_binary(io::real_file_system(), lib, minor);
  }
  ASSERT_TRUE(found) << "no PY_VERSION in " << real << " or " << lib;
  EXPECT_EQ(*found, version);
  EXPECT_FALSE(python_version_in_binary(io::real_file_system(), real, "2.7"));
}

TEST(RootPython, GlibcOfTheRoot) {
  auto r = run_process({"/usr/bin/getconf", "GNU_LIBC_VERSION"}, std::chrono::seconds(10));
  ASSERT_TRUE(r && r->exit_status == 0);
  const std::string expected = r->stdout_text.substr(r->stdout_text.find(' ') + 1,
                                                     r->stdout_text.find('\n') -
                                                         r->stdout_text.find(' ') - 1);
  EXPECT_EQ(root_glibc_version(io::RootFileSystem("/")), expected);
}

TEST(RootPython, FindsEveryPython3OnThePathOnce) {
  TempTree t;
  t.write("root/var/lib/dpkg/status",
          "Package: python3.11-minimal\nStatus: install ok installed\nVersion: 3.11.2-6\n\n");
  t.write("root/usr/bin/python3.11", "stand-in");
  t.symlink("python3.11", "root/usr/bin/python3");
  t.mkdir("root/usr/lib/python3/dist-packages");
  t.mkdir("root/bin");
  t.symlink("/usr/bin/python3", "root/bin/python3");  // /bin → the same interpreter
  t.write("root/opt/venv/pyvenv.cfg", "home = /usr/bin\nversion_info = 3.11.2.final.0\n"
                                      "include-system-site-packages = true\n");
  t.mkdir("root/opt/venv/bin");
  t.symlink("/usr/bin/python3.11", "root/opt/venv/bin/python3");
  t.write("root/usr/local/bin/python3", "no version anywhere");
  const io::RootFileSystem fs(t / "root");
  std::vector<std::string> problems;
  const auto found =
      find_root_pythons(fs, "/opt/venv/bin:/usr/local/bin:relative:/usr/bin:/bin", problems);
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(found[0].executable, "/opt/venv/bin/python3");
  EXPECT_EQ(found[0].version, "3.11.2");
  EXPECT_TRUE(found[0].in_virtualenv);
  EXPECT_EQ(found[0].site_dirs,
            (std::vector<std::string>{"/opt/venv/lib/python3.11/site-packages",
                                      "/usr/local/lib/python3.11/dist-packages",
                                      "/usr/lib/python3/dist-packages",
                                      "/usr/lib/python3.11/dist-packages"}));
  EXPECT_EQ(found[1].executable, "/usr/bin/python3");
  EXPECT_EQ(found[1].real_executable, "/usr/bin/python3.11");
  EXPECT_EQ(found[1].version_source, "/var/lib/dpkg/status (python3.11-minimal)");
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].find("/usr/local/bin/python3"), std::string::npos) << problems[0];
}

}  // namespace
}  // namespace mlstack::pyenv
