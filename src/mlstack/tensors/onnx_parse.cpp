// SPDX-License-Identifier: MIT
// The ONNX parsers, built into the plugin libmlstack-onnx.so only (onnx_plugin.hpp): it is the
// one file that includes protobuf headers. TensorProto, SequenceProto and OptionalProto values
// (onnx_tensor.hpp), and the kinds of a ModelProto's inputs and outputs.
#include "mlstack/tensors/onnx_plugin.hpp"
#include "mlstack/tensors/onnx_tensor.hpp"

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>
#include <onnx/onnx-data_pb.h>
#include <onnx/onnx_pb.h>

#include <climits>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

namespace mlstack::tensors {

namespace {

// At most this many tensors from one file (a sequence of empty tensors costs 2 bytes each).
constexpr std::size_t k_max_tensors = std::size_t{1} << 20U;

// Keeps a parsed message alive: a raw-data tensor's view points into its bytes.
template <class M>
class MessageStorage final : public Storage {
 public:
  M message;
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

// Whether `m`, or a message inside it, holds a field its type does not declare: bytes of
// another message type that protobuf parsed all the same.
bool has_unknown_fields(const google::protobuf::Message& m) {
  const auto* r = m.GetReflection();
  if (!r->GetUnknownFields(m).empty()) {
    return true;
  }
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const auto* f : fields) {
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      continue;
    }
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        if (has_unknown_fields(r->GetRepeatedMessage(m, f, i))) {
          return true;
        }
      }
    } else if (has_unknown_fields(r->GetMessage(m, f))) {
      return true;
    }
  }
  return false;
}

// Errors without the file's path (added by the public functions).
Error value_error(ErrorCode code, std::string message, std::string_view name = {}) {
  return tensor_error(code, std::move(message), {}, name);
}

// Adds the values of one file to `out`; the message they point into is in `out.storage`.
class Collector {
 public:
  explicit Collector(TensorFile& out) : m_out(out) {}

