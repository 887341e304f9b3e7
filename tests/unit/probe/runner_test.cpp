// SPDX-License-Identifier: MIT
// The probes against fake frameworks in a temporary venv: one that loads a shared library,
// one that raises, segfaults, hangs (with a grandchild), floods stdout, exits, or forks a
// child that outlives it holding its output. Nothing they do may take the runner down or
// leave a process of their group behind.
#include "mlstack/probe/runner.hpp"

#include "mlstack/pyenv/interpreter_probe.hpp"
#include "mlstack/pyenv/spawn.hpp"
#include "temp_tree.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <sys/resource.h>
#include <unistd.h>

namespace mlstack::probe {
namespace {

using pyenv::testing::TempTree;
namespace fs = std::filesystem;

// A venv (no pip) with the fake frameworks in its site-packages, made once.
class FakeEnv {
 public:
  FakeEnv() {
    auto python = pyenv::resolve_interpreter("python3");
    if (!python) {
      return;
    }
    auto made = pyenv::run_process({*python, "-m", "venv", "--without-pip", m_tree / "venv"},
                                   std::chrono::seconds(120));
    if (!made || made->exit_status != 0) {
      return;
    }
    for (const auto& entry : fs::directory_iterator(m_tree / "venv/lib")) {
      m_site = entry.path() / "site-packages";
    }
    const std::string pids = m_tree / "pids";
    fs::create_directories(pids);
    write("torch/__init__.py",
          "import ctypes\n"
          "ctypes.CDLL('" MLSTACK_PROBE_FAKE_LIB "')\n"
          "__version__ = '2.99.0'\n"
          "from . import cuda\n");
    // Two devices only when mlstack asked for torch's NVML-based count.
    write("torch/cuda.py",
          "import os\n"
          "def device_count():\n"
          "    return 2 if os.environ.get('PYTORCH_NVML_BASED_CUDA_CHECK') == '1' else 99\n");
    write("raiser/__init__.py", "raise ImportError('libcudart.so.13: cannot open it')\n");
    write("segv/__init__.py",
          "import os, signal, sys\n"
          "sys.stderr.write('about to crash\\n'); sys.stderr.flush()\n"
          "os.kill(os.getpid(), signal.SIGSEGV)\n");
    write("hang/__init__.py",
          "import os, subprocess, time\n"
          "child = subprocess.Popen(['sleep', '600'])\n"
          "open('" + pids + "/hang', 'w').write('%d %d' % (os.getpid(), child.pid))\n"
          "time.sleep(600)\n");
    write("flood/__init__.py",
          "import sys\n"
          "line = b'x' * 1023 + b'\\n'\n"
          "block = line * 1024\n"
          "for _ in range(300):\n"
          "    sys.stdout.buffer.write(block)\n"
          "sys.stdout.flush()\n"
          "sys.stderr.write('e' * 3000000 + '\\nlast words\\n')\n"
          "__version__ = '1.0'\n");
    write("exiter/__init__.py", "import os\nos._exit(3)\n");
    write("forker/__init__.py",
          "import os, time\n"
          "pid = os.fork()\n"
          "if pid == 0:\n"
          "    time.sleep(600)\n"
          "    os._exit(0)\n"
          "open('" + pids + "/forker', 'w').write(str(pid))\n"
          "__version__ = '1.0'\n");
    m_python = m_tree / "venv/bin/python";
  }

  [[nodiscard]] const std::string& python() const { return m_python; }
  [[nodiscard]] std::string pid_file(const std::string& name) const {
    return m_tree / ("pids/" + name);
  }

 private:
  void write(const std::string& relative, const std::string& text) const {
    fs::create_directories((m_site / relative).parent_path());
    std::ofstream(m_site / relative) << text;
  }

