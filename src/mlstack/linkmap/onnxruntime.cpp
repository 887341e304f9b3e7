// SPDX-License-Identifier: MIT
// ONNX Runtime's load model: docs/frameworks.md, "What an import maps", "ONNX Runtime".
#include "mlstack/linkmap/model.hpp"
#include "mlstack/linkmap/python_paths.hpp"

namespace mlstack::linkmap {

FrameworkLoad onnxruntime_load(const ModelInput& input) {
  using detail::dlopen_step;
  FrameworkLoad load;
  load.framework = "onnxruntime";
  const std::string capi = detail::package_dir(input, "onnxruntime/capi");
  if (capi.empty()) {
    load.problems.push_back("no `onnxruntime/capi` package folder on the path");
    return load;
  }
  // onnxruntime/capi/_pybind_state.py: `from .onnxruntime_pybind11_state import *` (its
  // DT_NEEDED: libstdc++ and glibc only; RUNPATH $ORIGIN).
  const std::string state = detail::extension_module(input, capi, "onnxruntime_pybind11_state");
  if (state.empty()) {
    load.problems.push_back("no `onnxruntime_pybind11_state` extension module in `" + capi + "`");
    return load;
  }
  // The module's initialization imports numpy (its C API: numpy._core._multiarray_umath).
  detail::add_numpy_steps(input, "onnxruntime_pybind11_state imports numpy", load.steps);
  load.steps.push_back(detail::import_step(
      state, "onnxruntime/capi/_pybind_state.py: from .onnxruntime_pybind11_state import *", true));

  // The provider bridge (onnxruntime/core/session/provider_bridge_ort.cc) dlopen's the
  // shared provider library by absolute path next to the module, already while the module
  // initializes (ProviderSharedLibrary::Ensure; an `LD_DEBUG=files` trace shows it loaded
  // by the module before `import onnxruntime` returns).
  const std::string bridge = "provider_bridge_ort.cc: ";
  if (const std::string shared = capi + "/libonnxruntime_providers_shared.so";
      input.fs.exists(shared)) {
    load.steps.push_back(dlopen_step(
        shared, state, bridge + "ProviderSharedLibrary::Ensure (dlopen by path, RTLD_GLOBAL)",
        "import"));
  }
  // First GPU use: an InferenceSession with CUDAExecutionProvider dlopen's the CUDA provider
  // by path (ProviderLibrary::Get). It has no RUNPATH: its DT_NEEDED cuBLAS, cuRAND, cudart
  // and libcuda.so.1 come from libraries already loaded (torch's, or
  // onnxruntime.preload_dlls()'s), else LD_LIBRARY_PATH, the ld.so cache and the system
  // folders. When one is missing the dlopen fails, ORT logs it and runs on the CPU.
  if (const std::string cuda = capi + "/libonnxruntime_providers_cuda.so"; input.fs.exists(cuda)) {
    load.steps.push_back(dlopen_step(
        cuda, state, bridge + "ProviderLibrary::Get, the CUDA execution provider (dlopen by path)",
        "first GPU use"));
  }
  return load;
}

}  // namespace mlstack::linkmap
