// SPDX-License-Identifier: MIT
#include "mlstack/resolve/resolver.hpp"

#include "mlstack/pep440/specifier.hpp"
#include "mlstack/pyenv/spawn.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

namespace mlstack::resolve {
namespace {

using namespace std::chrono_literals;

const std::string k_ref_python = MLSTACK_REF_PYTHON;

std::string ref_uv() { return std::filesystem::path(k_ref_python).parent_path() / "uv"; }

bool have_reference() {
  return ::access(k_ref_python.c_str(), X_OK) == 0 && ::access(ref_uv().c_str(), X_OK) == 0;
}

// A --find-links folder of stand-in wheels with the real metadata of tensorflow 2.9.1,
// torch 1.12.1, protobuf 3.19.6 / 4.21.0, numpy 1.26.4 / 2.0.0
// (tests/fixtures/resolve/make_index.py), made once per test binary run.
class ResolveIndex : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!have_reference()) {
      return;
    }
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mlstack-index-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    s_dir = new std::string(pattern);
    auto made = pyenv::run_process(
        {k_ref_python, std::string(MLSTACK_SOURCE_DIR) + "/tests/fixtures/resolve/make_index.py",
         *s_dir + "/wheels"},
        60s);
    ASSERT_TRUE(made) << render(made.error());
    ASSERT_EQ(made->exit_status, 0) << made->stderr_text;
  }
  static void TearDownTestSuite() {
    if (s_dir != nullptr) {
      std::error_code ec;
      std::filesystem::remove_all(*s_dir, ec);
      delete s_dir;
      s_dir = nullptr;
    }
  }
  void SetUp() override {
    if (!have_reference()) {
      GTEST_SKIP() << "no reference tools in " << k_ref_python << " (make refvenv)";
    }
  }
  static IndexOptions local_index() {
    IndexOptions index;
    index.no_index = true;
    index.find_links = {*s_dir + "/wheels"};
    return index;
  }
  static ResolverOptions with(Tool tool) {
    ResolverOptions o;
    o.tool = tool;
    o.uv = ref_uv();
    o.pip_python = k_ref_python;
    o.timeout = 120s;
    return o;
  }
  static inline std::string* s_dir = nullptr;
};

const Target k_target{"3.9", "linux-x86_64", "2.31"};
const std::vector<std::string> k_seed = {"tensorflow==2.9.1", "torch==1.12.1", "numpy<2"};

std::optional<std::string> version_of(const Resolution& r, std::string_view name) {
  for (const facts::InstalledDist& d : r.resolved.inventory.dists) {
    if (d.canonical_name == name) {
      return d.version_text;
    }
  }
  return std::nullopt;
}

TEST_F(ResolveIndex, UvResolvesTheSeedStackWithTensorFlowsProtobufPin) {
  auto r = resolve(k_seed, k_target, local_index(), with(Tool::uv));
  ASSERT_TRUE(r) << render(r.error());
  EXPECT_EQ(r->tool, Tool::uv);
  ASSERT_TRUE(r->lock);
  EXPECT_NE(r->lock_text.find("lock-version = \"1.0\""), std::string::npos);
  // tensorflow 2.9.1 declares protobuf<3.20: 4.21.0 is in the index but not chosen.
  EXPECT_EQ(version_of(*r, "protobuf"), "3.19.6");
  EXPECT_EQ(version_of(*r, "numpy"), "1.26.4");
  EXPECT_EQ(version_of(*r, "torch"), "1.12.1");
  EXPECT_EQ(version_of(*r, "typing-extensions"), "4.12.2");
  auto check = check_resolution(*r, k_target);
  ASSERT_TRUE(check) << render(check.error());
  EXPECT_TRUE(check->healthy);
  EXPECT_EQ(check->lines, std::vector<std::string>{"No broken requirements found."});
}

TEST_F(ResolveIndex, PipResolvesTheSameSetWithFullMetadata) {
  auto r = resolve(k_seed, k_target, local_index(), with(Tool::pip));
  ASSERT_TRUE(r) << render(r.error());
  EXPECT_EQ(r->tool, Tool::pip);
  EXPECT_FALSE(r->lock);
  EXPECT_EQ(version_of(*r, "protobuf"), "3.19.6");
  EXPECT_EQ(version_of(*r, "numpy"), "1.26.4");
  const auto tf =
      std::find_if(r->resolved.inventory.dists.begin(), r->resolved.inventory.dists.end(),
                   [](const facts::InstalledDist& d) { return d.canonical_name == "tensorflow"; });
  ASSERT_NE(tf, r->resolved.inventory.dists.end());
  EXPECT_NE(std::find(tf->requires_dist.begin(), tf->requires_dist.end(),
                      "protobuf (<3.20,>=3.9.2)"),  // as METADATA has it
            tf->requires_dist.end());
  auto check = check_resolution(*r, k_target);
  ASSERT_TRUE(check) << render(check.error());
  EXPECT_TRUE(check->healthy);
  EXPECT_EQ(check->lines, std::vector<std::string>{"No broken requirements found."});
  // uv's lock and pip's report name the same set, version for version.
  auto uv = resolve(k_seed, k_target, local_index(), with(Tool::uv));
  ASSERT_TRUE(uv) << render(uv.error());
  const auto by_name = [](const Resolution& res) {
    std::map<std::string, std::string> out;
    for (const facts::InstalledDist& d : res.resolved.inventory.dists) {
      out.emplace(d.canonical_name, d.version_text.value_or(""));
    }
    return out;
  };
  EXPECT_EQ(by_name(*r), by_name(*uv));
  EXPECT_EQ(by_name(*r).size(), 24U);
}

