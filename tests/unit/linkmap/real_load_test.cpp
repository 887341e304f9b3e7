// SPDX-License-Identifier: MIT
// The JAX, ONNX Runtime and CuPy load models against the real wheels of the `current` real
// environment (tools/real_envs/make_envs.py): a child Python runs the import (and a first GPU
// use, which falls back to the CPU here), prints /proc/self/maps, and the model's steps run
// through loader::Process must map the same files under the site folder's framework and
// nvidia packages, /usr/local/cuda* and libstdc++ (the model's steps run by `simulate`). Skipped
// when the environment is absent.
#include "mlstack/linkmap/scenario.hpp"
#include "mlstack/loader/ld_cache.hpp"
#include "mlstack/loader/resolve.hpp"

#include "load_test_util.hpp"
#include "run_command.hpp"
#include <gtest/gtest.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

namespace mlstack::linkmap {
namespace {

using loader::testing::run_command;

std::string real(const std::string& path) {
  char buffer[PATH_MAX];
  return ::realpath(path.c_str(), buffer) != nullptr ? std::string(buffer) : path;
}

std::string venv() {
  const char* envs = std::getenv("MLSTACK_REAL_ENVS");
  const char* home = std::getenv("HOME");
  const std::string root = envs != nullptr   ? envs
                           : home != nullptr ? std::string(home) + "/.cache/mlstack/real-envs"
                                             : std::string();
  return root + "/current/venv";
}

struct Observed {
  std::string exe;
  facts::PythonFacts python;
  std::set<std::string> mapped;
  std::string output;
};

Observed observe(const std::string& python, const std::string& framework,
                 const std::string& stage) {
  const std::string script = std::string(MLSTACK_LINKMAP_TEST_DIR) + "/real_load_probe.py";
  // JAX_SKIP_CUDA_CONSTRAINTS_CHECK: without a driver the plugin's cuPTI version check
  // segfaults (jax-cuda13-plugin 0.10.2), so the check is skipped; the libraries it would
  // dlopen are loaded by then (docs/frameworks.md, "JAX").
  Observed o;
  o.output = run_command("env -u LD_LIBRARY_PATH JAX_SKIP_CUDA_CONSTRAINTS_CHECK=1 " + python +
                         " " + script + " " + framework + " " + stage + " 2>/dev/null");
  std::istringstream lines(o.output);
  for (std::string line; std::getline(lines, line);) {
    const std::string value = line.substr(std::min<std::size_t>(line.size(), line.find(' ') + 1));
    if (line.rfind("EXE ", 0) == 0) {
      o.exe = value;
    } else if (line.rfind("EXT ", 0) == 0) {
      o.python.tags.ext_suffix = value;
    } else if (line.rfind("PATH ", 0) == 0) {
      o.python.sys_path.push_back(value);
    } else if (line.rfind("SITE ", 0) == 0) {
      o.python.site_dirs.push_back(value);
    } else if (line.rfind("MAP ", 0) == 0) {
      o.mapped.insert(value);
    }
  }
  return o;
}

// The files compared: the framework's own packages and the nvidia wheels in the site folder,
// the CUDA toolkit under /usr/local/cuda*, libstdc++.
bool compared(const std::string& path, const std::string& site,
              const std::vector<std::string>& packages) {
  if (path.find(".so") == std::string::npos) {
    return false;
  }
  if (path.rfind("/usr/local/cuda", 0) == 0 || path.find("/libstdc++.so") != std::string::npos) {
    return true;
  }
  for (const std::string& package : packages) {
    if (path.rfind(site + "/" + package + "/", 0) == 0) {
      return true;
    }
  }
  return false;
}

class RealLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    m_python = venv() + "/bin/python";
    if (!m_fs.exists(m_python)) {
      GTEST_SKIP() << "no real environment at " << venv();
    }
    auto cache = loader::read_ld_cache(m_fs);
    if (!cache) {
      GTEST_SKIP() << render(cache.error());
    }
    m_cache = std::move(*cache);
  }

