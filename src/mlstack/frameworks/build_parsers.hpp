// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/facts/build_facts.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Pure parsers for the files that describe a framework's build. Each takes the file's text.
/// The Python files' parsers fail only on a file Python could not import either (brackets
/// nested past 200, see parse_python_assignments).
namespace mlstack::frameworks {

/// `torch/version.py`: `__version__ = '2.11.0+cu130'`, `cuda: Optional[str] = '13.0'`,
/// `hip = None`, `git_version = '...'`, `debug = False` (`rocm`, `xpu` from 2.x).
struct TorchVersionPy {
  std::string version;
  std::optional<std::string> cuda;  // nullopt: `None` or absent
  std::optional<std::string> hip;
  std::optional<std::string> rocm;
  std::string git_version;
  bool debug = false;
  bool has_cuda_field = false;  // the file assigns `cuda` at all
};
[[nodiscard]] Result<TorchVersionPy> parse_torch_version_py(std::string_view source);

/// `tensorflow/python/platform/build_info.py`, either form:
/// - TF ≥ 2.4: `build_info = collections.OrderedDict([('cuda_version', '11.2'), ...])`;
/// - older: module-level `cuda_version_number = '10.1'`, `cudnn_version_number = '7'`,
///   `is_cuda_build = True`, `is_rocm_build = False`.
struct TfBuildInfo {
  std::string cuda_version;
  std::string cudnn_version;
  std::vector<std::string> cuda_compute_capabilities;
  std::optional<bool> is_cuda_build;
  std::optional<bool> is_rocm_build;
  std::optional<bool> is_tensorrt_build;
  std::string rocm_version;
  bool recognized = false;  // one of the two forms was found
};
[[nodiscard]] Result<TfBuildInfo> parse_tf_build_info(std::string_view source);

/// `onnxruntime/capi/build_and_package_info.py`: `package_name = 'onnxruntime-gpu'`,
/// `__version__ = '1.20.1'`, GPU builds `cuda_version = '12.2'`, some `cudnn_version`.
struct OrtBuildInfo {
  std::string package_name;
  std::string version;
  std::string cuda_version;
  std::string cudnn_version;
};
[[nodiscard]] Result<OrtBuildInfo> parse_ort_build_info(std::string_view source);

/// `cupy/.data/_wheel.json`: `{"cuda": "12.x", "packaging": "pip", "nccl": {"version":
/// "2.16.5", ...}, "cudnn": {"version": "8.8.1", ...}, "cutensor": {...}}`.
struct CupyWheelJson {
  std::string cuda;  // `12.x`, `13.x`, `11.2`
  std::string nccl;
  std::string cudnn;
  std::string cutensor;
  std::string packaging;
};
[[nodiscard]] Result<CupyWheelJson> parse_cupy_wheel_json(std::string_view json_text);

/// The `_version` (or `__version__`) string of `jaxlib/version.py` / a plugin's `version.py`.
[[nodiscard]] Result<std::string> parse_jax_version_py(std::string_view source);

/// A PEP 440 local label's CUDA: `cu121` → `12.1`, `cu102` → `10.2`, `cu92` → `9.2`;
/// nullopt for `cpu`, `rocm6.2`, anything else.
[[nodiscard]] std::optional<std::string> cuda_from_local_label(std::string_view label);

/// Old monolithic jaxlib local labels: `cuda12.cudnn89` → {`12`, `8.9`}, `cuda11.cudnn805` →
/// {`11`, `8.0.5`}, `cuda111` → {`11.1`, ``}.
struct JaxlibLocal {
  std::string cuda;
  std::string cudnn;
};
[[nodiscard]] std::optional<JaxlibLocal> parse_jaxlib_local(std::string_view label);

/// CUDA from a distribution name: `cupy-cuda12x` → `12`, `cupy-cuda113` → `11.3`,
/// `jax-cuda13-plugin` → `13`, `nvidia-cudnn-cu12` → `12`; empty when the name has none.
[[nodiscard]] std::string cuda_from_dist_name(std::string_view canonical_name);

/// The `nvidia-*` and `cuda-toolkit` requirements among `requires_dist` (raw strings), with
/// the extra that gates each (`and-cuda`, `with-cuda`, empty for unconditional) and the
/// library each brings (`nvidia-cudnn-cu12` → `cudnn`; `cuda-toolkit[cublas,...]` → empty,
/// its extras listed). Requirements that do not parse are skipped.
[[nodiscard]] std::vector<facts::CudaPin> parse_cuda_pins(
    const std::vector<std::string>& requires_dist);

/// The library a CUDA distribution name ships: `nvidia-cudnn-cu12` → `cudnn`,
/// `nvidia-cuda-runtime` → `cudart`, `nvidia-nccl-cu13` → `nccl`; empty when unknown.
[[nodiscard]] std::string library_of_dist(std::string_view canonical_name);

/// The major a version range pins: `>=9.12.0.46,<10` → `9`; empty when the range spans
/// several majors or has no upper bound.
[[nodiscard]] std::string major_of_range(std::string_view specifier);

}  // namespace mlstack::frameworks