TEST_F(ResolveIndex, CollidingPinsAreNoSolutionWithTheResolversMessage) {
  for (const Tool tool : {Tool::uv, Tool::pip}) {
    auto r = resolve({"tensorflow==2.9.1", "protobuf>=4"}, k_target, local_index(), with(tool));
    ASSERT_FALSE(r);
    EXPECT_EQ(failure_of(r.error()), Failure::no_solution) << r.error().message;
    EXPECT_NE(r.error().message.find("protobuf"), std::string::npos) << r.error().message;
  }
}

TEST_F(ResolveIndex, AnUnreachableIndexIsItsOwnFailure) {
  IndexOptions index;
  index.index_url = "http://127.0.0.1:9/simple";  // nothing listens on the discard port
  ::setenv("UV_HTTP_RETRIES", "0", 1);
  ::setenv("PIP_RETRIES", "1", 1);  // pip names the connection error only when it retries
  for (const Tool tool : {Tool::uv, Tool::pip}) {
    auto r = resolve({"torch==1.12.1"}, k_target, index, with(tool));
    ASSERT_FALSE(r);
    EXPECT_EQ(failure_of(r.error()), Failure::index_unreachable) << r.error().message;
  }
  ::unsetenv("UV_HTTP_RETRIES");
  ::unsetenv("PIP_RETRIES");
}