  // Runs the load of `framework` (several: comma-separated, imported in that order, then
  // each one's first GPU use) in a child and the models through `simulate`; compares.
  void check(const std::string& framework, const std::vector<std::string>& packages,
             const std::string& stage) {
    SCOPED_TRACE(framework + " " + stage);
    const Observed o = observe(m_python, framework, stage);
    ASSERT_FALSE(o.mapped.empty()) << o.output;
    ASSERT_FALSE(o.python.site_dirs.empty()) << o.output;
    const std::string site = real(o.python.site_dirs.front());
    const facts::Inventory inventory;
    std::vector<FrameworkLoad> run;
    for (std::size_t at = 0; at <= framework.size();) {
      std::size_t end = framework.find(',', at);
      end = end == std::string::npos ? framework.size() : end;
      const std::string name = framework.substr(at, end - at);
      at = end + 1;
      if (!m_fs.exists(site + "/" + (name == "jax" ? std::string("jaxlib") : name))) {
        GTEST_SKIP() << name << " is not installed in " << site;
      }
      facts::FrameworkBuild build;
      build.name = name;
      build.location = site;
      build.cuda.value = "13.0";
      FrameworkLoad load = framework_model(name)({build, inventory, o.python, m_fs});
      EXPECT_TRUE(load.problems.empty());
      if (stage == "import") {
        std::erase_if(load.steps, [](const LoadStep& step) { return step.when != "import"; });
      }
      run.push_back(std::move(load));
    }
    loader::LoaderConfig config;
    config.cache = &m_cache;
    config.preloaded = {{"/lib64/ld-linux-x86-64.so.2", "ld-linux-x86-64.so.2"}};
    const facts::BuildFacts builds;
    const Labeller labeller(m_fs, builds, inventory);
    const facts::LoadScenario scenario = simulate({config, m_reader, labeller, real(o.exe)}, run);
    EXPECT_TRUE(scenario.problems.empty());
    std::set<std::string> predicted;
    for (const facts::MappedLibrary& library : scenario.libraries) {
      if (const std::string path = real(library.path); compared(path, site, packages)) {
        predicted.insert(path);
      }
    }
    std::set<std::string> mapped;
    for (const std::string& path : o.mapped) {
      if (compared(path, site, packages)) {
        mapped.insert(path);
      }
    }
    std::vector<std::string> only_predicted;
    std::vector<std::string> only_mapped;
    for (const std::string& p : predicted) {
      if (mapped.count(p) == 0) {
        only_predicted.push_back(p);
      }
    }
    for (const std::string& p : mapped) {
      if (predicted.count(p) == 0) {
        only_mapped.push_back(p);
      }
    }
    EXPECT_EQ(only_predicted, std::vector<std::string>{}) << "predicted, not mapped";
    EXPECT_EQ(only_mapped, std::vector<std::string>{}) << "mapped, not predicted";
    EXPECT_GT(mapped.size(), 1U);
    if (std::getenv("MLSTACK_LINKMAP_SHOW") != nullptr) {
      for (const std::string& p : mapped) {
        std::printf("  mapped %s\n", p.c_str());
      }
    }
    m_last = std::move(mapped);
  }

  static FrameworkLoad (*framework_model(const std::string& name))(const ModelInput&) {
    if (name == "jax") {
      return jax_load;
    }
    if (name == "onnxruntime") {
      return onnxruntime_load;
    }
    return cupy_load;
  }

  [[nodiscard]] bool last_has(const std::string& suffix) const {
    for (const std::string& p : m_last) {
      if (p.size() >= suffix.size() &&
          p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) {
        return true;
      }
    }
    return false;
  }

  io::RealFileSystem m_fs;
  loader::LdCache m_cache;
  loader::ElfObjectReader m_reader;
  std::string m_python;
  std::set<std::string> m_last;
};

TEST_F(RealLoad, JaxImport) {
  check("jax", {"jaxlib", "jax_cuda13_plugin", "jax_plugins", "nvidia"}, "import");
  EXPECT_TRUE(last_has("/nvidia/cu13/lib/libcudart.so.13"));
}

TEST_F(RealLoad, JaxDevices) {
  check("jax", {"jaxlib", "jax_cuda13_plugin", "jax_plugins", "nvidia"}, "gpu");
  EXPECT_TRUE(last_has("/jax_plugins/xla_cuda13/xla_cuda_plugin.so"));
  EXPECT_TRUE(last_has("/nvidia/cudnn/lib/libcudnn.so.9"));
}

TEST_F(RealLoad, OnnxruntimeImport) { check("onnxruntime", {"onnxruntime", "nvidia"}, "import"); }

TEST_F(RealLoad, OnnxruntimeCudaSession) {
  // Without a driver the CUDA provider's dlopen fails (libcuda.so.1) and ld.so unmaps it
  // again with its cuBLAS/cudart; the shared provider library stays.
  check("onnxruntime", {"onnxruntime", "nvidia"}, "gpu");
  EXPECT_TRUE(last_has("/onnxruntime/capi/libonnxruntime_providers_shared.so"));
  EXPECT_FALSE(last_has("/onnxruntime/capi/libonnxruntime_providers_cuda.so"));
}

TEST_F(RealLoad, CupyImport) {
  check("cupy", {"cupy", "cupy_backends", "cuda", "nvidia"}, "import");
  EXPECT_TRUE(last_has("/nvidia/cu13/lib/libcublasLt.so.13"));
}

// Two copies of cuBLAS (and cuFFT, cuSOLVER, cuSPARSE) in one process: CuPy's library
// modules take the system ones through the ld.so cache, then JAX's plugin preloads the
// wheels' by path.
TEST_F(RealLoad, CupyThenJaxFirstUse) {
  check("cupy,jax",
        {"cupy", "cupy_backends", "cuda", "jaxlib", "jax_cuda13_plugin", "jax_plugins", "nvidia"},
        "gpu");
  EXPECT_TRUE(last_has("/usr/local/cuda-13.0/lib/libcublas.so.13"));
  EXPECT_TRUE(last_has("/nvidia/cu13/lib/libcublas.so.13"));
}

TEST_F(RealLoad, CupyFirstUse) {
  check("cupy", {"cupy", "cupy_backends", "cuda", "nvidia"}, "gpu");
  EXPECT_TRUE(last_has("/nvidia/cu13/lib/libnvrtc.so.13"));
}

}  // namespace
}  // namespace mlstack::linkmap
