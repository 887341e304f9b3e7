// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/build_facts.hpp"
#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/io/file_system.hpp"

#include <string>
#include <vector>

/// Each framework's own loading, as a sequence of dlopen calls its import (and its first GPU
/// use) makes, read from its installed files: the extension modules Python imports, torch's
/// preload of libtorch_global_deps and the nvidia-* wheels, TensorFlow's dlopen of CUDA
/// libraries by soname, the JAX CUDA plugin and its search of the wheels and /usr/local/cuda*,
/// ONNX Runtime's provider libraries and preload, CuPy's. docs/frameworks.md ("What an import
/// maps") gives each model's sources. The ld.so search for each call and its DT_NEEDED is
/// loader::Process's job (scenario.hpp).
namespace mlstack::linkmap {

/// One dlopen call.
struct LoadStep {
  // What is passed to dlopen, tried in order until one loads (JAX's search of the wheels and
  // then /usr/local/cuda*; a soname, then its unversioned name): a path (opened as written)
  // or a file name (searched by ld.so for `caller`). Most steps have one.
  std::vector<std::string> candidates;
  // The path of the object whose code calls dlopen (its RPATH/RUNPATH apply); empty: the
  // interpreter (Python's import of an extension module, ctypes).
  std::string caller;
  std::string why;  // `torch/__init__.py: _load_global_deps (RTLD_GLOBAL)`
  std::string when = "import";  // `import`, or `first GPU use`
  // The import fails when no candidate loads; an optional step is one the framework tolerates
  // failing (it tries without, or reports the GPU unusable).
  bool required = true;
  // Conditions on what is mapped when the step would run (torch's preload runs only when
  // `libcudart.so` is in /proc/self/maps, or only after libtorch_global_deps failed): the step
  // runs only when some mapped object's file name contains `if_mapped` (empty: always), and
  // only when no mapped object's path is `unless_mapped` (empty: always).
  std::string if_mapped = {};
  std::string unless_mapped = {};
};

/// What one framework's import loads, in order.
struct FrameworkLoad {
  std::string framework;  // `torch`, `tensorflow`, `jax`, `onnxruntime`, `cupy`
  std::vector<LoadStep> steps;
  std::vector<std::string> problems;  // files the model needed and could not read
};

/// What a model reads.
struct ModelInput {
  const facts::FrameworkBuild& build;
  const facts::Inventory& inventory;
  const facts::PythonFacts& python;  // the extension-module suffix, sys.path
  const io::FileSystem& fs;
};

[[nodiscard]] FrameworkLoad torch_load(const ModelInput& input);
[[nodiscard]] FrameworkLoad tensorflow_load(const ModelInput& input);
[[nodiscard]] FrameworkLoad jax_load(const ModelInput& input);
[[nodiscard]] FrameworkLoad onnxruntime_load(const ModelInput& input);
[[nodiscard]] FrameworkLoad cupy_load(const ModelInput& input);

/// The model for `input.build.name`; a framework without one gives no steps and a problem.
[[nodiscard]] FrameworkLoad framework_load(const ModelInput& input);

}  // namespace mlstack::linkmap