  TempTree m_tree;
  fs::path m_site;
  std::string m_python;
};

const FakeEnv& env() {
  static const FakeEnv e;
  return e;
}

ProbeOptions options(std::vector<std::string> frameworks, std::chrono::milliseconds timeout) {
  ProbeOptions o;
  o.python = env().python();
  o.frameworks = std::move(frameworks);
  o.timeout = timeout;
  return o;
}

const facts::ProbeResult& find(const facts::ProbeFacts& f, const std::vector<std::string>& order) {
  for (const facts::ProbeResult& r : f.probes) {
    if (r.order == order) {
      return r;
    }
  }
  throw std::runtime_error("no such probe");
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Gone, or a zombie its new parent has not reaped yet: either way it runs no more.
bool stopped(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) {
      return true;
    }
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const std::size_t paren = text.rfind(')');
    if (paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'Z') {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

#define SKIP_WITHOUT_ENV()                                     \
  if (env().python().empty()) {                                \
    GTEST_SKIP() << "python3 -m venv is not available here";   \
  }

TEST(ProbeOrders, EachAloneThenEachPairBothWays) {
  EXPECT_EQ(probe_orders({"a", "b", "c"}),
            (std::vector<std::vector<std::string>>{
                {"a"}, {"b"}, {"c"}, {"a", "b"}, {"b", "a"}, {"a", "c"}, {"c", "a"}, {"b", "c"},
                {"c", "b"}}));
  EXPECT_TRUE(probe_orders({}).empty());
}

TEST(ProbeCommand, RunsTheEmbeddedProbeWithoutWritingBytecode) {
  const auto argv = probe_command("/v/bin/python", {"torch", "jax"}, GpuListing::with_context);
  ASSERT_EQ(argv.size(), 7U);
  EXPECT_EQ(argv[0], "/v/bin/python");
  EXPECT_EQ(argv[1], "-B");
  EXPECT_EQ(argv[2], "-c");
  EXPECT_TRUE(contains(argv[3], "/proc/self/maps"));
  EXPECT_EQ(argv[4], "--gpu");
  EXPECT_EQ(argv[5], "torch");
  EXPECT_EQ(argv[6], "jax");
}

TEST(RunProbes, RecordsVersionsDevicesAndWhatEachImportMapped) {
  SKIP_WITHOUT_ENV();
  ProbeOptions o = options({"torch", "raiser"}, std::chrono::seconds(60));
  o.jobs = 3;
  const facts::ProbeFacts f = run_probes(o);
  EXPECT_TRUE(f.done);
  EXPECT_EQ(f.jobs, 3);
  EXPECT_EQ(f.python, env().python());
  ASSERT_EQ(f.probes.size(), 4U);
  EXPECT_TRUE(contains(f.environment, "XLA_PYTHON_CLIENT_PREALLOCATE=false"));
  const std::string lib = fs::canonical(MLSTACK_PROBE_FAKE_LIB).string();

  const facts::ProbeResult& torch = find(f, {"torch"});
  EXPECT_EQ(torch.status, "ok") << torch.error << torch.stderr_tail;
  EXPECT_EQ(torch.versions.at("torch"), "2.99.0");
  EXPECT_EQ(torch.devices.at("torch"), (std::vector<std::string>{"cuda:0", "cuda:1"}));
  ASSERT_EQ(torch.imports.size(), 1U);
  EXPECT_TRUE(contains(torch.imports[0].mapped_new, lib));
  EXPECT_TRUE(contains(torch.mapped, lib));
  EXPECT_FALSE(contains(torch.baseline, lib));
  EXPECT_FALSE(torch.baseline.empty());
  EXPECT_GT(torch.cpu_s, 0);

  const facts::ProbeResult& raiser = find(f, {"raiser"});
  EXPECT_EQ(raiser.status, "import-error");
  EXPECT_EQ(raiser.error, "raiser: ImportError: libcudart.so.13: cannot open it");
  EXPECT_TRUE(contains(raiser.stderr_tail, "Traceback")) << raiser.stderr_tail;

  // torch then raiser: torch alone's libraries are kept; raiser is not imported first.
  const facts::ProbeResult& pair = find(f, {"torch", "raiser"});
  EXPECT_EQ(pair.status, "import-error");
  ASSERT_EQ(pair.imports.size(), 2U);
  EXPECT_EQ(pair.imports[0].status, "ok");
  EXPECT_TRUE(contains(pair.imports[0].mapped_new, lib));
  EXPECT_EQ(pair.imports[1].status, "import-error");
  EXPECT_EQ(find(f, {"raiser", "torch"}).imports.size(), 1U);
}

TEST(RunProbes, ReportsACrashWithItsSignalAndStderr) {
  SKIP_WITHOUT_ENV();
  const facts::ProbeFacts f = run_probes(options({"torch", "segv"}, std::chrono::seconds(60)));
  const facts::ProbeResult& segv = find(f, {"segv"});
  EXPECT_EQ(segv.status, "crash");
  EXPECT_EQ(segv.signal, SIGSEGV);
  EXPECT_EQ(segv.signal_name, "SIGSEGV");
  EXPECT_EQ(segv.error, "killed by SIGSEGV during the import of segv");
  EXPECT_TRUE(contains(segv.stderr_tail, "about to crash")) << segv.stderr_tail;
  EXPECT_TRUE(contains(segv.stderr_tail, "Segmentation fault")) << segv.stderr_tail;
  const facts::ProbeResult& pair = find(f, {"torch", "segv"});
  EXPECT_EQ(pair.status, "crash");
  ASSERT_EQ(pair.imports.size(), 2U);
  EXPECT_EQ(pair.imports[0].status, "ok");
  EXPECT_EQ(pair.imports[1].status, "crash");
  EXPECT_EQ(pair.versions.at("torch"), "2.99.0");
}

TEST(RunProbes, KillsTheProcessGroupOfAProbeThatHangs) {
  SKIP_WITHOUT_ENV();
  const auto start = std::chrono::steady_clock::now();
  const facts::ProbeFacts f = run_probes(options({"hang"}, std::chrono::seconds(2)));
  // The deadline with slack for a loaded machine, far below the 600 s the probe would take.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  const facts::ProbeResult& hang = find(f, {"hang"});
  EXPECT_EQ(hang.status, "timeout");
  EXPECT_EQ(hang.error,
            "no answer within 2 s (during the import of hang); its process group was killed");
  ASSERT_EQ(hang.imports.size(), 1U);
  EXPECT_EQ(hang.imports[0].status, "timeout");
  std::ifstream pids(env().pid_file("hang"));
  pid_t python = 0;
  pid_t sleeper = 0;
  ASSERT_TRUE(pids >> python >> sleeper) << "the fake did not record its pids";
  EXPECT_TRUE(stopped(python));
  EXPECT_TRUE(stopped(sleeper));
}

TEST(RunProbes, DrainsAFloodKeepingItsEndsInBoundedMemory) {
  SKIP_WITHOUT_ENV();
  const facts::ProbeFacts f = run_probes(options({"flood"}, std::chrono::seconds(120)));
  const facts::ProbeResult& flood = find(f, {"flood"});
  EXPECT_EQ(flood.status, "ok") << flood.error;
  EXPECT_TRUE(flood.output_truncated);
  EXPECT_EQ(flood.versions.at("flood"), "1.0");
  // 300 MiB went through this process: only the kept ends of it may have been held.
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  EXPECT_LT(usage.ru_maxrss, 200L * 1024) << "kilobytes";
}

TEST(RunProbes, ReportsAnExitWithoutAnswer) {
  SKIP_WITHOUT_ENV();
  const facts::ProbeResult r =
      run_probes(options({"exiter"}, std::chrono::seconds(60))).probes.at(0);
  EXPECT_EQ(r.status, "exit");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.error, "exit status 3 during the import of exiter");
}

TEST(RunProbes, DoesNotWaitForAGrandchildHoldingItsOutput) {
  SKIP_WITHOUT_ENV();
  const auto start = std::chrono::steady_clock::now();
  const facts::ProbeResult r =
      run_probes(options({"forker"}, std::chrono::seconds(60))).probes.at(0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_EQ(r.status, "ok") << r.error << r.stderr_tail;
  EXPECT_TRUE(contains(r.notes, "a process it started kept its output open after it exited "
                                "(killed with its process group)"));
  std::ifstream pid_file(env().pid_file("forker"));
  pid_t grandchild = 0;
  ASSERT_TRUE(pid_file >> grandchild);
  EXPECT_TRUE(stopped(grandchild));
}

TEST(RunProbes, IgnoresAModuleOfTheSameNameInTheWorkingDirectory) {
  SKIP_WITHOUT_ENV();
  const TempTree cwd;
  cwd.write("torch.py", "raise ImportError('the working directory was searched')\n");
  const fs::path before = fs::current_path();
  fs::current_path(cwd.path());
  const facts::ProbeFacts f = run_probes(options({"torch"}, std::chrono::seconds(60)));
  fs::current_path(before);
  EXPECT_EQ(f.probes.at(0).status, "ok") << f.probes.at(0).error;
}

TEST(RunProbes, SaysWhyAProbeCouldNotRun) {
  ProbeOptions o;
  o.python = "/nonexistent/python";
  o.frameworks = {"torch"};
  const facts::ProbeFacts f = run_probes(o);
  ASSERT_EQ(f.probes.size(), 1U);
  EXPECT_EQ(f.probes[0].status, "not-run");
  EXPECT_EQ(f.probes[0].error, "cannot run `/nonexistent/python`: no such file or directory");
}

}  // namespace
}  // namespace mlstack::probe
