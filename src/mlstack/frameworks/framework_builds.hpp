// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/build_facts.hpp"
#include "mlstack/frameworks/binary_reader.hpp"
#include "mlstack/facts/inventory.hpp"
#include "mlstack/io/file_system.hpp"

#include <string>
#include <string_view>
#include <vector>

/// Each framework's build read from its installed files, never imported (docs/frameworks.md).
namespace mlstack::frameworks {

struct FrameworkScan {
  std::vector<facts::FrameworkBuild> frameworks;
  std::vector<std::string> problems;  // files that exist but cannot be read
};

/// One `FrameworkBuild` per installed framework, in inventory order:
/// - `torch`: `torch/version.py`, the `nvidia-*` / `cuda-toolkit[...]` pins of its METADATA,
///   cuDNN/NCCL bundled in `torch/lib/`;
/// - `tensorflow` (`tensorflow`, `tensorflow-cpu`, `tensorflow-gpu`, `tf-nightly*`,
///   `tensorflow-intel`): `tensorflow/python/platform/build_info.py`, `and-cuda` pins;
/// - `jax`: `jaxlib/version.py` + the `jax-cudaNN-plugin` / `-pjrt` distributions (CUDA major
///   from the name, `with-cuda` pins), or an old monolithic jaxlib's `+cuda12.cudnn89` label;
/// - `onnxruntime` (`onnxruntime`, `onnxruntime-gpu`, ...): `capi/build_and_package_info.py`,
///   the provider libraries in `capi/`, `cuda`/`cudnn` extras' pins;
/// - `cupy` (`cupy-cuda12x`, `cupy-cuda113`, `cupy`): the name, `cupy/.data/_wheel.json`.
/// Then each framework's main GPU binary (`torch/lib/libtorch_cuda.so`, TensorFlow's
/// `libtensorflow_cc.so.2`, JAX's `xla_cuda_plugin.so`, ONNX Runtime's CUDA provider, ...;
/// docs/frameworks.md) is read through `binaries`: its fatbin index gives `archs` (replacing
/// build_info.py's list), torch builds that pin no cuDNN/NCCL are searched for the versions of
/// statically linked ones, and JAX's `_versions.so` gives the exact CUDA and cuDNN of the
/// plugin. `binaries == nullptr` uses `ElfBinaryReader`.
/// A value that cannot be read stays empty, and `evidence` says why.
[[nodiscard]] FrameworkScan read_framework_builds(const facts::Inventory& inventory,
                                                  const io::FileSystem& fs,
                                                  const BinaryReader* binaries = nullptr);

/// The framework a distribution is the main part of (`torch`, `tensorflow` for
/// `tensorflow-cpu` and the others above, `jax` for `jaxlib`, `onnxruntime`, `cupy` for
/// `cupy-cuda12x`), else empty. The names read_framework_builds reads.
[[nodiscard]] std::string_view framework_of(std::string_view canonical_name) noexcept;

/// A framework installed in an environment, from its distribution's name and version only
/// (nothing read): what `mlstack run` needs, cheaply.
struct InstalledFramework {
  std::string name;          // `torch`, `tensorflow`, `jax`, `onnxruntime`, `cupy`
  std::string distribution;  // `tensorflow-cpu`, `jaxlib` (JAX's version is jaxlib's)
  std::string version;       // as installed, `2.9.1+cu128`
};

/// One entry per framework, the first distribution of each on the path, in inventory order.
[[nodiscard]] std::vector<InstalledFramework> installed_frameworks(
    const facts::Inventory& inventory);

}  // namespace mlstack::frameworks
