// SPDX-License-Identifier: MIT
// The ONNX TensorProto parser, built into the plugin libmlstack-onnx.so only (onnx_plugin.hpp):
// it is the one file that includes protobuf headers.
#include "mlstack/tensors/onnx_plugin.hpp"
#include "mlstack/tensors/onnx_tensor.hpp"

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <climits>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

namespace mlstack::tensors {

namespace {

// Keeps a parsed message alive: a raw-data tensor's view points into its bytes.
class ProtoStorage final : public Storage {
 public:
  onnx::TensorProto proto;
};

std::optional<DType> onnx_dtype(int t) {
  switch (t) {
    case onnx::TensorProto_DataType_FLOAT: return DType::f32;
    case onnx::TensorProto_DataType_DOUBLE: return DType::f64;
    case onnx::TensorProto_DataType_FLOAT16: return DType::f16;
    case onnx::TensorProto_DataType_BFLOAT16: return DType::bf16;
    case onnx::TensorProto_DataType_INT8: return DType::i8;
    case onnx::TensorProto_DataType_INT16: return DType::i16;
    case onnx::TensorProto_DataType_INT32: return DType::i32;
    case onnx::TensorProto_DataType_INT64: return DType::i64;
    case onnx::TensorProto_DataType_UINT8: return DType::u8;
    case onnx::TensorProto_DataType_UINT16: return DType::u16;
    case onnx::TensorProto_DataType_UINT32: return DType::u32;
    case onnx::TensorProto_DataType_UINT64: return DType::u64;
    case onnx::TensorProto_DataType_BOOL: return DType::boolean;
    default: return std::nullopt;
  }
}

std::string_view onnx_dtype_name(int t) {
  switch (t) {
    case onnx::TensorProto_DataType_UNDEFINED: return "UNDEFINED";
    case onnx::TensorProto_DataType_STRING: return "STRING";
    case onnx::TensorProto_DataType_COMPLEX64: return "COMPLEX64";
    case onnx::TensorProto_DataType_COMPLEX128: return "COMPLEX128";
    default: return "";
  }
}

// Writes `values` (as `To`, little-endian: this machine's order) into `out`.
template <class To, class Field>
void store(const Field& values, std::span<std::byte> out) {
  std::size_t at = 0;
  for (const auto v : values) {
    const auto x = static_cast<To>(v);
    std::memcpy(out.data() + at, &x, sizeof(To));
    at += sizeof(To);
  }
}

}  // namespace

Result<TensorFile> parse_onnx_tensor(std::span<const std::byte> bytes, std::string_view path,
                                     std::string_view fallback_name) {
  auto error = [&](ErrorCode code, std::string message, std::string_view tensor = {}) {
    return unexpected(tensor_error(code, std::move(message), path, tensor));
  };
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return error(ErrorCode::limit, "a TensorProto file over 2 GiB (protobuf's limit)");
  }
  auto holder = std::make_shared<ProtoStorage>();
  auto& p = holder->proto;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return error(ErrorCode::parse, "not an ONNX TensorProto (protobuf could not parse it)");
  }
  TensorView t;
  t.name = p.name().empty() ? std::string(fallback_name) : p.name();
  const std::string_view name = t.name;
  if (p.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
    return error(ErrorCode::unsupported, "external data (`data_location: EXTERNAL`)", name);
  }
  if (p.has_segment()) {
    return error(ErrorCode::unsupported, "a segmented tensor (`segment`)", name);
  }
  const auto dtype = onnx_dtype(p.data_type());
  if (!dtype) {
    const auto known = onnx_dtype_name(p.data_type());
    return error(ErrorCode::unsupported,
                 known.empty() ? fmt::format("unsupported data type {}", p.data_type())
                               : fmt::format("unsupported data type {} ({})", p.data_type(), known),
                 name);
  }
  t.dtype = *dtype;
  for (const auto d : p.dims()) {
    if (d < 0) {
      return error(ErrorCode::parse, fmt::format("negative dimension {}", d), name);
    }
    t.shape.push_back(static_cast<std::uint64_t>(d));
  }
  if (t.shape.size() > 64) {
    return error(ErrorCode::limit, "more than 64 dimensions", name);
  }
  const auto item = dtype_size(t.dtype);
  const auto count = element_count(t.shape, item);
  if (!count) {
    return error(ErrorCode::limit,
                 fmt::format("shape {} overflows: its byte size is past 2^64",
                             format_shape(t.shape)),
                 name);
  }
  t.element_count = *count;
  const std::uint64_t need = *count * item;
  TensorFile out;
  out.path = std::string(path);
  if (p.has_raw_data()) {
    if (p.raw_data().size() != need) {
      return error(ErrorCode::parse,
                   fmt::format("`raw_data` holds {} bytes, shape {} of {} needs {}",
                               p.raw_data().size(), format_shape(t.shape), dtype_name(t.dtype),
                               need),
                   name);
    }
    t.data = std::as_bytes(std::span(p.raw_data().data(), p.raw_data().size()));
    out.tensors.push_back(std::move(t));
    out.storage.push_back(std::move(holder));
    return out;
  }
  // The typed field this type is stored in, and its length.
  std::size_t have = 0;
  std::string_view field;
  switch (p.data_type()) {
    case onnx::TensorProto_DataType_FLOAT: have = static_cast<std::size_t>(p.float_data_size()); field = "float_data"; break;
    case onnx::TensorProto_DataType_DOUBLE: have = static_cast<std::size_t>(p.double_data_size()); field = "double_data"; break;
    case onnx::TensorProto_DataType_INT64: have = static_cast<std::size_t>(p.int64_data_size()); field = "int64_data"; break;
    case onnx::TensorProto_DataType_UINT32:
    case onnx::TensorProto_DataType_UINT64: have = static_cast<std::size_t>(p.uint64_data_size()); field = "uint64_data"; break;
    default: have = static_cast<std::size_t>(p.int32_data_size()); field = "int32_data"; break;
  }
  if (have != *count) {
    return error(ErrorCode::parse,
                 fmt::format("`{}` holds {} values, shape {} needs {}", field, have,
                             format_shape(t.shape), *count),
                 name);
  }
  auto buffer = std::make_shared<OwnedStorage>(static_cast<std::size_t>(need));
  const auto b = buffer->bytes();
  switch (t.dtype) {
    case DType::f32: store<float>(p.float_data(), b); break;
    case DType::f64: store<double>(p.double_data(), b); break;
    case DType::i64: store<std::int64_t>(p.int64_data(), b); break;
    case DType::u32: store<std::uint32_t>(p.uint64_data(), b); break;
    case DType::u64: store<std::uint64_t>(p.uint64_data(), b); break;
    case DType::i32: store<std::int32_t>(p.int32_data(), b); break;
    case DType::i16: store<std::int16_t>(p.int32_data(), b); break;
    case DType::i8: store<std::int8_t>(p.int32_data(), b); break;
    case DType::u16:
    case DType::f16:
    case DType::bf16: store<std::uint16_t>(p.int32_data(), b); break;
    case DType::u8: store<std::uint8_t>(p.int32_data(), b); break;
    case DType::boolean: {
      std::size_t at = 0;
      for (const auto v : p.int32_data()) {
        b[at++] = std::byte{v != 0 ? std::uint8_t{1} : std::uint8_t{0}};
      }
      break;
    }
  }
  t.data = b;
  out.tensors.push_back(std::move(t));
  out.storage.push_back(std::move(buffer));
  return out;
}

}  // namespace mlstack::tensors

extern "C" __attribute__((visibility("default"))) void mlstack_onnx_parse_v1(
    const std::byte* bytes, std::size_t size, const char* path, const char* fallback_name,
    mlstack::Result<mlstack::tensors::TensorFile>* out) {
  *out = mlstack::tensors::parse_onnx_tensor(std::span(bytes, size), path, fallback_name);
}
