// SPDX-License-Identifier: MIT
// JAX's load model: docs/frameworks.md, "What an import maps", "JAX".
#include "mlstack/linkmap/model.hpp"
#include "mlstack/linkmap/python_paths.hpp"

#include <algorithm>
#include <array>
#include <regex>
#include <string_view>

namespace mlstack::linkmap {
namespace {

using detail::dlopen_step;
using detail::extension_module;
using detail::import_step;
using detail::package_dir;

enum class Package : std::uint8_t { jaxlib, plugin };

struct Module {
  Package package;
  std::string_view name;
};

// `import jax`: jax/_src/lib/__init__.py imports these in this order (jaxlib 0.10.2; an
// `LD_DEBUG=files` trace of the real import gives the same order). Modules a version lacks
// are passed over.
constexpr std::array k_import_modules = {
    Module{Package::jaxlib, "cpu_feature_guard"},
    Module{Package::jaxlib, "_jax"},
    Module{Package::jaxlib, "_hlo"},
    Module{Package::jaxlib, "cpu/_lapack"},
    Module{Package::jaxlib, "utils"},
    Module{Package::jaxlib, "_xla"},
    Module{Package::jaxlib, "mlir/_mlir_libs/_mlir"},
    Module{Package::jaxlib, "mlir/_mlir_libs/_jax_mlir_ext"},
    Module{Package::jaxlib, "_profiler"},
    Module{Package::jaxlib, "_profile_data"},
    Module{Package::jaxlib, "cpu/_sparse"},
    Module{Package::jaxlib, "weakref_lru_cache"},
    Module{Package::jaxlib, "_pretty_printer"},
    Module{Package::jaxlib, "_ifrt_proxy"},
    Module{Package::plugin, "_versions"},
    Module{Package::plugin, "_solver"},
    Module{Package::plugin, "_hybrid"},
    Module{Package::plugin, "_sparse"},
    Module{Package::plugin, "_prng"},
    Module{Package::plugin, "_linalg"},
    Module{Package::jaxlib, "mlir/_mlir_libs/_stablehlo"},
    Module{Package::plugin, "_rnn"},
    Module{Package::plugin, "_triton"},
    Module{Package::jaxlib, "mlir/_mlir_libs/_mosaic_gpu_ext"},
    Module{Package::jaxlib, "mlir/_mlir_libs/_tpu_ext"},
    Module{Package::jaxlib, "mlir/_mlir_libs/_sdyMpmd"},
    Module{Package::jaxlib, "mlir/_mlir_libs/_sdy"},
    Module{Package::jaxlib, "mlir/_mlir_libs/_chlo"},
    Module{Package::plugin, "cuda_plugin_extension"},
};

// The CUDA libraries XLA's DsoLoader (xla/tsl/platform/default/dso_loader.cc) opens by
// soname, for a CUDA major; cuDNN and NCCL have their own majors.
struct Sonames {
  std::string cudart, cublaslt, cublas, cufft, cusolver, cusparse, cupti;
};

Sonames sonames_for(const std::string& major) {
  const bool cuda12 = major == "12";
  const std::string cuda = major.empty() ? "13" : major;
  return {"libcudart.so." + cuda,
          "libcublasLt.so." + cuda,
          "libcublas.so." + cuda,
          cuda12 ? "libcufft.so.11" : "libcufft.so.12",
          cuda12 ? "libcusolver.so.11" : "libcusolver.so.12",
          "libcusparse.so.12",
          "libcupti.so." + cuda};
}

// The CUDA plugin's Python package: the first that jax/_src/lib imports `_versions` from.
struct Plugin {
  std::string dir;    // `<site>/jax_cuda13_plugin`
  std::string name;   // `jax_cuda13_plugin`
  std::string major;  // `13`
};

Plugin find_plugin(const ModelInput& input) {
  for (const std::string_view name : {"jax_cuda13_plugin", "jax_cuda12_plugin", "jaxlib/cuda"}) {
    std::string dir = package_dir(input, name);
    if (!dir.empty() && !extension_module(input, dir, "_versions").empty()) {
      std::string major = name == "jaxlib/cuda" ? detail::cuda_major(input.build.cuda.value)
                                                : std::string(name.substr(8, 2));
      return {std::move(dir), std::string(name), std::move(major)};
    }
  }
  return {};
}

// `jax_plugins/xla_cuda13/__init__.py`'s `_load("cu13", ["libcudart.so.13"])` calls, in order.
struct Preload {
  std::string module;  // `cu13`: the package `nvidia.cu13`
  std::string library;
};

std::vector<Preload> read_preloads(const std::string& text) {
  std::vector<Preload> out;
  static const std::regex call(R"re(_load\(\s*"([^"]+)"\s*,\s*\[([^\]]*)\]\s*\))re");
  static const std::regex quoted(R"re("([^"]+)")re");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), call); it != std::sregex_iterator();
       ++it) {
    const std::string module = (*it)[1].str();
    const std::string list = (*it)[2].str();
    for (auto lib = std::sregex_iterator(list.begin(), list.end(), quoted);
         lib != std::sregex_iterator(); ++lib) {
      out.push_back({module, (*lib)[1].str()});
    }
  }
  return out;
}

// The `jax_plugins.xla_cuda<major>` folder (JAX discovers plugins in the `jax_plugins`
// namespace package: jax/_src/xla_bridge.py discover_pjrt_plugins).
std::string find_pjrt_plugin(const ModelInput& input, const std::string& major) {
  if (!major.empty()) {
    std::string dir = package_dir(input, "jax_plugins/xla_cuda" + major);
    if (!dir.empty()) {
      return dir;
    }
  }
  for (const std::string_view name : {"jax_plugins/xla_cuda13", "jax_plugins/xla_cuda12"}) {
    std::string dir = package_dir(input, name);
    if (!dir.empty()) {
      return dir;
    }
  }
  return {};
}

}  // namespace

FrameworkLoad jax_load(const ModelInput& input) {
  FrameworkLoad load;
  load.framework = "jax";
  const std::string jaxlib = package_dir(input, "jaxlib");
  if (jaxlib.empty()) {
    load.problems.push_back("no `jaxlib` package folder on the path");
    return load;
  }
  const Plugin plugin = find_plugin(input);
  const std::string pjrt = find_pjrt_plugin(input, plugin.major);
  const std::string major = !plugin.major.empty() ? plugin.major
                            : !pjrt.empty()       ? pjrt.substr(pjrt.size() - 2)
                                                  : detail::cuda_major(input.build.cuda.value);
  const Sonames names = sonames_for(major);

  // jax/_src/dtypes.py imports numpy and ml_dtypes before jaxlib's modules.
  detail::add_numpy_steps(input, "import jax imports numpy", load.steps);
  detail::add_module_steps(input, "ml_dtypes", {"_ml_dtypes_ext"},
                           "import jax imports ml_dtypes (jax/_src/dtypes.py)", load.steps);
  std::string versions;
  for (const Module& m : k_import_modules) {
    const bool in_jaxlib = m.package == Package::jaxlib;
    if (!in_jaxlib && plugin.dir.empty()) {
      continue;
    }
    std::string path = extension_module(input, in_jaxlib ? jaxlib : plugin.dir, m.name);
    if (path.empty()) {
      continue;
    }
    const std::string owner = in_jaxlib ? "jaxlib" : plugin.name;
    load.steps.push_back(import_step(path,
                                     "jax/_src/lib/__init__.py: import " + owner + "/" +
                                         std::string(m.name) +
                                         (in_jaxlib ? "" : " (in try: the CUDA plugin's kernels)"),
                                     in_jaxlib));
    if (m.name == "_versions" && !in_jaxlib) {
      versions = path;
    }
    if (m.name == "_solver" && !in_jaxlib) {
      // Its module initializer reaches cudart through XLA's stub, which dlopen's it by soname
      // from this module (its RUNPATH: the nvidia wheels), at import, without a GPU.
      load.steps.push_back(dlopen_step(names.cudart, path,
                                       plugin.name + "/_solver.so: cudart stub (dlopen by soname)",
                                       "import"));
    }
  }

  // jax/_src/clusters/k8s_cluster.py imports numpy.random (python -X importtime).
  detail::add_module_steps(input, "numpy/random",
                           {"_common", "bit_generator", "_bounded_integers", "_pcg64", "_generator",
                            "_mt19937", "_philox", "_sfc64", "mtrand"},
                           "import jax imports numpy.random (jax/_src/clusters/k8s_cluster.py)",
                           load.steps);

  // First GPU use: jax.devices() (or any computation) initializes the backends; xla_bridge
  // discovers jax_plugins.xla_cuda<major> and calls its initialize().
  const std::string gpu = "first GPU use";
  if (pjrt.empty()) {
    return load;
  }
  std::string init_text;
  const std::string init = pjrt + "/__init__.py";
  if (!input.fs.read_file(init, 1 << 20, init_text).ok()) {
    load.problems.push_back("cannot read `" + init + "`");
  }
  const std::string rel = pjrt.substr(pjrt.rfind("jax_plugins/"));
  for (const Preload& p : read_preloads(init_text)) {
    const std::string dir = package_dir(input, "nvidia/" + p.module);
    if (dir.empty()) {
      continue;  // `importlib.import_module("nvidia.<module>")` fails: nothing is loaded
    }
    load.steps.push_back(dlopen_step(dir + "/lib/" + p.library, "",
                                     rel + "/__init__.py: _load_nvidia_libraries (ctypes, by path)",
                                     gpu));
  }
  // `from jax._src.lib import triton` at the top of the plugin's __init__.py.
  if (std::string triton = extension_module(input, jaxlib, "mlir/_mlir_libs/_triton_ext");
      !triton.empty()) {
    load.steps.push_back(import_step(
        std::move(triton), rel + "/__init__.py: from jax._src.lib import triton", false, gpu));
  }
  // _check_cuda_versions(): each version getter of `_versions` reaches its library through
  // XLA's stubs (dlopen by soname from `_versions`).
  if (!versions.empty()) {
    for (const std::string& soname : {names.cudart, std::string("libcudnn.so.9"), names.cufft,
                                      names.cupti, names.cublas, names.cusparse}) {
      load.steps.push_back(
          dlopen_step(soname, versions,
                      rel + "/__init__.py: _check_cuda_versions (stub dlopen by soname)", gpu));
    }
  }
  // xb.register_plugin: the PJRT C API plugin, dlopen'ed by path from jaxlib's C++ code.
  std::string jax_common = jaxlib + "/libjax_common.so";
  if (!input.fs.exists(jax_common)) {
    jax_common = extension_module(input, jaxlib, "_jax");
  }
  std::string plugin_so = pjrt + "/xla_cuda_plugin.so";
  if (std::string resolved; input.fs.realpath(plugin_so, resolved).ok()) {
    plugin_so = resolved;  // `pathlib.Path(__file__).resolve().parent / 'xla_cuda_plugin.so'`
  }
  load.steps.push_back(dlopen_step(
      plugin_so, jax_common, rel + "/__init__.py: xb.register_plugin (PJRT plugin, by path)", gpu));
  // Creating the CUDA client: the driver, then the libraries XLA's DsoLoader opens by soname
  // from the plugin (its RUNPATH names the nvidia wheels' folders). Without a driver XLA
  // stops at libcuda.so.1 and JAX falls back to the CPU.
  const std::string xla = "xla_cuda_plugin.so: XLA DsoLoader (dlopen by soname)";
  load.steps.push_back(dlopen_step("libcuda.so.1", plugin_so, xla + ", the driver", gpu));
  for (const std::string& soname :
       {names.cudart, names.cublaslt, names.cublas, names.cufft, names.cusolver, names.cusparse,
        std::string("libcudnn.so.9"), std::string("libnccl.so.2")}) {
    load.steps.push_back(dlopen_step(soname, plugin_so, xla, gpu));
  }
  return load;
}

}  // namespace mlstack::linkmap