  Result<void> tensor(const onnx::TensorProto& p, std::string name) {
    if (m_out.tensors.size() >= k_max_tensors) {
      return unexpected(value_error(
          ErrorCode::limit, fmt::format("more than {} tensors in one file", k_max_tensors)));
    }
    TensorView t;
    t.name = std::move(name);
    const std::string_view n = t.name;
    if (p.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
      return unexpected(value_error(ErrorCode::unsupported,
                                    "external data (`data_location: EXTERNAL`)", n));
    }
    if (p.has_segment()) {
      return unexpected(value_error(ErrorCode::unsupported, "a segmented tensor (`segment`)", n));
    }
    const auto dtype = onnx_dtype(p.data_type());
    if (!dtype) {
      const auto known = onnx_dtype_name(p.data_type());
      return unexpected(value_error(
          ErrorCode::unsupported,
          known.empty() ? fmt::format("unsupported data type {}", p.data_type())
                        : fmt::format("unsupported data type {} ({})", p.data_type(), known),
          n));
    }
    t.dtype = *dtype;
    for (const auto d : p.dims()) {
      if (d < 0) {
        return unexpected(value_error(ErrorCode::parse, fmt::format("negative dimension {}", d), n));
      }
      t.shape.push_back(static_cast<std::uint64_t>(d));
    }
    if (t.shape.size() > 64) {
      return unexpected(value_error(ErrorCode::limit, "more than 64 dimensions", n));
    }
    const auto item = dtype_size(t.dtype);
    const auto count = element_count(t.shape, item);
    if (!count) {
      return unexpected(value_error(
          ErrorCode::limit,
          fmt::format("shape {} overflows: its byte size is past 2^64", format_shape(t.shape)),
          n));
    }
    t.element_count = *count;
    const std::uint64_t need = *count * item;
    if (p.has_raw_data()) {
      if (p.raw_data().size() != need) {
        return unexpected(value_error(
            ErrorCode::parse,
            fmt::format("`raw_data` holds {} bytes, shape {} of {} needs {}", p.raw_data().size(),
                        format_shape(t.shape), dtype_name(t.dtype), need),
            n));
      }
      t.data = std::as_bytes(std::span(p.raw_data().data(), p.raw_data().size()));
      m_out.tensors.push_back(std::move(t));
      return {};
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
      return unexpected(value_error(ErrorCode::parse,
                                    fmt::format("`{}` holds {} values, shape {} needs {}", field,
                                                have, format_shape(t.shape), *count),
                                    n));
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
    m_out.tensors.push_back(std::move(t));
    m_out.storage.push_back(std::move(buffer));
    return {};
  }

  // `to_list`: one element per value of the element type's field, named `name[i]`.
  Result<void> sequence(const onnx::SequenceProto& s, const std::string& name) {
    auto each = [&](const auto& values, auto&& add) -> Result<void> {
      for (int i = 0; i < values.size(); ++i) {
        if (auto ok = add(values.Get(i), fmt::format("{}[{}]", name, i)); !ok) {
          return ok;
        }
      }
      return {};
    };
    switch (s.elem_type()) {
      case onnx::SequenceProto_DataType_TENSOR:
        return each(s.tensor_values(), [&](const auto& v, std::string n) { return tensor(v, std::move(n)); });
      case onnx::SequenceProto_DataType_SEQUENCE:
        return each(s.sequence_values(), [&](const auto& v, const std::string& n) { return sequence(v, n); });
      case onnx::SequenceProto_DataType_OPTIONAL:
        return each(s.optional_values(), [&](const auto& v, const std::string& n) { return optional(v, n); });
      case onnx::SequenceProto_DataType_SPARSE_TENSOR:
        return unexpected(value_error(ErrorCode::unsupported, "a sequence of sparse tensors", name));
      case onnx::SequenceProto_DataType_MAP:
        return unexpected(value_error(ErrorCode::unsupported, "a sequence of maps", name));
      default:
        return unexpected(value_error(
            ErrorCode::unsupported,
            fmt::format("a sequence of element type {} (onnx's `to_list` reads tensors, "
                        "sequences and maps)",
                        s.elem_type()),
            name));
    }
  }

  // `to_optional`: its element under its own name; nothing when absent (UNDEFINED).
  Result<void> optional(const onnx::OptionalProto& o, const std::string& name) {
    switch (o.elem_type()) {
      case onnx::OptionalProto_DataType_UNDEFINED: return {};
      case onnx::OptionalProto_DataType_TENSOR: return tensor(o.tensor_value(), name);
      case onnx::OptionalProto_DataType_SEQUENCE: return sequence(o.sequence_value(), name);
      case onnx::OptionalProto_DataType_OPTIONAL: return optional(o.optional_value(), name);
      case onnx::OptionalProto_DataType_SPARSE_TENSOR:
        return unexpected(value_error(ErrorCode::unsupported, "an optional sparse tensor", name));
      case onnx::OptionalProto_DataType_MAP:
        return unexpected(value_error(ErrorCode::unsupported, "an optional map", name));
      default:
        return unexpected(value_error(
            ErrorCode::unsupported, fmt::format("an optional of element type {}", o.elem_type()),
            name));
    }
  }

 private:
  TensorFile& m_out;
};

std::string_view message_name(OnnxValueKind kind) {
  switch (kind) {
    case OnnxValueKind::sequence: return "SequenceProto";
    case OnnxValueKind::optional: return "OptionalProto";
    default: return "TensorProto";
  }
}

// One attempt: `kind`'s message parsed from `bytes` and read; `clean` when protobuf found no
// field the type does not declare.
struct Attempt {
  Result<TensorFile> file = unexpected(make_error(ErrorCode::parse, ""));
  bool parsed = false;  // protobuf parsed the bytes as this message
  bool clean = false;   // and found no field the message does not declare
};

template <class M>
Attempt read_as(std::span<const std::byte> bytes, std::string_view fallback_name,
                OnnxValueKind kind) {
  Attempt a;
  auto holder = std::make_shared<MessageStorage<M>>();
  auto& m = holder->message;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    a.file = unexpected(make_error(
        ErrorCode::parse,
        fmt::format("not an ONNX {} (protobuf could not parse it)", message_name(kind))));
    return a;
  }
  a.parsed = true;
  a.clean = !has_unknown_fields(m);
  TensorFile out;
  out.storage.push_back(holder);
  Collector c(out);
  const std::string name = m.name().empty() ? std::string(fallback_name) : m.name();
  Result<void> ok;
  if constexpr (std::is_same_v<M, onnx::TensorProto>) {
    ok = c.tensor(m, name);
  } else if constexpr (std::is_same_v<M, onnx::SequenceProto>) {
    ok = c.sequence(m, name);
  } else {
    ok = c.optional(m, name);
  }
  if (!ok) {
    a.file = unexpected(std::move(ok).error());
  } else {
    a.file = std::move(out);
  }
  return a;
}

Result<TensorFile> with_path(Result<TensorFile> r, std::string_view path) {
  if (r) {
    r->path = std::string(path);
    return r;
  }
  return unexpected(path.empty() ? std::move(r).error()
                                 : with_context(std::move(r).error(), std::string(path)));
}

