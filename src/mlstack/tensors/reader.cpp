// SPDX-License-Identifier: MIT
#include "mlstack/tensors/reader.hpp"

#include "mlstack/tensors/mapped_file.hpp"
#include "mlstack/tensors/npy.hpp"
#include "mlstack/tensors/onnx_tensor.hpp"
#include "mlstack/tensors/safetensors.hpp"

#include <cstring>
#include <filesystem>

namespace mlstack::tensors {

Result<TensorFile> read_tensors(const std::string& path, const NpzLimits& limits) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return read_onnx_test_data_set(path);
  }
  const auto ext = std::filesystem::path(path).extension().string();
  if (ext == ".npy") {
    return read_npy(path);
  }
  if (ext == ".npz") {
    return read_npz(path, limits);
  }
  if (ext == ".safetensors") {
    return read_safetensors(path);
  }
  if (ext == ".pb") {
    return read_onnx_tensor(path);
  }
  MLSTACK_TRY_ASSIGN(auto file, MappedFile::open(path));
  const auto bytes = file->bytes();
  if (bytes.size() >= 6 && std::memcmp(bytes.data(), "\x93NUMPY", 6) == 0) {
    return read_npy(path);
  }
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "PK\x03\x04", 4) == 0) {
    return read_npz(path, limits);
  }
  return unexpected(with_context(
      make_error(ErrorCode::unsupported,
                 "unknown tensor format (mlstack reads .npy, .npz, .safetensors, ONNX .pb "
                 "files and ONNX test data set folders)"),
      path));
}

}  // namespace mlstack::tensors
