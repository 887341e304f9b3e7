// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/tensors/tensor.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// ONNX `TensorProto` files (`.pb`, the format of ONNX's test data and of
/// `onnx.numpy_helper.from_array(...).SerializeToString()`), and the `SequenceProto` and
/// `OptionalProto` files of test data sets whose model has sequence or optional inputs or
/// outputs, parsed by the protobuf classes ONNX generates (Debian's libonnx-dev,
/// `onnx/onnx_pb.h`, `onnx/onnx-data_pb.h`): no hand-written protobuf.
///
/// The data is read as `onnx.numpy_helper.to_array` reads it: `raw_data` (little-endian) when
/// present, else the typed field the type uses: `float_data` (FLOAT), `double_data` (DOUBLE),
/// `int64_data` (INT64), `uint64_data` (UINT32, UINT64), `int32_data` (INT32, INT16, INT8,
/// UINT16, UINT8, BOOL, and the bit patterns of FLOAT16 and BFLOAT16). Its length must match
/// the dims' product. Raw data is a view into the parsed message (no second copy); typed data
/// is written to a little-endian buffer. External data, segments, strings and complex types
/// are unsupported; protobuf caps a message at 2 GiB.
///
/// A sequence is read as one tensor per element, named `name[0]`, `name[1]`, ... (a sequence
/// of sequences `name[0][1]`; `to_list`'s order); an optional as its element under its own
/// name, or as no tensor at all when it is absent (`elem_type` UNDEFINED, `to_optional`'s
/// None): against a present one, the comparison reports it missing or extra. `name` is the
/// message's name, else the file's stem; the elements' own names are not used.
namespace mlstack::tensors {

/// What an ONNX file holds: the model's type of that input or output (`TypeProto`'s
/// `tensor_type`, `sequence_type`, `optional_type`; `map_type` and `sparse_tensor_type` are
/// not read), or `unknown` (no model: the bytes decide, `parse_onnx_value`).
enum class OnnxValueKind : std::uint8_t { unknown, tensor, sequence, optional, map, sparse_tensor };

/// The kinds of a model's graph inputs and outputs, in order (`input_K.pb` holds input K).
struct OnnxModelIo {
  std::vector<OnnxValueKind> inputs;
  std::vector<OnnxValueKind> outputs;
};

/// The tensor in `bytes`; named by its `name`, or `fallback_name` when that is empty. Defined
/// in the plugin (onnx_parse.cpp); the tests and the fuzz target link that file directly.
[[nodiscard]] Result<TensorFile> parse_onnx_tensor(std::span<const std::byte> bytes,
                                                   std::string_view path,
                                                   std::string_view fallback_name);

/// The value in `bytes` as `kind` says (a TensorProto, SequenceProto or OptionalProto, as
/// onnx's test runner `_load_proto` reads it). `unknown`: a TensorProto when the bytes parse
/// as one with no field protobuf does not know and the tensor reads, else a SequenceProto,
/// else an OptionalProto, under the same test; the error says what each attempt found. The
/// bytes of a one-tensor sequence and of a present optional tensor are the same: without a
/// model they read as the sequence (`name[0]`). `map` and `sparse_tensor` are unsupported.
/// In the plugin (onnx_parse.cpp).
[[nodiscard]] Result<TensorFile> parse_onnx_value(std::span<const std::byte> bytes,
                                                  std::string_view path,
                                                  std::string_view fallback_name,
                                                  OnnxValueKind kind);

/// The kinds of a `ModelProto`'s graph inputs and outputs (`model.onnx`). In the plugin.
[[nodiscard]] Result<OnnxModelIo> parse_onnx_model_io(std::span<const std::byte> bytes,
                                                      std::string_view path);

/// A `.pb` file holding one ONNX value (`OnnxValueKind::unknown`: the bytes decide), through
/// the plugin (onnx_plugin.hpp).
[[nodiscard]] Result<TensorFile> read_onnx_tensor(const std::string& path);

/// Which files of an ONNX test data set are read.
enum class TestDataPart : std::uint8_t { outputs, inputs };

/// An ONNX test data set folder (`test_data_set_N/` beside a `model.onnx`): `output_0.pb`,
/// `output_1.pb`, ... (or `input_K.pb`) in order of K, consecutive from 0. When `../model.onnx`
/// is there, file K is read as the kind of the graph's output (input) K, as onnx's test runner
/// does; else the bytes decide (`parse_onnx_value`). A model.onnx protobuf cannot parse is an
/// error. A tensor without a name is named after its file (`output_0`).
[[nodiscard]] Result<TensorFile> read_onnx_test_data_set(const std::string& dir,
                                                         TestDataPart part = TestDataPart::outputs);

}  // namespace mlstack::tensors