// No model: a TensorProto, else a SequenceProto, else an OptionalProto, each only when its
// parse found no unknown field; a tensor that reads with unknown fields last.
Result<TensorFile> guess(std::span<const std::byte> bytes, std::string_view fallback_name) {
  auto t = read_as<onnx::TensorProto>(bytes, fallback_name, OnnxValueKind::tensor);
  if (t.file && t.clean) {
    return std::move(t.file);
  }
  auto s = read_as<onnx::SequenceProto>(bytes, fallback_name, OnnxValueKind::sequence);
  if (s.file && s.clean) {
    return std::move(s.file);
  }
  auto o = read_as<onnx::OptionalProto>(bytes, fallback_name, OnnxValueKind::optional);
  if (o.file && o.clean) {
    return std::move(o.file);
  }
  if (t.file) {
    return std::move(t.file);
  }
  auto why = [](const Attempt& a) {
    if (!a.parsed) {
      return std::string("protobuf could not parse it");
    }
    if (!a.file) {
      return to_string(a.file.error());
    }
    return std::string("it parses only with fields the message does not have");
  };
  return unexpected(make_error(
      ErrorCode::parse,
      fmt::format("no model.onnx says which ONNX message this is, and it reads as none: as a "
                  "TensorProto, {}; as a SequenceProto, {}; as an OptionalProto, {}",
                  why(t), why(s), why(o))));
}

}  // namespace

Result<TensorFile> parse_onnx_value(std::span<const std::byte> bytes, std::string_view path,
                                    std::string_view fallback_name, OnnxValueKind kind) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return with_path(unexpected(make_error(
                         ErrorCode::limit, "an ONNX protobuf file over 2 GiB (protobuf's limit)")),
                     path);
  }
  switch (kind) {
    case OnnxValueKind::tensor:
      return with_path(read_as<onnx::TensorProto>(bytes, fallback_name, kind).file, path);
    case OnnxValueKind::sequence:
      return with_path(read_as<onnx::SequenceProto>(bytes, fallback_name, kind).file, path);
    case OnnxValueKind::optional:
      return with_path(read_as<onnx::OptionalProto>(bytes, fallback_name, kind).file, path);
    case OnnxValueKind::map:
      return with_path(unexpected(make_error(ErrorCode::unsupported,
                                             "a map (model.onnx types it `map_type`): not read")),
                       path);
    case OnnxValueKind::sparse_tensor:
      return with_path(
          unexpected(make_error(ErrorCode::unsupported,
                                "a sparse tensor (model.onnx types it `sparse_tensor_type`): "
                                "not read")),
          path);
    case OnnxValueKind::unknown: break;
  }
  return with_path(guess(bytes, fallback_name), path);
}

Result<TensorFile> parse_onnx_tensor(std::span<const std::byte> bytes, std::string_view path,
                                     std::string_view fallback_name) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return with_path(unexpected(make_error(ErrorCode::limit,
                                           "a TensorProto file over 2 GiB (protobuf's limit)")),
                     path);
  }
  return parse_onnx_value(bytes, path, fallback_name, OnnxValueKind::tensor);
}

Result<OnnxModelIo> parse_onnx_model_io(std::span<const std::byte> bytes, std::string_view path) {
  auto error = [&](ErrorCode code, std::string message) {
    return unexpected(with_context(make_error(code, std::move(message)), std::string(path)));
  };
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return error(ErrorCode::limit, "a model over 2 GiB (protobuf's limit)");
  }
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return error(ErrorCode::parse, "not an ONNX ModelProto (protobuf could not parse it)");
  }
  auto kind = [](const onnx::TypeProto& t) {
    switch (t.value_case()) {
      case onnx::TypeProto::kTensorType: return OnnxValueKind::tensor;
      case onnx::TypeProto::kSequenceType: return OnnxValueKind::sequence;
      case onnx::TypeProto::kOptionalType: return OnnxValueKind::optional;
      case onnx::TypeProto::kMapType: return OnnxValueKind::map;
      case onnx::TypeProto::kSparseTensorType: return OnnxValueKind::sparse_tensor;
      default: return OnnxValueKind::unknown;
    }
  };
  OnnxModelIo io;
  for (const auto& v : model.graph().input()) {
    io.inputs.push_back(kind(v.type()));
  }
  for (const auto& v : model.graph().output()) {
    io.outputs.push_back(kind(v.type()));
  }
  return io;
}

}  // namespace mlstack::tensors

extern "C" __attribute__((visibility("default"))) void mlstack_onnx_parse_value_v2(
    const std::byte* bytes, std::size_t size, const char* path, const char* fallback_name,
    mlstack::tensors::OnnxValueKind kind, mlstack::Result<mlstack::tensors::TensorFile>* out) {
  *out = mlstack::tensors::parse_onnx_value(std::span(bytes, size), path, fallback_name, kind);
}

extern "C" __attribute__((visibility("default"))) void mlstack_onnx_model_io_v2(
    const std::byte* bytes, std::size_t size, const char* path,
    mlstack::Result<mlstack::tensors::OnnxModelIo>* out) {
  *out = mlstack::tensors::parse_onnx_model_io(std::span(bytes, size), path);
}
