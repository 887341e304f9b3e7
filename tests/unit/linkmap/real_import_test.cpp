// SPDX-License-Identifier: MIT
// The prediction against real imports (docs/frameworks.md, "What an import maps"): in the
// real environments of tools/real_envs/make_envs.py, the venv's python imports the frameworks
// in each order in a child and prints its /proc/self/maps; every shared object mapped from
// the venv, from /usr/local/cuda* and every libstdc++ must be one the scenario maps at import
// (real paths), and the other way round. Skipped when an environment is absent.
#include "mlstack/cudalibs/cuda_libraries.hpp"
#include "mlstack/cudalibs/library_uses.hpp"
#include "mlstack/frameworks/framework_builds.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/linkmap/cached_object_reader.hpp"
#include "mlstack/linkmap/predict.hpp"
#include "mlstack/linkmap/scenario.hpp"
#include "mlstack/pyenv/interpreter_probe.hpp"
#include "mlstack/pyenv/scan.hpp"
#include "mlstack/pyenv/spawn.hpp"
#include "run_command.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <iostream>
#include <set>
#include <sstream>

namespace mlstack::linkmap {
namespace {

using mlstack::loader::testing::run_command;

std::string env_root(const std::string& name) {
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.cache/mlstack/real-envs/" + name + "/venv";
}

std::string real(const std::string& path) {
  char buffer[PATH_MAX];
  return ::realpath(path.c_str(), buffer) != nullptr ? std::string(buffer) : path;
}

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

struct Compared {
  std::set<std::string> predicted;
  std::set<std::string> observed;
};

class RealImport : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    m_venv = env_root(GetParam());
    m_python = m_venv + "/bin/python";
    if (!m_fs.exists(m_python)) {
      GTEST_SKIP() << "no real environment at " << m_venv << " (make test-real)";
    }
    m_venv_real = real(m_venv);
    auto python = pyenv::probe_interpreter(m_python, {});
    ASSERT_TRUE(python) << render(python.error());
    m_python_facts = std::move(*python);
    pyenv::ScanOptions scan;
    scan.depth = pyenv::ScanDepth::full;
    m_inventory = pyenv::scan(m_python_facts, m_fs, scan);
    m_builds.frameworks = frameworks::read_framework_builds(m_inventory, m_fs).frameworks;
    TargetLoaderInput target;
    target.python = m_python;
    if (auto interp = program_interpreter(real(m_python))) {
      if (auto help = pyenv::run_process({*interp, "--help"}, std::chrono::seconds(10))) {
        target.ld_so_help = help->stdout_text;
      }
    }
    m_settings = target_loader(m_fs, target);
    ASSERT_TRUE(m_settings.problems.empty()) << m_settings.problems.front();
  }

  [[nodiscard]] bool in_scope(const std::string& path) const {
    return path.find(".so") != std::string::npos &&
           (path.starts_with(m_venv_real + "/") || path.starts_with("/usr/local/cuda") ||
            base_name(path).starts_with("libstdc++.so"));
  }

  // The child's maps and the scenario's import-time objects, both in scope.
  Compared compare(const std::vector<std::string>& order, facts::LoadScenario& scenario) {
    const PredictInput input{m_settings.config, m_reader, m_fs, m_builds, m_inventory,
                             m_python_facts, m_settings.interpreter, m_settings.cache_path};
    const std::vector<FrameworkLoad> loads = framework_loads(input);
    std::vector<FrameworkLoad> chosen;
    for (const std::string& name : order) {
      const auto it = std::find_if(loads.begin(), loads.end(),
                                   [&name](const FrameworkLoad& l) { return l.framework == name; });
      if (it == loads.end()) {
        return {};
      }
      chosen.push_back(*it);
    }
    const Labeller labeller(m_fs, m_builds, m_inventory);
    scenario = simulate(ScenarioInput{m_settings.config, m_reader, labeller, m_settings.interpreter},
                        chosen);
    Compared out;
    for (const facts::MappedLibrary& l : scenario.libraries) {
      if (l.when == "import" && in_scope(l.real_path)) {
        out.predicted.insert(l.real_path);
      }
    }
    std::string script = "import sys\n";
    for (const std::string& name : order) {
      script += "import " + name + "\n";
    }
    script +=
        "for l in open('/proc/self/maps'):\n"
        "    p = l.split(None, 5)\n"
        "    if len(p) > 5 and p[5].startswith('/'): print(p[5].strip())\n";
    std::istringstream lines(run_command("cd / && env -u LD_LIBRARY_PATH " + m_python + " -c \"" +
                                         script + "\" 2>/dev/null"));
    for (std::string line; std::getline(lines, line);) {
      if (in_scope(line)) {
        out.observed.insert(line);
      }
    }
    return out;
  }

