// SPDX-License-Identifier: MIT
// CuPy's load model: docs/frameworks.md, "What an import maps", "CuPy".
#include "mlstack/linkmap/model.hpp"
#include "mlstack/linkmap/python_paths.hpp"

#include <array>
#include <map>
#include <regex>
#include <set>
#include <string_view>

namespace mlstack::linkmap {
namespace {

using detail::dlopen_step;
using detail::extension_module;
using detail::import_step;

// `import cupy` imports these extension modules in this order (CuPy 14.2; an `LD_DEBUG=files`
// trace of the real import gives it). Modules a version lacks are passed over.
constexpr std::array<std::string_view, 57> k_import_modules = {
    "cupy/_core/core", "cupy/cuda/device", "cupy_backends/cuda/api/runtime",
    "cupy_backends/cuda/_softlink", "cupy_backends/cuda/api/_runtime_enum", "cupy/_util",
    "cupy/cuda/function", "cupy/_core/_carray", "cupy/cuda/memory", "cupy/cuda/memory_hook",
    "cupy/cuda/stream", "cupy/cuda/graph", "cupy_backends/cuda/stream",
    "cupy_backends/cuda/api/driver", "cupy_backends/cuda/api/_driver_enum", "cupy/_core/internal",
    "cupy/_core/_scalar", "cupy/_core/_dtype", "cupy/cuda/texture", "cupy_backends/cuda/libs/nvrtc",
    "cupy/cuda/pinned_memory", "cupy/cuda/cub", "cupy/cuda/common", "cupy_backends/cuda/libs/nvtx",
    "cupy/cuda/thrust", "cupy/_core/_kernel", "cupy/_core/_accelerator", "cupy/_core/_memory_range",
    "cupy/_core/_fusion_thread_local", "cupy/_core/_routines_manipulation",
    "cupy/_core/_routines_binary", "cupy/_core/_routines_math", "cupy/_core/_reduction",
    "cupy/_core/_optimize_config", "cupy/_core/_cub_reduction", "cupy/_core/_routines_indexing",
    "cupy/_core/_routines_linalg", "cupy/_core/_routines_logic", "cupy/_core/_routines_sorting",
    "cupy/_core/_routines_statistics", "cupy_backends/cuda/libs/cutensor", "cupy/_core/dlpack",
    "cupy/_core/flags", "cupy/_core/fusion", "cupy/_core/new_fusion", "cupy/_core/_fusion_trace",
    "cupy/_core/_fusion_variable", "cupy/_core/_fusion_kernel", "cupy/_core/raw", "cupy/fft/_cache",
    "cupy/fft/_callback", "cupy/random/_generator_api", "cupy/random/_bit_generator",
    "cupy/lib/_polynomial",
    // Imported when first used (cupy.cuda.cublas, cupy.linalg, cupy.sparse, cupy.random,
    // cupy.fft, jitify): each names its library in DT_NEEDED, without RUNPATH.
    "cupy_backends/cuda/libs/cublas", "cupy_backends/cuda/libs/cusolver",
    "cupy_backends/cuda/libs/cusparse"};
constexpr std::size_t k_lazy_from = 54;
constexpr std::array<std::string_view, 3> k_more_lazy = {"cupy_backends/cuda/libs/curand",
                                                         "cupy/cuda/cufft", "cupy/cuda/jitify"};

// Optional at import: CuPy catches their ImportError (the library is not installed).
bool optional_module(std::string_view name) {
  return name.find("/libs/") != std::string_view::npos || name == "cupy/cuda/cub" ||
         name == "cupy/cuda/thrust";
}

// One cuda-pathfinder library descriptor (cuda/pathfinder/_dynamic_libs/descriptor_catalog.py).
struct Descriptor {
  std::vector<std::string> sonames;        // linux_sonames, preferred first
  std::vector<std::string> site_packages;  // site_packages_linux: `nvidia/cu13/lib`
  std::vector<std::string> dependencies;
};

std::vector<std::string> quoted_list(const std::string& text, const std::string& field) {
  std::vector<std::string> out;
  const std::regex tuple("\\b" + field + R"(\s*=\s*\(([^)]*)\))");
  std::smatch m;
  if (!std::regex_search(text, m, tuple)) {
    return out;
  }
  static const std::regex quoted(R"re("([^"]+)")re");
  const std::string list = m[1].str();
  for (auto it = std::sregex_iterator(list.begin(), list.end(), quoted);
       it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

std::map<std::string, Descriptor> read_catalog(const std::string& text) {
  std::map<std::string, Descriptor> out;
  static const std::regex name(R"re(\bname\s*=\s*"([^"]+)")re");
  std::size_t at = text.find("DescriptorSpec(");
  while (at != std::string::npos) {
    const std::size_t next = text.find("DescriptorSpec(", at + 1);
    const std::string block =
        text.substr(at, next == std::string::npos ? std::string::npos : next - at);
    std::smatch m;
    if (std::regex_search(block, m, name)) {
      Descriptor d;
      d.sonames = quoted_list(block, "linux_sonames");
      d.site_packages = quoted_list(block, "site_packages_linux");
      d.dependencies = quoted_list(block, "dependencies");
      out.emplace(m[1].str(), std::move(d));
    }
    at = next;
  }
  return out;
}

// cuda.pathfinder.load_nvidia_dynamic_lib (load_nvidia_dynamic_lib.py _load_lib_no_cache):
// its dependencies first, then the library from the first site-packages folder that has one
// of its sonames, else each soname through the system search (dlopen from ctypes). Cached: a
// library is loaded once per process.
class Pathfinder {
 public:
  Pathfinder(const ModelInput& input, std::map<std::string, Descriptor> catalog,
             std::vector<LoadStep>& steps)
      : m_input(input), m_catalog(std::move(catalog)), m_steps(steps) {}

  void load(const std::string& lib, const std::string& why, const std::string& when) {
    if (!m_done.insert(lib).second) {
      return;
    }
    const auto it = m_catalog.find(lib);
    if (it == m_catalog.end()) {
      return;
    }
    const Descriptor& d = it->second;
    std::string found;
    for (const std::string& rel : d.site_packages) {
      for (const std::string& site : detail::site_dirs(m_input)) {
        for (const std::string& soname : d.sonames) {
          if (found.empty() && m_input.fs.exists(site + "/" + rel + "/" + soname)) {
            found = site + "/" + rel + "/" + soname;
          }
        }
      }
    }
    for (const std::string& dep : d.dependencies) {
      load(dep, why + " (dependency of " + lib + ")", when);
    }
    LoadStep step;
    step.why = "cuda-pathfinder load_nvidia_dynamic_lib(\"" + lib + "\"): " + why;
    step.when = when;
    step.required = false;
    if (!found.empty()) {
      step.candidates.push_back(found);
    } else {
      step.candidates = d.sonames;
    }
    m_steps.push_back(std::move(step));
    // load_dl_linux.py _preload_nvrtc_builtins: for a CUDA 13 wheel's NVRTC, the
    // `libnvrtc-builtins.so.13.0` beside it, when there is one.
    if (lib == "nvrtc" && !found.empty() && found.find(".so.13") != std::string::npos) {
      std::string real = found;
      (void)m_input.fs.realpath(found, real);
      const std::string sibling = real.substr(0, real.rfind('/')) + "/libnvrtc-builtins.so.13.0";
      if (m_input.fs.exists(sibling)) {
        m_steps.push_back(dlopen_step(sibling, "", step_why_builtins(), when));
      }
    }
  }

 private:
  static std::string step_why_builtins() {
    return "cuda-pathfinder _preload_nvrtc_builtins (ctypes, by path)";
  }
  const ModelInput& m_input;
  std::map<std::string, Descriptor> m_catalog;
  std::vector<LoadStep>& m_steps;
  std::set<std::string> m_done;
};

}  // namespace

FrameworkLoad cupy_load(const ModelInput& input) {
  FrameworkLoad load;
  load.framework = "cupy";
  const std::string cupy = detail::package_dir(input, "cupy");
  if (cupy.empty()) {
    load.problems.push_back("no `cupy` package folder on the path");
    return load;
  }
  const std::string site = cupy.substr(0, cupy.rfind('/'));

  std::map<std::string, Descriptor> catalog;
  if (const std::string dir = detail::package_dir(input, "cuda/pathfinder/_dynamic_libs");
      !dir.empty()) {
    std::string text;
    const std::string path = dir + "/descriptor_catalog.py";
    if (input.fs.read_file(path, 1 << 20, text).ok()) {
      catalog = read_catalog(text);
    } else {
      load.problems.push_back("cannot read `" + path + "`");
    }
  }
  Pathfinder pathfinder(input, std::move(catalog), load.steps);

  // cupy/__init__.py: `_environment._preload_library('cutensor')`, for a pip wheel
  // (cupy/.data/_wheel.json says `"packaging": "pip"`): cuda-pathfinder.
  std::string wheel;
  if (input.fs.read_file(cupy + "/.data/_wheel.json", 1 << 16, wheel).ok() &&
      wheel.find("\"cutensor\"") != std::string::npos &&
      wheel.find("\"conda\"") == std::string::npos) {
    pathfinder.load("cutensor", "cupy/__init__.py: _environment._preload_library('cutensor')",
                    "import");
  }
  // cupy/__init__.py imports numpy first; cupy/_util imports ml_dtypes when installed.
  detail::add_numpy_steps(input, "import cupy imports numpy", load.steps);
  detail::add_module_steps(input, "ml_dtypes", {"_ml_dtypes_ext"}, "cupy/_util imports ml_dtypes",
                           load.steps);
  const std::string gpu = "first GPU use";
  for (std::size_t i = 0; i < k_import_modules.size(); ++i) {
    const std::string_view name = k_import_modules[i];
    if (i == k_lazy_from) {
      // A kernel's first launch: NVRTC through cuda-pathfinder (cupy_backends/cuda/_softlink),
      // and the driver, dlopen'ed by the runtime module (CUDA runtime linked statically).
      pathfinder.load("nvrtc", "cupy_backends/cuda/libs/nvrtc (first compile)", gpu);
      if (std::string runtime = extension_module(input, site, "cupy_backends/cuda/api/runtime");
          !runtime.empty()) {
        load.steps.push_back(dlopen_step("libcuda.so.1", std::move(runtime),
                                         "cupy_backends/cuda/api/runtime: the driver", gpu));
      }
    }
    std::string path = extension_module(input, site, name);
    if (path.empty()) {
      continue;
    }
    const bool lazy = i >= k_lazy_from;
    load.steps.push_back(import_step(
        std::move(path), std::string(lazy ? "first use: import " : "import ") + std::string(name),
        !lazy && !optional_module(name), lazy ? gpu : "import"));
  }
  for (const std::string_view name : k_more_lazy) {
    if (std::string path = extension_module(input, site, name); !path.empty()) {
      load.steps.push_back(
          import_step(std::move(path), "first use: import " + std::string(name), false, gpu));
    }
  }
  return load;
}

}  // namespace mlstack::linkmap
