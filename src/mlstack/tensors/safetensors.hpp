// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/tensors/tensor.hpp"

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

/// Hugging Face's `.safetensors` (https://github.com/huggingface/safetensors, format in its
/// README): an 8-byte little-endian header size N, N bytes of UTF-8 JSON starting with `{`
/// (`{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, "__metadata__":
/// {...}}`), then the data. The checks are the reference's (`SafeTensors::read_metadata` and
/// `Metadata::validate`, safetensors/src/tensor.rs): N at most 100,000,000 and within the
/// file, the tensors' offsets contiguous from 0 when sorted, each span exactly its shape's
/// bytes (overflow checked), and the last offset ending the file. Tensors are views into the
/// mapped file, little-endian, in offset order. 8-bit floats and complex are unsupported.
namespace mlstack::tensors {

[[nodiscard]] Result<TensorFile> parse_safetensors(std::span<const std::byte> bytes,
                                                   std::string_view path,
                                                   std::shared_ptr<const Storage> keep);

[[nodiscard]] Result<TensorFile> read_safetensors(const std::string& path);

}  // namespace mlstack::tensors