  // Prints the disagreements; returns the tracked libraries (CUDA, libstdc++) among them.
  static std::vector<std::string> report(const std::string& what, const Compared& c) {
    std::vector<std::string> tracked;
    std::size_t both = 0;
    for (const std::string& p : c.predicted) {
      both += c.observed.count(p);
    }
    std::cout << what << ": " << c.observed.size() << " mapped, " << c.predicted.size()
              << " predicted, " << both << " both\n";
    for (const std::string& p : c.observed) {
      if (c.predicted.count(p) == 0) {
        std::cout << "  mapped, not predicted: " << p << '\n';
        if (!tracked_library(base_name(p)).empty()) {
          tracked.push_back(p);
        }
      }
    }
    for (const std::string& p : c.predicted) {
      if (c.observed.count(p) == 0) {
        std::cout << "  predicted, not mapped: " << p << '\n';
        if (!tracked_library(base_name(p)).empty()) {
          tracked.push_back(p);
        }
      }
    }
    return tracked;
  }

  io::RealFileSystem m_fs;
  std::string m_venv;
  std::string m_venv_real;
  std::string m_python;
  facts::PythonFacts m_python_facts;
  facts::Inventory m_inventory;
  facts::BuildFacts m_builds;
  TargetLoader m_settings;
  loader::ElfObjectReader m_elf;
  io::FileFactsCache m_no_cache;
  CachedObjectReader m_reader{m_elf, m_fs, m_no_cache};
};

// torch alone: file for file.
TEST_P(RealImport, TorchFileForFile) {
  facts::LoadScenario scenario;
  const Compared c = compare({"torch"}, scenario);
  ASSERT_FALSE(c.observed.empty()) << "import torch mapped nothing from " << m_venv;
  (void)report(GetParam() + " import torch", c);
  EXPECT_TRUE(scenario.missing.empty()) << scenario.missing.front();
  EXPECT_EQ(c.predicted, c.observed);
}

// TensorFlow alone and both orders with torch: file for file. While a model a TensorFlow
// import reaches is missing (`no load model for jax yet`: TensorFlow imports jax when it is
// installed), everything predicted must still be mapped, and that model's files are listed.
TEST_P(RealImport, TensorflowAndBothOrders) {
  for (const std::vector<std::string>& order :
       std::vector<std::vector<std::string>>{{"tensorflow"}, {"torch", "tensorflow"},
                                             {"tensorflow", "torch"}}) {
    facts::LoadScenario scenario;
    const Compared c = compare(order, scenario);
    std::string what = GetParam() + " import";
    for (const std::string& name : order) {
      what += " " + name;
    }
    SCOPED_TRACE(what);
    ASSERT_FALSE(c.observed.empty());
    const std::vector<std::string> tracked = report(what, c);
    for (const std::string& p : c.predicted) {
      EXPECT_EQ(c.observed.count(p), 1U) << "predicted, not mapped: " << p;
    }
    if (scenario.problems.empty()) {
      EXPECT_TRUE(tracked.empty()) << tracked.front();
      EXPECT_EQ(c.predicted, c.observed);  // file for file
    } else {
      std::cout << "  (models missing: " << scenario.problems.front() << ")\n";
    }
  }
}

