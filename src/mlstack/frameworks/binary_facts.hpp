// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/build_facts.hpp"
#include "mlstack/frameworks/binary_reader.hpp"
#include "mlstack/io/file_system.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

/// What a framework's shared objects add to its build (docs/frameworks.md, "Read from the
/// binaries"). Used by read_framework_builds; separate so each step can be tested alone.
namespace mlstack::frameworks {

/// Problems for the scan as a whole go here too (unreadable binaries).
struct BinaryContext {
  const io::FileSystem& fs;
  const BinaryReader& reader;
  std::vector<std::string>& scan_problems;
};

/// Reads the fatbin index of each of `candidates` (paths below `location`) that exists into
/// `b.gpu_code`; the first with device code becomes `b.archs` (`archs_source` names it),
/// replacing what build files said. Returns the path of that main binary, or empty.
std::string add_gpu_code(const BinaryContext& ctx, std::string_view location,
                         std::span<const std::string_view> candidates, facts::FrameworkBuild& b);

/// cuDNN and NCCL linked statically into `binary` (torch's cu102-era wheels): filled into
/// `b.static_libraries` and, where the build named none, into `b.cudnn` / `b.nccl`. A library
/// `binary` links dynamically (in `b.linked`: call `add_linked_libraries` first) is not linked
/// in, whatever version strings it carries.
void add_static_libraries(const BinaryContext& ctx, const std::string& binary,
                          const std::string& package, facts::FrameworkBuild& b);

/// The CUDA and cuDNN JAX's plugin was built with, from its `_versions.so`: they replace the
/// major-only values read from the plugin's name and pins when the majors agree.
void add_jax_build_versions(const BinaryContext& ctx, const std::string& versions_so,
                            facts::FrameworkBuild& b);

/// The libraries `binary` names in DT_NEEDED, into `b.linked` (`b.linked_by` = `binary`); and
/// the CUDA and cuDNN majors read from them (`libcudart.so.12`, `libcudart.so.11.0` → CUDA 11;
/// `libcudnn.so.9` → cuDNN 9) for the fields the build files left empty (onnxruntime-gpu
/// before 1.20 ships no build_and_package_info.py).
void add_linked_libraries(const BinaryContext& ctx, const std::string& binary,
                          facts::FrameworkBuild& b);

/// TensorFlow's `cuda_compute_capabilities` in explicit form: in TensorFlow's list
/// `compute_XY` stands for SASS *and* PTX of X.Y (`sm_XY` for SASS only), so
/// `[sm_60, compute_90]` becomes `[sm_60, sm_90, compute_90]`.
[[nodiscard]] std::vector<std::string> tensorflow_archs(const std::vector<std::string>& listed);

}  // namespace mlstack::frameworks
