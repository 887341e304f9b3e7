// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/tensors/npz.hpp"
#include "mlstack/tensors/tensor.hpp"

#include <string>

namespace mlstack::tensors {

/// Reads the tensors at `path`, by its extension: `.npy`, `.npz`, `.safetensors`, `.pb`
/// (ONNX TensorProto); a folder is an ONNX test data set (`output_K.pb`). A file with another
/// extension is recognised by its first bytes (`\x93NUMPY`, a zip's `PK\x03\x04`).
[[nodiscard]] Result<TensorFile> read_tensors(const std::string& path, const NpzLimits& limits = {});

}  // namespace mlstack::tensors
