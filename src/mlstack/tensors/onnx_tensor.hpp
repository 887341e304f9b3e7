// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/tensors/tensor.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

/// ONNX `TensorProto` files (`.pb`, the format of ONNX's test data and of
/// `onnx.numpy_helper.from_array(...).SerializeToString()`), parsed by the protobuf classes
/// ONNX generates (Debian's libonnx-dev, `onnx/onnx_pb.h`): no hand-written protobuf.
///
/// The data is read as `onnx.numpy_helper.to_array` reads it: `raw_data` (little-endian) when
/// present, else the typed field the type uses: `float_data` (FLOAT), `double_data` (DOUBLE),
/// `int64_data` (INT64), `uint64_data` (UINT32, UINT64), `int32_data` (INT32, INT16, INT8,
/// UINT16, UINT8, BOOL, and the bit patterns of FLOAT16 and BFLOAT16). Its length must match
/// the dims' product. Raw data is a view into the parsed message (no second copy); typed data
/// is written to a little-endian buffer. External data, segments, strings and complex types
/// are unsupported; protobuf caps a message at 2 GiB.
namespace mlstack::tensors {

/// The tensor in `bytes`; named by its `name`, or `fallback_name` when that is empty. Defined
/// in the plugin (onnx_parse.cpp); the tests and the fuzz target link that file directly.
[[nodiscard]] Result<TensorFile> parse_onnx_tensor(std::span<const std::byte> bytes,
                                                   std::string_view path,
                                                   std::string_view fallback_name);

/// A `.pb` file holding one `TensorProto`, through the plugin (onnx_plugin.hpp).
[[nodiscard]] Result<TensorFile> read_onnx_tensor(const std::string& path);

/// Which files of an ONNX test data set are read.
enum class TestDataPart : std::uint8_t { outputs, inputs };

/// An ONNX test data set folder (`test_data_set_N/` beside a `model.onnx`): `output_0.pb`,
/// `output_1.pb`, ... (or `input_K.pb`) in order of K, consecutive from 0. A tensor without a
/// name is named after its file (`output_0`).
[[nodiscard]] Result<TensorFile> read_onnx_test_data_set(const std::string& dir,
                                                         TestDataPart part = TestDataPart::outputs);

}  // namespace mlstack::tensors
