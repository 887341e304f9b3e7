// SPDX-License-Identifier: MIT
#include "mlstack/compare/decode.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace mlstack::compare {

using tensors::ByteOrder;
using tensors::DType;

double half_to_double(std::uint16_t bits) noexcept {
  const bool negative = (bits & 0x8000U) != 0;
  const unsigned exponent = (bits >> 10U) & 0x1FU;
  const unsigned mantissa = bits & 0x3FFU;
  double v = 0;
  if (exponent == 0x1F) {
    v = mantissa == 0 ? std::numeric_limits<double>::infinity()
                      : std::numeric_limits<double>::quiet_NaN();
  } else if (exponent == 0) {
    v = std::ldexp(static_cast<double>(mantissa), -24);
  } else {
    v = std::ldexp(static_cast<double>(mantissa | 0x400U), static_cast<int>(exponent) - 25);
  }
  return negative ? -v : v;
}

double bfloat16_to_double(std::uint16_t bits) noexcept {
  const std::uint32_t f = static_cast<std::uint32_t>(bits) << 16U;
  return static_cast<double>(std::bit_cast<float>(f));
}

namespace {

template <class U>
U load(const std::byte* p, bool swap) noexcept {
  U u;
  std::memcpy(&u, p, sizeof(U));
  if (swap) {
    if constexpr (sizeof(U) == 2) {
      u = static_cast<U>(__builtin_bswap16(u));
    } else if constexpr (sizeof(U) == 4) {
      u = __builtin_bswap32(u);
    } else if constexpr (sizeof(U) == 8) {
      u = __builtin_bswap64(u);
    }
  }
  return u;
}

// One loop per stored type: raw unsigned bits of the element's size, byte-swapped when the
// file is big-endian, then converted.
template <class Bits, class Convert>
void run(const std::byte* p, std::span<double> out, bool swap, Convert convert) noexcept {
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = convert(load<Bits>(p + i * sizeof(Bits), swap));
  }
}

}  // namespace

void decode(const tensors::TensorView& t, std::uint64_t first, std::span<double> out) noexcept {
  const std::byte* p = t.data.data() + first * tensors::dtype_size(t.dtype);
  const bool swap = t.byte_order == ByteOrder::big;
  switch (t.dtype) {
    case DType::f64:
      run<std::uint64_t>(p, out, swap, [](std::uint64_t b) { return std::bit_cast<double>(b); });
      break;
    case DType::f32:
      run<std::uint32_t>(p, out, swap,
                         [](std::uint32_t b) { return static_cast<double>(std::bit_cast<float>(b)); });
      break;
    case DType::f16: run<std::uint16_t>(p, out, swap, half_to_double); break;
    case DType::bf16: run<std::uint16_t>(p, out, swap, bfloat16_to_double); break;
    case DType::i8:
      run<std::uint8_t>(p, out, false, [](std::uint8_t b) {
        return static_cast<double>(static_cast<std::int8_t>(b));
      });
      break;
    case DType::u8:
      run<std::uint8_t>(p, out, false, [](std::uint8_t b) { return static_cast<double>(b); });
      break;
    case DType::boolean:
      run<std::uint8_t>(p, out, false, [](std::uint8_t b) { return b != 0 ? 1.0 : 0.0; });
      break;
    case DType::i16:
      run<std::uint16_t>(p, out, swap, [](std::uint16_t b) {
        return static_cast<double>(static_cast<std::int16_t>(b));
      });
      break;
    case DType::u16:
      run<std::uint16_t>(p, out, swap, [](std::uint16_t b) { return static_cast<double>(b); });
      break;
    case DType::i32:
      run<std::uint32_t>(p, out, swap, [](std::uint32_t b) {
        return static_cast<double>(static_cast<std::int32_t>(b));
      });
      break;
    case DType::u32:
      run<std::uint32_t>(p, out, swap, [](std::uint32_t b) { return static_cast<double>(b); });
      break;
    case DType::i64:
      run<std::uint64_t>(p, out, swap, [](std::uint64_t b) {
        return static_cast<double>(static_cast<std::int64_t>(b));
      });
      break;
    case DType::u64:
      run<std::uint64_t>(p, out, swap, [](std::uint64_t b) { return static_cast<double>(b); });
      break;
  }
}

}  // namespace mlstack::compare

namespace mlstack::compare {

void decode_integers(const tensors::TensorView& t, std::uint64_t first,
                     std::span<ExactInteger> out) noexcept {
  const std::size_t size = tensors::dtype_size(t.dtype);
  const std::byte* p = t.data.data() + first * size;
  const bool swap = t.byte_order == ByteOrder::big;
  auto signed_value = [](std::int64_t v) {
    return ExactInteger{static_cast<std::uint64_t>(v), v < 0};
  };
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::byte* q = p + i * size;
    switch (t.dtype) {
      case DType::i8: out[i] = signed_value(static_cast<std::int8_t>(load<std::uint8_t>(q, false))); break;
      case DType::i16: out[i] = signed_value(static_cast<std::int16_t>(load<std::uint16_t>(q, swap))); break;
      case DType::i32: out[i] = signed_value(static_cast<std::int32_t>(load<std::uint32_t>(q, swap))); break;
      case DType::i64: out[i] = signed_value(static_cast<std::int64_t>(load<std::uint64_t>(q, swap))); break;
      case DType::u8: out[i] = {load<std::uint8_t>(q, false), false}; break;
      case DType::boolean: out[i] = {load<std::uint8_t>(q, false) != 0 ? 1U : 0U, false}; break;
      case DType::u16: out[i] = {load<std::uint16_t>(q, swap), false}; break;
      case DType::u32: out[i] = {load<std::uint32_t>(q, swap), false}; break;
      case DType::u64: out[i] = {load<std::uint64_t>(q, swap), false}; break;
      default: out[i] = {}; break;
    }
  }
}

}  // namespace mlstack::compare
