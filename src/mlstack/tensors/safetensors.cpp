// SPDX-License-Identifier: MIT
#include "mlstack/tensors/safetensors.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/tensors/mapped_file.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace mlstack::tensors {

namespace {

constexpr std::uint64_t k_max_header_size = 100'000'000;  // safetensors' MAX_HEADER_SIZE

std::optional<DType> safetensors_dtype(std::string_view s) {
  struct Known {
    std::string_view name;
    DType dtype;
  };
  static constexpr std::array<Known, 13> k_known{{{"F64", DType::f64},
                                                  {"F32", DType::f32},
                                                  {"F16", DType::f16},
                                                  {"BF16", DType::bf16},
                                                  {"I8", DType::i8},
                                                  {"I16", DType::i16},
                                                  {"I32", DType::i32},
                                                  {"I64", DType::i64},
                                                  {"U8", DType::u8},
                                                  {"U16", DType::u16},
                                                  {"U32", DType::u32},
                                                  {"U64", DType::u64},
                                                  {"BOOL", DType::boolean}}};
  for (const auto& k : k_known) {
    if (k.name == s) {
      return k.dtype;
    }
  }
  return std::nullopt;
}

struct Entry {
  TensorView view;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

}  // namespace

Result<TensorFile> parse_safetensors(std::span<const std::byte> bytes, std::string_view path,
                                     std::shared_ptr<const Storage> keep) {
  auto error = [&](ErrorCode code, std::string message, std::string_view tensor = {}) {
    return unexpected(tensor_error(code, std::move(message), path, tensor));
  };
  if (bytes.size() < 8) {
    return error(ErrorCode::parse, fmt::format("truncated: a .safetensors file starts with an "
                                               "8-byte header size, the file has {} bytes",
                                               bytes.size()));
  }
  std::uint64_t n = 0;
  for (unsigned i = 0; i < 8; ++i) {
    n |= static_cast<std::uint64_t>(bytes[i]) << (8U * i);
  }
  if (n > k_max_header_size) {
    return error(ErrorCode::limit, fmt::format("the header size {} is over the format's limit of "
                                               "{} bytes",
                                               n, k_max_header_size));
  }
  if (n > bytes.size() - 8) {
    return error(ErrorCode::parse, fmt::format("the header size {} is bigger than the file "
                                               "({} bytes after the size)",
                                               n, bytes.size() - 8));
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + 8),
                              static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < text.size();) {
    const auto c = text::decode_utf8(text, i);
    if (c.length == 0) {
      return error(ErrorCode::parse, fmt::format("the header is not UTF-8 (byte {})", i));
    }
    i += c.length;
  }
  if (!text.starts_with('{')) {
    return error(ErrorCode::parse, "the header does not start with `{`");
  }
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return error(ErrorCode::parse, "the header is not a JSON object");
  }
  std::vector<Entry> entries;
  for (const auto& [name, info] : json.items()) {
    if (name == "__metadata__") {
      if (!info.is_object() ||
          !std::all_of(info.begin(), info.end(), [](const auto& v) { return v.is_string(); })) {
        return error(ErrorCode::parse, "`__metadata__` must map strings to strings");
      }
      continue;
    }
    if (!info.is_object()) {
      return error(ErrorCode::parse, "expected an object with `dtype`, `shape`, `data_offsets`",
                   name);
    }
    const auto dt = info.find("dtype");
    const auto shape = info.find("shape");
    const auto offsets = info.find("data_offsets");
    if (dt == info.end() || shape == info.end() || offsets == info.end()) {
      return error(ErrorCode::parse, "expected `dtype`, `shape` and `data_offsets`", name);
    }
    if (!dt->is_string()) {
      return error(ErrorCode::parse, "`dtype` is not a string", name);
    }
    const auto& dt_name = dt->get_ref<const std::string&>();
    const auto dtype = safetensors_dtype(dt_name);
    if (!dtype) {
      return error(ErrorCode::unsupported,
                   fmt::format("unsupported dtype `{}` (mlstack reads F64, F32, F16, BF16, "
                               "I8-I64, U8-U64, BOOL)",
                               text::escape_controls(dt_name)),
                   name);
    }
    Entry e;
    e.view.name = name;
    e.view.dtype = *dtype;
    if (!shape->is_array() || shape->size() > 64) {
      return error(ErrorCode::parse, "`shape` must be a list of at most 64 integers", name);
    }
    for (const auto& d : *shape) {
      if (!d.is_number_unsigned()) {
        return error(ErrorCode::parse, "`shape` must hold non-negative integers", name);
      }
      e.view.shape.push_back(d.get<std::uint64_t>());
    }
    if (!offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
        !(*offsets)[1].is_number_unsigned()) {
      return error(ErrorCode::parse, "`data_offsets` must be two non-negative integers", name);
    }
    e.begin = (*offsets)[0].get<std::uint64_t>();
    e.end = (*offsets)[1].get<std::uint64_t>();
    entries.push_back(std::move(e));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
  });
  const std::uint64_t data_size = bytes.size() - 8 - n;
  const auto data = bytes.subspan(static_cast<std::size_t>(8 + n));
  std::uint64_t start = 0;
  TensorFile out;
  out.path = std::string(path);
  for (auto& e : entries) {
    if (e.begin != start || e.end < e.begin) {
      return error(ErrorCode::parse,
                   fmt::format("`data_offsets` [{}, {}] do not follow the previous tensor's end "
                               "({})",
                               e.begin, e.end, start),
                   e.view.name);
    }
    start = e.end;
    const auto count = element_count(e.view.shape, dtype_size(e.view.dtype));
    if (!count) {
      return error(ErrorCode::limit,
                   fmt::format("shape {} overflows: its byte size is past 2^64",
                               format_shape(e.view.shape)),
                   e.view.name);
    }
    const std::uint64_t need = *count * dtype_size(e.view.dtype);
    if (e.end - e.begin != need) {
      return error(ErrorCode::parse,
                   fmt::format("`data_offsets` [{}, {}] hold {} bytes, shape {} of {} needs {}",
                               e.begin, e.end, e.end - e.begin, format_shape(e.view.shape),
                               dtype_name(e.view.dtype), need),
                   e.view.name);
    }
    if (e.end > data_size) {
      return error(ErrorCode::parse,
                   fmt::format("truncated: `data_offsets` end at {}, the file has {} bytes of "
                               "data",
                               e.end, data_size),
                   e.view.name);
    }
    e.view.element_count = *count;
    e.view.data = data.subspan(static_cast<std::size_t>(e.begin), static_cast<std::size_t>(need));
    out.tensors.push_back(std::move(e.view));
  }
  if (start != data_size) {
    return error(ErrorCode::parse, fmt::format("the tensors hold {} bytes of data, the file has {}",
                                               start, data_size));
  }
  out.storage.push_back(std::move(keep));
  return out;
}

Result<TensorFile> read_safetensors(const std::string& path) {
  MLSTACK_TRY_ASSIGN(auto file, MappedFile::open(path));
  const auto bytes = file->bytes();
  return parse_safetensors(bytes, path, std::move(file));
}

}  // namespace mlstack::tensors
