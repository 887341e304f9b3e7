// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

/// The CUDA user-space libraries mlstack looks for, and how their files and wheels are named.
namespace mlstack::cudalibs {

/// One tracked library.
///
/// **Example** cuDNN: `name` `cudnn`, file stem `libcudnn` (`libcudnn.so.9`), wheel
/// distributions `nvidia-cudnn-cu12` / `nvidia-cudnn-cu13`, wheel folder `nvidia/cudnn/lib`.
struct LibrarySpec {
  std::string_view name;       // `cudart`, `cublas`, `cublaslt`, `cudnn`, `nccl`, ...
  std::string_view file_stem;  // `libcudart`: files are `<stem>.so` and `<stem>.so.<version>`
  std::string_view dist_base;  // `nvidia-cuda-runtime`: + `-cu11`/`-cu12`/`-cu13` or nothing
  std::string_view wheel_dir;  // folder under `site/nvidia/` in cu11/cu12 wheels (`cuda_runtime`)
  std::string_view header;     // header holding the version macros, relative to `include/`
  std::string_view macro_prefix;      // `CUBLAS` for `CUBLAS_VER_MAJOR`...; special cases in code
  std::string_view version_json_key;  // key in the toolkit's `version.json` (`libcublas`)
};

/// Every tracked library, in report order.
[[nodiscard]] std::span<const LibrarySpec> library_specs() noexcept;

/// The spec whose `name` is `name`, or nullptr.
[[nodiscard]] const LibrarySpec* find_library(std::string_view name) noexcept;

/// A shared-library file name split into stem and version.
struct LibraryFileName {
  const LibrarySpec* spec = nullptr;
  std::string version;  // the part after `.so.`: `12.4.127`, `9`, empty for the bare `.so`
};

/// Recognizes `libcudart.so`, `libcudart.so.12`, `libcudart.so.12.4.127` (not
/// `libcudart_static.a`, `libcudart.so.12.bak`, `libcudnn_ops.so.9`). Pure.
[[nodiscard]] std::optional<LibraryFileName> parse_library_file_name(std::string_view file_name);

/// The tracked library a distribution name ships, and its CUDA major from the suffix.
///
/// **Example** `nvidia-cudnn-cu12` → cudnn, `12`; `nvidia-cuda-runtime` (CUDA 13 naming, no
/// suffix) → cudart, ``; `nvidia-cublas-cu11` → cublas (cuBLASLt ships in the same wheel).
struct WheelDist {
  const LibrarySpec* spec = nullptr;
  std::string cuda_suffix;  // `cu12`, or empty
};
[[nodiscard]] std::optional<WheelDist> parse_wheel_dist_name(std::string_view canonical_name);

/// The distribution that ships `spec`'s library for CUDA `cuda_major` on PyPI:
/// `nvidia-cudnn-cu12`; from CUDA 13 the toolkit's own libraries drop the suffix
/// (`nvidia-cuda-runtime`, `nvidia-cusparse`, `nvidia-curand`) while cuDNN, NCCL and
/// cuSPARSELt keep it (`nvidia-cudnn-cu13`). Empty when the library has no wheel.
[[nodiscard]] std::string wheel_dist_name(const LibrarySpec& spec, std::string_view cuda_major);

}  // namespace mlstack::cudalibs