// The emulation against the wheel-first resolution of cudalibs (`FrameworkBuild::libraries`,
// docs/frameworks.md "Which library a framework loads"), each framework alone: the file each
// loaded library use names, and the file the scenario maps for that library (any `when`).
// Printed, not failed: the two answer different questions where they differ.
TEST_P(RealImport, AgainstLibraryUses) {
  facts::BuildFacts builds = m_builds;
  cudalibs::CudaLibraryScan libs = cudalibs::find_cuda_libraries(m_inventory, m_fs);
  builds.cuda_libraries = std::move(libs.libraries);
  cudalibs::resolve_library_uses(builds);
  const PredictInput input{m_settings.config, m_reader, m_fs, builds, m_inventory,
                           m_python_facts, m_settings.interpreter, m_settings.cache_path};
  const std::vector<FrameworkLoad> loads = framework_loads(input);
  const Labeller labeller(m_fs, builds, m_inventory);
  for (std::size_t i = 0; i < loads.size(); ++i) {
    const facts::LoadScenario s = simulate(
        ScenarioInput{m_settings.config, m_reader, labeller, m_settings.interpreter}, {loads[i]});
    std::size_t agree = 0;
    std::size_t total = 0;
    for (const facts::LibraryUse& use : builds.frameworks[i].libraries) {
      if (!facts::is_loaded(use)) {
        continue;
      }
      ++total;
      std::vector<std::string> mapped;
      for (const facts::MappedLibrary& l : s.libraries) {
        if (l.library == use.library) {
          mapped.push_back(l.real_path + " (" + l.when + ")");
        }
      }
      const std::string expected = use.path.empty() ? "" : real(use.path);
      const bool same = use.how == "missing"
                            ? mapped.empty()
                            : mapped.size() == 1 && mapped[0].starts_with(expected + " (");
      agree += same ? 1 : 0;
      if (!same) {
        std::cout << GetParam() << " " << loads[i].framework << " " << use.library << ": uses "
                  << use.how << " " << (expected.empty() ? "(none)" : expected)
                  << "; emulation maps";
        for (const std::string& m : mapped) {
          std::cout << " " << m;
        }
        std::cout << (mapped.empty() ? " nothing" : "") << '\n';
      }
    }
    std::cout << GetParam() << " " << loads[i].framework << ": " << agree << " of " << total
              << " library uses agree\n";
  }
}

// JAX, ONNX Runtime and CuPy alone (the venv's numpy and ml_dtypes modules included), and with
// torch: file for file at import (real_load_test.cpp checks their first GPU use). Not `cupy`
// then `torch`: torch's import then imports cupy.testing and cupyx (under
// torch.fx.experimental.proxy_tensor), hence scipy, which the torch model does not know.
TEST_P(RealImport, JaxOnnxruntimeCupy) {
  for (const std::vector<std::string>& order : std::vector<std::vector<std::string>>{
           {"jax"}, {"onnxruntime"}, {"cupy"}, {"torch", "jax"}, {"jax", "torch"},
           {"torch", "onnxruntime"}, {"onnxruntime", "torch"}, {"torch", "cupy"}}) {
    facts::LoadScenario scenario;
    const Compared c = compare(order, scenario);
    std::string what = GetParam() + " import";
    for (const std::string& name : order) {
      what += " " + name;
    }
    SCOPED_TRACE(what);
    if (c.observed.empty()) {
      std::cout << what << ": not installed\n";
      continue;
    }
    (void)report(what, c);
    EXPECT_TRUE(scenario.problems.empty()) << scenario.problems.front();
    EXPECT_EQ(c.predicted, c.observed);  // file for file
  }
}

INSTANTIATE_TEST_SUITE_P(Envs, RealImport, ::testing::Values("current", "tf-andcuda-torch13"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string n = param.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace mlstack::linkmap
