// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/tensors/tensor.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

/// Element values widened to double, exactly for every floating type (float16 and bfloat16
/// bits are converted, not rounded) and for integers up to 2^53; 64-bit integers past that are
/// rounded to the nearest double, as numpy casts them.
namespace mlstack::compare {

/// Decodes `out.size()` elements of `t` starting at storage position `first` (the order of the
/// bytes: C or Fortran as `t.layout` says) into `out`. One loop per dtype and byte order over
/// a contiguous block; the block is what a SIMD kernel will take.
void decode(const tensors::TensorView& t, std::uint64_t first, std::span<double> out) noexcept;

/// An integer of any of the integer dtypes, exactly: its sign and its two's complement bits.
struct ExactInteger {
  std::uint64_t bits = 0;
  bool negative = false;
  friend bool operator==(const ExactInteger&, const ExactInteger&) = default;
};

/// The same for an integer or bool tensor, exactly (a double holds integers up to 2^53 only).
void decode_integers(const tensors::TensorView& t, std::uint64_t first,
                     std::span<ExactInteger> out) noexcept;

/// float16 / bfloat16 bits as a double (exact).
[[nodiscard]] double half_to_double(std::uint16_t bits) noexcept;
[[nodiscard]] double bfloat16_to_double(std::uint16_t bits) noexcept;

}  // namespace mlstack::compare
