// SPDX-License-Identifier: MIT
// What `import torch` dlopens, read from the installed torch/__init__.py (docs/frameworks.md,
// "What an import maps"): `_load_global_deps` (libtorch_global_deps.so, RTLD_GLOBAL), the
// preload of the CUDA libraries from the nvidia-* wheels (`_preload_cuda_deps`: always when
// libcudart is mapped by then in torch ≥ 2.10-style sources, else only when
// libtorch_global_deps fails to load), then `from torch._C import *`, numpy (imported by
// torch._C's initialisation) and `cuda.bindings` (imported by torch/cuda/_utils.py).
#include "mlstack/linkmap/model.hpp"
#include "mlstack/linkmap/model_files.hpp"

#include <fmt/format.h>

#include <utility>

namespace mlstack::linkmap {
namespace {

struct PreloadLib {
  std::string folder;   // `cublas`: nvidia/<folder>/lib
  std::string pattern;  // `libcublasLt.so.*[0-9]`
};

// The `cuda_libs` of `_preload_cuda_deps`: `("cublas", "libcublasLt.so.*[0-9]")` tuples (a list)
// or `"cublas": "libcublas.so.*[0-9]"` entries (a dict, torch ≤ 2.4), in order, then the
// optional nvtx preload.
std::vector<PreloadLib> preload_list(std::string_view source) {
  std::vector<PreloadLib> out;
  const std::size_t start = source.find("def _preload_cuda_deps(");
  if (start == std::string_view::npos) {
    return out;
  }
  std::size_t end = source.find("\ndef ", start + 1);
  const std::string_view body = source.substr(start, end == std::string_view::npos
                                                         ? std::string_view::npos
                                                         : end - start);
  // Two quoted strings in a row on one line: `"a", "b"` or `"a": "b"`.
  std::size_t line_start = 0;
  while (line_start < body.size()) {
    std::size_t line_end = body.find('\n', line_start);
    if (line_end == std::string_view::npos) {
      line_end = body.size();
    }
    const std::string_view line = body.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    const std::size_t comment = line.find('#');
    const std::string_view code = line.substr(0, comment);
    std::vector<std::string> quoted;
    for (std::size_t i = 0; i < code.size();) {
      const char q = code[i];
      if (q != '"' && q != '\'') {
        ++i;
        continue;
      }
      const std::size_t close = code.find(q, i + 1);
      if (close == std::string_view::npos) {
        break;
      }
      quoted.emplace_back(code.substr(i + 1, close - i - 1));
      i = close + 1;
    }
    const bool nvtx = code.find("_preload_cuda_lib(") != std::string_view::npos;
    if (quoted.size() == 2 && quoted[1].starts_with("lib") &&
        quoted[1].find(".so") != std::string::npos &&
        (!nvtx || code.find("required=False") != std::string_view::npos)) {
      out.push_back({quoted[0], quoted[1]});
    }
  }
  return out;
}

// `_preload_cuda_lib`: the first `sys.path` entry with a match, and its first match:
// nvidia/<folder>/lib, then nvidia/cu<major>/lib (when the source searches it), then
// <folder>/lib (`_get_cuda_dep_paths`).
std::optional<std::string> preload_path(const ModelInput& in, const PreloadLib& lib,
                                        const std::string& cuda_major, bool cu_major_folder) {
  for (const std::string& entry : in.python.sys_path) {
    std::vector<std::string> dirs = {entry + "/nvidia/" + lib.folder + "/lib"};
    if (cu_major_folder && !cuda_major.empty()) {
      dirs.push_back(entry + "/nvidia/cu" + cuda_major + "/lib");
    }
    dirs.push_back(entry + "/" + lib.folder + "/lib");
    for (const std::string& dir : dirs) {
      const std::vector<std::string> names = glob_names(in.fs, dir, lib.pattern);
      if (!names.empty()) {
        return dir + "/" + names.front();
      }
    }
  }
  return std::nullopt;
}

LoadStep step(std::string candidate, std::string why, bool required) {
  LoadStep s;
  s.candidates.push_back(std::move(candidate));
  s.why = std::move(why);
  s.required = required;
  return s;
}

}  // namespace

FrameworkLoad torch_load(const ModelInput& in) {
  FrameworkLoad out;
  out.framework = "torch";
  const std::string torch_dir = in.build.location + "/torch";
  const std::string init_py = torch_dir + "/__init__.py";
  const std::optional<std::string> source = source_text(in.fs, init_py);
  if (!source) {
    out.problems.push_back(fmt::format("cannot read `{}`: the torch load model needs it", init_py));
    return out;
  }
  const std::string& ext = in.python.tags.ext_suffix;
  const std::string global_deps = torch_dir + "/lib/libtorch_global_deps.so";
  const std::string cuda = in.build.cuda.value;
  const std::string cuda_major = cuda.substr(0, cuda.find('.'));
  const bool cuda_build = !cuda.empty();

  const bool uses_global_deps =
      source->find("_load_global_deps()") != std::string::npos && in.fs.exists(global_deps);
  if (uses_global_deps) {
    out.steps.push_back(step(global_deps,
                             "torch/__init__.py: _load_global_deps (ctypes.CDLL, RTLD_GLOBAL)",
                             false));
    const std::vector<PreloadLib> libs = preload_list(*source);
    const bool always = source->find("_preload_cuda_deps(required=False)") != std::string::npos;
    const bool cu_major_folder = source->find("f\"cu{maj_cuda_version}\"") != std::string::npos;
    // After a successful load (newer sources): each wheel library found, when libcudart is
    // mapped by then; the CUDA build's libtorch_global_deps maps it.
    if (always && cuda_build) {
      for (const PreloadLib& lib : libs) {
        if (const auto path = preload_path(in, lib, cuda_major, cu_major_folder)) {
          LoadStep s = step(*path,
                            fmt::format("torch/__init__.py: _preload_cuda_deps ({} from the "
                                        "nvidia wheels, after libtorch_global_deps loaded)",
                                        lib.pattern),
                            false);
          s.if_mapped = "libcudart.so";
          out.steps.push_back(std::move(s));
        }
      }
    }
    // After a failed load: every library, required (ValueError when one is not found; nvtx
    // is optional), then libtorch_global_deps again.
    for (const PreloadLib& lib : libs) {
      const auto path = preload_path(in, lib, cuda_major, cu_major_folder);
      const bool optional = lib.folder == "nvtx";
      if (!path && optional) {
        continue;
      }
      LoadStep s = step(path ? *path : lib.pattern,
                        fmt::format("torch/__init__.py: _preload_cuda_deps ({} from the nvidia "
                                    "wheels, after libtorch_global_deps failed)",
                                    lib.pattern),
                        !optional);
      s.unless_mapped = global_deps;
      out.steps.push_back(std::move(s));
    }
    out.steps.push_back(step(global_deps,
                             "torch/__init__.py: _load_global_deps (ctypes.CDLL, RTLD_GLOBAL)",
                             true));
  }
  if (const auto c = extension_module(in.fs, torch_dir, "_C", ext)) {
    out.steps.push_back(step(*c, "torch/__init__.py: from torch._C import *", true));
  } else {
    out.problems.push_back(
        fmt::format("no torch._C extension module in `{}`: the import fails", torch_dir));
  }
  // torch._C's initialisation imports numpy when it is installed (torch/csrc/utils/
  // tensor_numpy.cpp); `import numpy` loads its core and linalg extension modules.
  if (const auto numpy = dist_location(in.inventory, "numpy")) {
    for (const auto& [dir, stem] : std::vector<std::pair<std::string, std::string>>{
             {"/numpy/_core", "_multiarray_umath"},
             {"/numpy/core", "_multiarray_umath"},
             {"/numpy/linalg", "_umath_linalg"}}) {
      if (const auto m = extension_module(in.fs, *numpy + dir, stem, ext)) {
        out.steps.push_back(step(*m, "torch._C imports numpy (import numpy)", false));
      }
    }
  }
  // torch/cuda/_utils.py: `from cuda.bindings import driver, runtime` (cuda-bindings, when
  // installed); their Cython modules import the ones below them.
  const std::optional<std::string> cuda_utils = source_text(in.fs, torch_dir + "/cuda/_utils.py");
  const std::optional<std::string> bindings = dist_location(in.inventory, "cuda-bindings");
  if (cuda_utils && bindings && cuda_utils->find("from cuda.bindings import") != std::string::npos) {
    const std::string dir = *bindings + "/cuda/bindings";
    for (const auto& [sub, stem] : std::vector<std::pair<std::string, std::string>>{
             {"", "driver"},
             {"", "cydriver"},
             {"/_internal", "driver"},
             {"/_internal", "utils"},
             {"", "runtime"},
             {"", "cyruntime"},
             {"/_internal", "runtime"},
             {"/_internal", "runtime_ptds"}}) {
      if (const auto m = extension_module(in.fs, dir + sub, stem, ext)) {
        out.steps.push_back(
            step(*m, "torch/cuda/_utils.py: from cuda.bindings import driver, runtime", false));
      }
    }
  }
  return out;
}

}  // namespace mlstack::linkmap
