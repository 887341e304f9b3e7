// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/tensors/tensor.hpp"

#include <optional>

/// The floating-point types the references compute in, emulated on doubles: every value of
/// float16, bfloat16 and float32 is a double, and one operation on two of them, rounded once
/// to the type (round to nearest, ties to even), gives the bits the reference's own operation
/// gives (numpy's half ufuncs and ml_dtypes' bfloat16 ufuncs compute in float and round the
/// result; the product or difference of two such values is exact in double, so rounding it
/// once is rounding the float result).
namespace mlstack::compare {

/// `x` rounded to `t` (a floating dtype): overflow to ±inf, gradual underflow to subnormals.
/// f64 is `x` itself.
[[nodiscard]] double round_to(tensors::DType t, double x) noexcept;

/// numpy's result type of two arrays (NEP 50 promotion for the types mlstack reads; ml_dtypes'
/// bfloat16 with float16 promotes to float32). Integers with floats follow numpy's table:
/// 8-bit integers keep float16, 16-bit need float32, 32- and 64-bit need float64.
[[nodiscard]] tensors::DType numpy_promote(tensors::DType a, tensors::DType b) noexcept;

/// `numpy.result_type(t, 1.0)`: `t` when floating, else float64.
[[nodiscard]] tensors::DType numpy_inexact(tensors::DType t) noexcept;

/// `torch.promote_types` for two floating or mixed types (an integer with a float gives the
/// float; float16 with bfloat16 gives float32); two integer types give nullopt (compared as
/// integers).
[[nodiscard]] std::optional<tensors::DType> torch_float_promote(tensors::DType a,
                                                                tensors::DType b) noexcept;

}  // namespace mlstack::compare
