// SPDX-License-Identifier: MIT
#include "mlstack/facts/python_facts_json.hpp"
#include "mlstack/pyenv/facts_cache.hpp"
#include "mlstack/pyenv/interpreter_probe.hpp"
#include "mlstack/pyenv/spawn.hpp"
#include "mlstack/pyenv/synthesize.hpp"

#include "../reference_check.hpp"
#include "temp_tree.hpp"
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace mlstack::pyenv {
namespace {

using testing::TempTree;

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) {
      m_old = old;
    }
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ScopedEnv(ScopedEnv&&) = delete;
  ScopedEnv& operator=(ScopedEnv&&) = delete;
  ~ScopedEnv() {
    if (m_old) {
      ::setenv(m_name, m_old->c_str(), 1);
    } else {
      ::unsetenv(m_name);
    }
  }

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

bool have_python3() { return resolve_interpreter("python3").has_value(); }

TEST(ProbeInterpreter, SeesTheSysPathPythonSees) {
  if (!have_python3()) {
    MLSTACK_REFERENCE_MISSING("no python3 on PATH");
  }
  ProbeOptions options;
  options.cache = CacheMode::bypass;
  auto facts = probe_interpreter("python3", options);
  ASSERT_TRUE(facts) << to_string(facts.error());
  auto python = resolve_interpreter("python3");
  auto direct = run_process({*python, "-c", "import sys, json; print(json.dumps(sys.path[1:]))"},
                            std::chrono::seconds(30));
  ASSERT_TRUE(direct);
  EXPECT_EQ(nlohmann::json(facts->sys_path), nlohmann::json::parse(direct->stdout_text));
  EXPECT_FALSE(facts->version.empty());
  EXPECT_EQ(facts->markers.count("python_full_version"), 1U);
  EXPECT_EQ(facts->markers.at("python_version"),
            facts->version.substr(0, facts->version.rfind('.')));
  EXPECT_EQ(facts->markers.size(), 11U);
  EXPECT_FALSE(facts->tags.interpreter_name.empty());
  EXPECT_EQ(facts->executable, *python);
}

TEST(ProbeCache, HitsThenInvalidatesOnDirChange) {
  if (!have_python3()) {
    MLSTACK_REFERENCE_MISSING("no python3 on PATH");
  }
  const TempTree cache;
  const TempTree extra;
  const ScopedEnv no_cache("MLSTACK_NO_CACHE", nullptr);
  const ScopedEnv pythonpath("PYTHONPATH", extra.path().c_str());
  ProbeOptions options;
  options.cache_dir = cache.path();
  ProbeSource source = ProbeSource::cache;
  auto first = probe_interpreter("python3", options, &source);
  ASSERT_TRUE(first) << to_string(first.error());
  EXPECT_EQ(source, ProbeSource::interpreter);
  ASSERT_FALSE(first->sys_path.empty());
  EXPECT_EQ(first->sys_path[0], extra.path());

  const auto start = std::chrono::steady_clock::now();
  auto second = probe_interpreter("python3", options, &source);
  const auto warm = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(second);
  EXPECT_EQ(source, ProbeSource::cache);
  EXPECT_EQ(facts::python_facts_to_json(*first), facts::python_facts_to_json(*second));
  EXPECT_LT(warm, std::chrono::milliseconds(50));

  // A new file in a sys.path directory (as a .pth would be) changes its mtime.
  ::usleep(20000);
  extra.write("new.pth", "\n");
  (void)probe_interpreter("python3", options, &source);
  EXPECT_EQ(source, ProbeSource::interpreter);
  (void)probe_interpreter("python3", options, &source);
  EXPECT_EQ(source, ProbeSource::cache);

  {  // Another PYTHONPATH is another key.
    const ScopedEnv other("PYTHONPATH", cache.path().c_str());
    (void)probe_interpreter("python3", options, &source);
    EXPECT_EQ(source, ProbeSource::interpreter);
  }
  {
    const ScopedEnv off("MLSTACK_NO_CACHE", "1");
    (void)probe_interpreter("python3", options, &source);
    EXPECT_EQ(source, ProbeSource::interpreter);
  }
  // A corrupt entry is a miss, then rewritten.
  const FactsCache fc(cache.path());
  cache.write(fc.file_for(*resolve_interpreter("python3")).substr(cache.path().size() + 1),
              "{not json");
  auto again = probe_interpreter("python3", options, &source);
  ASSERT_TRUE(again);
  EXPECT_EQ(source, ProbeSource::interpreter);
}

TEST(ProbeCache, UnwritableCacheDirStillProbes) {
  if (!have_python3()) {
    MLSTACK_REFERENCE_MISSING("no python3 on PATH");
  }
  ProbeOptions options;
  options.cache_dir = "/dev/null/mlstack-cache";
  ProbeSource source = ProbeSource::cache;
  auto facts = probe_interpreter("python3", options, &source);
  ASSERT_TRUE(facts) << to_string(facts.error());
  EXPECT_EQ(source, ProbeSource::interpreter);
}

TEST(ProbeErrors, TimesOutOnAHangingInterpreter) {
  const TempTree t;
  t.write("python", "#!/bin/sh\nsleep 30\n");
  ::chmod((t / "python").c_str(), 0755);
  ProbeOptions options;
  options.cache = CacheMode::bypass;
  options.timeout = std::chrono::seconds(1);
  const auto start = std::chrono::steady_clock::now();
  auto r = probe_interpreter(t / "python", options);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
  EXPECT_EQ(to_string(r.error()), "`" + (t / "python") + "` did not answer within 1 s");
}

TEST(ProbeErrors, StopsAnInterpreterThatPrintsWithoutEnd) {
  const TempTree t;
  t.write("to-stdout", "#!/bin/sh\nexec yes 'endless output'\n");
  t.write("to-stderr", "#!/bin/sh\nexec yes 'endless output' >&2\n");
  ::chmod((t / "to-stdout").c_str(), 0755);
  ::chmod((t / "to-stderr").c_str(), 0755);
  ProbeOptions options;
  options.cache = CacheMode::bypass;
  options.timeout = std::chrono::seconds(60);
  for (const char* stream : {"stdout", "stderr"}) {
    const std::string python = t / (std::string("to-") + stream);
    SCOPED_TRACE(python);
    auto r = probe_interpreter(python, options);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_data);
    EXPECT_EQ(to_string(r.error()),
              fmt::format("`{}` wrote more than {} to {}; stopped it", python,
                          std::string_view(stream) == "stdout" ? "8 MiB" : "1 MiB", stream));
  }
}

