// SPDX-License-Identifier: MIT
#include "mlstack/tensors/tensor.hpp"

#include "mlstack/base/text.hpp"

#include <fmt/format.h>

namespace mlstack::tensors {

std::string_view dtype_name(DType t) noexcept {
  switch (t) {
    case DType::f64: return "float64";
    case DType::f32: return "float32";
    case DType::f16: return "float16";
    case DType::bf16: return "bfloat16";
    case DType::i8: return "int8";
    case DType::i16: return "int16";
    case DType::i32: return "int32";
    case DType::i64: return "int64";
    case DType::u8: return "uint8";
    case DType::u16: return "uint16";
    case DType::u32: return "uint32";
    case DType::u64: return "uint64";
    case DType::boolean: return "bool";
  }
  return "?";
}

std::size_t dtype_size(DType t) noexcept {
  switch (t) {
    case DType::f64:
    case DType::i64:
    case DType::u64: return 8;
    case DType::f32:
    case DType::i32:
    case DType::u32: return 4;
    case DType::f16:
    case DType::bf16:
    case DType::i16:
    case DType::u16: return 2;
    case DType::i8:
    case DType::u8:
    case DType::boolean: return 1;
  }
  return 1;
}

bool is_floating(DType t) noexcept {
  return t == DType::f64 || t == DType::f32 || t == DType::f16 || t == DType::bf16;
}

bool is_signed_integer(DType t) noexcept {
  return t == DType::i8 || t == DType::i16 || t == DType::i32 || t == DType::i64;
}

const TensorView* TensorFile::find(std::string_view name) const noexcept {
  for (const auto& t : tensors) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

std::optional<std::uint64_t> element_count(std::span<const std::uint64_t> shape,
                                           std::size_t item_size) noexcept {
  std::uint64_t n = 1;
  bool zero = false;
  for (const auto d : shape) {
    // A zero dimension makes the product 0, but the other dimensions must still be sane:
    // numpy refuses a shape whose product overflows even when one dimension is 0.
    if (d == 0) {
      zero = true;
      continue;
    }
    if (__builtin_mul_overflow(n, d, &n)) {
      return std::nullopt;
    }
  }
  std::uint64_t bytes = 0;
  if (__builtin_mul_overflow(n, static_cast<std::uint64_t>(item_size), &bytes)) {
    return std::nullopt;
  }
  return zero ? 0 : n;
}

std::string format_shape(std::span<const std::uint64_t> shape) {
  if (shape.size() == 1) {
    return fmt::format("({},)", shape[0]);
  }
  return fmt::format("({})", fmt::join(shape, ", "));
}

Error tensor_error(ErrorCode code, std::string message, std::string_view path,
                   std::string_view tensor) {
  Error e = make_error(code, std::move(message));
  if (!tensor.empty()) {
    e = with_context(std::move(e), fmt::format("tensor `{}`", text::escape_controls(tensor)));
  }
  return path.empty() ? e : with_context(std::move(e), std::string(path));
}

}  // namespace mlstack::tensors
