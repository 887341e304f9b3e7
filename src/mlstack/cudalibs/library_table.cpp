// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/library_table.hpp"

#include "mlstack/base/text.hpp"

#include <array>

namespace mlstack::cudalibs {
namespace {

// Wheel folders and file names: KB-FACTS §8 (nvidia wheels cu12/cu13 rows, V-dev) and the JAX
// CUDA plugin's preload list (`jax_plugins/cuda/__init__.py`, V).
constexpr std::array<LibrarySpec, 13> k_specs = {{
    {"cudart", "libcudart", "nvidia-cuda-runtime", "cuda_runtime", "cuda_runtime_api.h", "CUDART",
     "cuda_cudart"},
    {"cublas", "libcublas", "nvidia-cublas", "cublas", "cublas_api.h", "CUBLAS", "libcublas"},
    {"cublaslt", "libcublasLt", "nvidia-cublas", "cublas", "cublas_api.h", "CUBLAS", "libcublas"},
    {"cudnn", "libcudnn", "nvidia-cudnn", "cudnn", "cudnn_version.h", "CUDNN", ""},
    {"nccl", "libnccl", "nvidia-nccl", "nccl", "nccl.h", "NCCL", ""},
    {"nvjitlink", "libnvJitLink", "nvidia-nvjitlink", "nvjitlink", "", "", "libnvjitlink"},
    {"cufft", "libcufft", "nvidia-cufft", "cufft", "cufft.h", "CUFFT", "libcufft"},
    {"cusparse", "libcusparse", "nvidia-cusparse", "cusparse", "cusparse.h", "CUSPARSE",
     "libcusparse"},
    {"cusparselt", "libcusparseLt", "nvidia-cusparselt", "cusparselt", "cusparseLt.h", "CUSPARSELT",
     ""},
    {"cusolver", "libcusolver", "nvidia-cusolver", "cusolver", "cusolver_common.h", "CUSOLVER",
     "libcusolver"},
    {"curand", "libcurand", "nvidia-curand", "curand", "curand.h", "CURAND", "libcurand"},
    {"nvrtc", "libnvrtc", "nvidia-cuda-nvrtc", "cuda_nvrtc", "", "", "cuda_nvrtc"},
    {"cupti", "libcupti", "nvidia-cuda-cupti", "cuda_cupti", "", "", "cuda_cupti"},
}};

bool is_version_text(std::string_view v) {
  if (v.empty() || v.front() == '.' || v.back() == '.') {
    return false;
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '.' ? v[i - 1] == '.' : !text::is_ascii_digit(v[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::span<const LibrarySpec> library_specs() noexcept { return k_specs; }

const LibrarySpec* find_library(std::string_view name) noexcept {
  for (const auto& spec : k_specs) {
    if (spec.name == name) {
      return &spec;
    }
  }
  return nullptr;
}

std::optional<LibraryFileName> parse_library_file_name(std::string_view file_name) {
  const auto so = file_name.find(".so");
  if (so == std::string_view::npos) {
    return std::nullopt;
  }
  const auto stem = file_name.substr(0, so);
  const auto rest = file_name.substr(so + 3);
  std::string version;
  if (!rest.empty()) {
    if (rest.front() != '.' || !is_version_text(rest.substr(1))) {
      return std::nullopt;
    }
    version = rest.substr(1);
  }
  for (const auto& spec : k_specs) {
    if (spec.file_stem == stem) {
      return LibraryFileName{&spec, std::move(version)};
    }
  }
  return std::nullopt;
}

std::optional<WheelDist> parse_wheel_dist_name(std::string_view canonical_name) {
  std::string suffix;
  auto base = canonical_name;
  const auto dash = canonical_name.rfind('-');
  if (dash != std::string_view::npos) {
    const auto tail = canonical_name.substr(dash + 1);
    if (tail.size() >= 3 && tail.starts_with("cu") && text::is_ascii_digit(tail[2])) {
      bool digits = true;
      for (char c : tail.substr(2)) {
        digits = digits && text::is_ascii_digit(c);
      }
      if (digits) {
        suffix = tail;
        base = canonical_name.substr(0, dash);
      }
    }
  }
  for (const auto& spec : k_specs) {
    // cuBLAS and cuBLASLt share a wheel; the distribution maps to cuBLAS, its files to both.
    if (!spec.dist_base.empty() && spec.dist_base == base && spec.name != "cublaslt") {
      return WheelDist{&spec, suffix};
    }
  }
  return std::nullopt;
}

std::string wheel_dist_name(const LibrarySpec& spec, std::string_view cuda_major) {
  if (spec.dist_base.empty()) {
    return {};
  }
  // The toolkit libraries are the ones with a `version.json` key (cuDNN, NCCL and cuSPARSELt
  // ship outside the toolkit). PyPI: nvidia-cuda-runtime 13.x, nvidia-curand 10.4.x (CUDA 13),
  // nvidia-cudnn-cu13, nvidia-nccl-cu13, nvidia-cusparselt-cu13.
  const bool toolkit = !spec.version_json_key.empty();
  const bool unsuffixed =
      toolkit && (cuda_major.size() > 2 || (cuda_major.size() == 2 && cuda_major >= "13"));
  return std::string(spec.dist_base) + (unsuffixed ? "" : "-cu" + std::string(cuda_major));
}

}  // namespace mlstack::cudalibs