TEST(RunProcess, KeepsOutputWithinTheCaps) {
  const TempTree t;
  t.write("both", "#!/bin/sh\nhead -c 3000 /dev/zero\nhead -c 2000 /dev/zero >&2\n");
  ::chmod((t / "both").c_str(), 0755);
  auto fits = run_process({t / "both"}, std::chrono::seconds(60), {.max_stdout = 3000,
                                                                   .max_stderr = 2000});
  ASSERT_TRUE(fits) << to_string(fits.error());
  EXPECT_EQ(fits->stdout_text.size(), 3000U);
  EXPECT_EQ(fits->stderr_text.size(), 2000U);
  auto over = run_process({t / "both"}, std::chrono::seconds(60), {.max_stdout = 3000,
                                                                   .max_stderr = 1999});
  ASSERT_FALSE(over);
  EXPECT_EQ(to_string(over.error()),
            "`" + (t / "both") + "` wrote more than 1999 bytes to stderr; stopped it");
}

TEST(RunProcess, StopsAChildThatClosesItsOutputAndLingers) {
  const TempTree t;
  t.write("linger", "#!/bin/sh\nexec >/dev/null 2>&1\nexec sleep 30\n");
  ::chmod((t / "linger").c_str(), 0755);
  auto r = run_process({t / "linger"}, std::chrono::seconds(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
  EXPECT_EQ(to_string(r.error()), "`" + (t / "linger") + "` did not answer within 1 s");
}

TEST(ProbeErrors, NamesThePathOfANonInterpreter) {
  const TempTree t;
  t.write("echo", "#!/bin/sh\necho hello\necho oops >&2\nexit 3\n");
  ::chmod((t / "echo").c_str(), 0755);
  t.write("plain", "just text\n");
  ::chmod((t / "plain").c_str(), 0644);
  t.mkdir("dir");
  ProbeOptions options;
  options.cache = CacheMode::bypass;
  struct Case {
    std::string path, message;
  };
  const Case cases[] = {
      {t / "echo", "`" + (t / "echo") +
                       "` is not a Python interpreter: it printed no probe output (exit status "
                       "3): oops"},
      {t / "plain", "cannot run `" + (t / "plain") + "`: permission denied"},
      {t / "missing", "cannot run `" + (t / "missing") + "`: no such file or directory"},
      {t / "dir", "`" + (t / "dir") + "` is not a Python interpreter: it is a directory"},
      {"mlstack-no-such-python", "`mlstack-no-such-python` was not found on PATH"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    auto r = probe_interpreter(c.path, options);
    ASSERT_FALSE(r);
    EXPECT_EQ(to_string(r.error()), c.message);
  }
}

TEST(SynthesizeFacts, DerivesMarkersAndTags) {
  auto f = synthesize_facts("3.12", "linux-aarch64", {"/site"});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->markers.at("python_full_version"), "3.12.0");
  EXPECT_EQ(f->markers.at("platform_machine"), "aarch64");
  EXPECT_EQ(f->markers.at("sys_platform"), "linux");
  EXPECT_EQ(f->tags.interpreter_version, "312");
  EXPECT_EQ(f->tags.soabi, "cpython-312-aarch64-linux-gnu");
  EXPECT_EQ(f->sys_path, (std::vector<std::string>{"/site"}));
  auto mac = synthesize_facts("3.11.4", "macos-arm64", {});
  ASSERT_TRUE(mac);
  EXPECT_EQ(mac->markers.at("sys_platform"), "darwin");
  EXPECT_EQ(mac->markers.at("python_full_version"), "3.11.4");
  auto bad = synthesize_facts("3.x", "linux-x86_64", {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(to_string(bad.error()), "expected a Python version such as `3.12`, found `3.x`");
  EXPECT_FALSE(synthesize_facts("3.12", "beos", {}));
}

TEST(PythonFactsJson, RoundTrips) {
  auto f = synthesize_facts("3.12", "linux-x86_64", {"/a", "/b"});
  ASSERT_TRUE(f);
  f->executable = "/usr/bin/python3";
  f->in_virtualenv = true;
  const auto text = facts::python_facts_to_json(*f).dump();
  auto back = facts::parse_python_facts_json(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(facts::python_facts_to_json(*back).dump(), text);
  auto wrong = facts::parse_python_facts_json(R"({"sys_path": "x"})");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(to_string(wrong.error()), "expected array of strings for `sys_path`, found string");
}

}  // namespace
}  // namespace mlstack::pyenv
