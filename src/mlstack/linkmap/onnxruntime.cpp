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
  load.steps.push_back(detail::import_step(
      state, "onnxruntime/capi/_pybind_state.py: from .onnxruntime_pybind11_state import *", true));

  // First GPU use: an InferenceSession with CUDAExecutionProvider. The provider bridge
  // (onnxruntime/core/session/provider_bridge_ort.cc) dlopen's the shared provider library,
  // then the CUDA provider, both by absolute path next to the module (RTLD_LAZY|RTLD_LOCAL;
  // the shared one RTLD_GLOBAL). The CUDA provider has no RUNPATH: its DT_NEEDED cuBLAS,
  // cuRAND, cudart and libcuda.so.1 come from libraries already loaded (torch's, or
  // onnxruntime.preload_dlls()'s), else LD_LIBRARY_PATH, the ld.so cache and the system
  // folders. When one is missing the load fails, ORT logs it and uses the CPU.
  const std::string gpu = "first GPU use";
  const std::string bridge = "provider_bridge_ort.cc: ProviderLibrary::Get (dlopen by path)";
  const std::string shared = capi + "/libonnxruntime_providers_shared.so";
  const std::string cuda = capi + "/libonnxruntime_providers_cuda.so";
  if (!input.fs.exists(cuda)) {
    return load;  // a CPU build: no CUDA execution provider
  }
  if (input.fs.exists(shared)) {
    load.steps.push_back(dlopen_step(shared, state, bridge + ", the shared provider library", gpu));
  }
  load.steps.push_back(dlopen_step(cuda, state, bridge + ", the CUDA execution provider", gpu));
  return load;
}

}  // namespace mlstack::linkmap
