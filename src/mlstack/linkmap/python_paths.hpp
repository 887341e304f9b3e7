// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/linkmap/model.hpp"

#include <string>
#include <string_view>
#include <vector>

/// Where Python finds what a model's steps name, read through `ModelInput::fs` (private to
/// the JAX, ONNX Runtime and CuPy models).
namespace mlstack::linkmap::detail {

/// The folders Python searches for top-level packages, in order: `sys.path`, else the
/// framework's site folder.
[[nodiscard]] std::vector<std::string> search_dirs(const ModelInput& input);

/// The site folders (`site.getsitepackages()` and the user site), else `search_dirs`.
[[nodiscard]] std::vector<std::string> site_dirs(const ModelInput& input);

/// The folder of package `relative` (`jaxlib`, `nvidia/cu13`) in the first search folder
/// that has it; empty when none does.
[[nodiscard]] std::string package_dir(const ModelInput& input, std::string_view relative);

/// The file Python imports for extension module `name` (`mlir/_mlir_libs/_mlir`) of the
/// package in `dir` with the target's EXT_SUFFIX (model_files.hpp `extension_module`); empty
/// when there is none.
[[nodiscard]] std::string extension_module(const ModelInput& input, const std::string& dir,
                                           std::string_view name);

/// Steps importing the extension modules `stems` of package `package` (`numpy/random`), the
/// ones that exist, in order; optional: they are another distribution's.
void add_module_steps(const ModelInput& input, std::string_view package,
                      const std::vector<std::string_view>& stems, const std::string& why,
                      std::vector<LoadStep>& steps);

/// `import numpy`: its core and linalg extension modules (numpy 2 `_core/`, numpy 1 `core/`).
void add_numpy_steps(const ModelInput& input, const std::string& why, std::vector<LoadStep>& steps);

/// A step of Python importing the extension module at `path` (the interpreter calls dlopen).
[[nodiscard]] LoadStep import_step(std::string path, std::string why, bool required,
                                   std::string when = "import");

/// A step of one dlopen call with one candidate.
[[nodiscard]] LoadStep dlopen_step(std::string candidate, std::string caller, std::string why,
                                   std::string when, bool required = false);

/// The major of a CUDA version (`13` of `13.0`); empty when there is none.
[[nodiscard]] std::string cuda_major(std::string_view version);

}  // namespace mlstack::linkmap::detail