TEST(Resolve, AMissingResolverIsNamed) {
  ResolverOptions o;
  o.tool = Tool::uv;
  o.uv = "/nonexistent/uv";
  auto r = resolve({"torch"}, k_target, {}, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(failure_of(r.error()), Failure::resolver_not_found);
  EXPECT_EQ(r.error().message, "uv was not found at `/nonexistent/uv`");
  o.tool = Tool::pip;
  o.pip_python = "/nonexistent/python3";
  r = resolve({"torch"}, k_target, {}, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(failure_of(r.error()), Failure::resolver_not_found);
}

TEST(Resolve, AResolverThatDoesNotAnswerIsStopped) {
  std::string dir = (std::filesystem::temp_directory_path() / "mlstack-slow-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string script = dir + "/uv";
  std::ofstream(script) << "#!/bin/sh\nsleep 30\n";
  ::chmod(script.c_str(), 0755);
  ResolverOptions o;
  o.tool = Tool::uv;
  o.uv = script;
  o.timeout = 300ms;
  auto r = resolve({"torch"}, k_target, {}, o);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(r);
  EXPECT_EQ(failure_of(r.error()), Failure::timeout) << r.error().message;
}

TEST(Resolve, ABadTargetIsRefusedBeforeAnythingRuns) {
  auto r = resolve({"torch"}, Target{"python3", "linux-x86_64", ""}, {}, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "expected a Python version such as `3.12`, found `python3`");
}

TEST(Resolve, Commands) {
  IndexOptions index;
  index.index_url = "https://mirror/simple";
  index.extra_index_urls = {"https://download.pytorch.org/whl/cu113"};
  index.find_links = {"/w"};
  const auto uv = resolver_argv(Tool::uv, "uv", "req.in", "out/pylock.toml", k_target, index);
  EXPECT_EQ(uv, (std::vector<std::string>{"uv",
                                          "pip",
                                          "compile",
                                          "--quiet",
                                          "--no-header",
                                          "--format",
                                          "pylock.toml",
                                          "--python-version",
                                          "3.9",
                                          "--python-platform",
                                          "x86_64-manylinux_2_31",
                                          "--no-python-downloads",
                                          "--only-binary",
                                          ":all:",
                                          "--index-url",
                                          "https://mirror/simple",
                                          "--extra-index-url",
                                          "https://download.pytorch.org/whl/cu113",
                                          "--find-links",
                                          "/w",
                                          "req.in",
                                          "--output-file",
                                          "out/pylock.toml"}));
  const auto pip =
      resolver_argv(Tool::pip, "py", "req.in", "r.json", Target{"3.9", "linux-x86_64", "2.19"}, {});
  EXPECT_EQ(pip, (std::vector<std::string>{"py",
                                           "-m",
                                           "pip",
                                           "install",
                                           "--quiet",
                                           "--dry-run",
                                           "--ignore-installed",
                                           "--disable-pip-version-check",
                                           "--no-input",
                                           "--report",
                                           "r.json",
                                           "--target",
                                           "r.json.target",
                                           "--python-version",
                                           "3.9",
                                           "--implementation",
                                           "cp",
                                           "--only-binary=:all:",
                                           "--platform",
                                           "manylinux_2_19_x86_64",
                                           "--platform",
                                           "manylinux_2_18_x86_64",
                                           "--platform",
                                           "manylinux_2_17_x86_64",
                                           "--platform",
                                           "manylinux2014_x86_64",
                                           "--requirement",
                                           "req.in"}));
  // uv knows manylinux 2_17, 2_28 and 2_31 up: a glibc between takes the one below.
  EXPECT_EQ(
      resolver_argv(Tool::uv, "uv", "r", "o", Target{"3.11", "linux-aarch64", "2.30"}, {})[10],
      "aarch64-manylinux_2_28");
  EXPECT_EQ(resolver_argv(Tool::uv, "uv", "r", "o", Target{"3.11", "windows-amd64", ""}, {})[10],
            "x86_64-pc-windows-msvc");
}

TEST(Resolve, FailuresAreReadFromWhatTheResolverSaid) {
  EXPECT_EQ(classify_failure(Tool::uv,
                             "error: No solution found when resolving dependencies:\n  Because "
                             "tensorflow==2.9.1 depends on protobuf>=3.9.2,<3.20 ..."),
            Failure::no_solution);
  EXPECT_EQ(classify_failure(Tool::uv,
                             "error: Request failed after 3 retries\n  Caused by: Failed to "
                             "fetch: `https://download.pytorch.org/whl/cu113/torch/`\n  Caused "
                             "by: dns error"),
            Failure::index_unreachable);
  EXPECT_EQ(
      classify_failure(Tool::pip,
                       "ERROR: Cannot install tensorflow==2.9.1 because these package "
                       "versions have conflicting dependencies.\nERROR: ResolutionImpossible"),
      Failure::no_solution);
  EXPECT_EQ(classify_failure(Tool::pip,
                             "WARNING: Retrying (Retry(total=4)) after connection broken by "
                             "'NewConnectionError(...)'\nERROR: Could not find a version that "
                             "satisfies the requirement torch (from versions: none)"),
            Failure::index_unreachable);
  EXPECT_EQ(classify_failure(Tool::pip,
                             "ERROR: Could not find a version that satisfies the "
                             "requirement torch==9 (from versions: 1.12.1)"),
            Failure::no_solution);
  EXPECT_EQ(classify_failure(Tool::uv, "error: permission denied"), Failure::failed);
}

// Opt-in (MLSTACK_LIVE_INDEX=1): the seed's stack against the live index this machine is
// configured for (uv's configuration; PyPI by default).
TEST(ResolveLive, SeedStackOnTheLiveIndex) {
  const char* live = std::getenv("MLSTACK_LIVE_INDEX");
  if (live == nullptr || std::string_view(live) != "1" || !have_reference()) {
    GTEST_SKIP() << "set MLSTACK_LIVE_INDEX=1 to resolve against the live index";
  }
  ResolverOptions o;
  o.tool = Tool::uv;
  o.uv = ref_uv();
  auto r = resolve(k_seed, k_target, {}, o);
  ASSERT_TRUE(r) << render(r.error());
  const auto protobuf = version_of(*r, "protobuf");
  ASSERT_TRUE(protobuf);
  EXPECT_TRUE(pep440::SpecifierSet::parse("<3.20")->contains(std::string_view(*protobuf)))
      << *protobuf;
  auto check = check_resolution(*r, k_target);
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->healthy);
}

}  // namespace
}  // namespace mlstack::resolve

namespace mlstack::resolve {
namespace {

// What `pip config list` prints (pip 23-26): PIP_* variables as `:env:.`, then the files'
// sections; pip ranks the variable over `install.` over `global.`.
TEST(PipConfiguration, RanksVariablesOverInstallOverGlobal) {
  const IndexOptions index = index_options_from_pip_config(
      ":env:.find-links='/opt/wheels /srv/more'\n"
      "global.cert='/etc/ssl/certs/ca-certificates.crt'\n"
      "global.index-url='https://mirror.example/simple'\n"
      "install.index-url='https://private.example/simple'\n"
      "global.extra-index-url='https://a.example/simple\\nhttps://b.example/simple'\n"
      "global.find-links='/ignored'\n"
      "download.index-url='https://not-install.example/simple'\n");
  EXPECT_EQ(index.index_url, "https://private.example/simple");
  EXPECT_EQ(index.find_links, (std::vector<std::string>{"/opt/wheels", "/srv/more"}));
  EXPECT_EQ(index.extra_index_urls,
            (std::vector<std::string>{"https://a.example/simple", "https://b.example/simple"}));
  EXPECT_FALSE(index.no_index);
  EXPECT_TRUE(index_options_from_pip_config("global.no-index='true'\n").no_index);
  EXPECT_TRUE(index_options_from_pip_config("").index_url.empty());
}

}  // namespace
}  // namespace mlstack::resolve
