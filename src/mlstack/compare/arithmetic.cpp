// SPDX-License-Identifier: MIT
#include "mlstack/compare/arithmetic.hpp"

#include <cmath>
#include <limits>

namespace mlstack::compare {

using tensors::DType;

namespace {

// Rounds to a binary format with `precision` significand bits (the leading one included),
// smallest normal exponent `emin` and largest finite value `max_finite`.
double round_format(double x, int precision, int emin, double max_finite) noexcept {
  if (!std::isfinite(x) || x == 0.0) {
    return x;
  }
  int e = 0;
  (void)std::frexp(x, &e);  // |x| = m * 2^e, 0.5 <= m < 1: the leading bit is 2^(e-1)
  const int exponent = std::max(e - 1, emin);
  const double quantum = std::ldexp(1.0, exponent - (precision - 1));
  // x / quantum is exact (a power of two); nearbyint rounds ties to even in the default mode.
  const double r = std::nearbyint(x / quantum) * quantum;
  if (std::fabs(r) > max_finite) {
    return std::copysign(std::numeric_limits<double>::infinity(), x);
  }
  return r;
}

int float_rank(DType t) noexcept {
  switch (t) {
    case DType::f16:
    case DType::bf16: return 1;
    case DType::f32: return 2;
    default: return 3;
  }
}

// numpy: the smallest float that holds every value of an integer type, by its size.
DType float_for_integer(DType t) noexcept {
  switch (tensors::dtype_size(t)) {
    case 1: return DType::f16;
    case 2: return DType::f32;
    default: return DType::f64;
  }
}

// Two floating types, as numpy and torch both promote them: the wider; float16 with bfloat16
// is float32.
DType promote_floats(DType a, DType b) noexcept {
  if (a == b) {
    return a;
  }
  const int ra = float_rank(a);
  const int rb = float_rank(b);
  if (ra == rb) {
    return DType::f32;
  }
  return ra > rb ? a : b;
}

}  // namespace

double round_to(DType t, double x) noexcept {
  switch (t) {
    case DType::f32: return static_cast<double>(static_cast<float>(x));
    case DType::f16: return round_format(x, 11, -14, 65504.0);
    case DType::bf16: return round_format(x, 8, -126, 3.3895313892515355e38);
    default: return x;
  }
}

DType numpy_inexact(DType t) noexcept {
  return tensors::is_floating(t) ? t : DType::f64;
}

DType numpy_promote(DType a, DType b) noexcept {
  const bool fa = tensors::is_floating(a);
  const bool fb = tensors::is_floating(b);
  if (fa && fb) {
    return promote_floats(a, b);
  }
  if (!fa && !fb) {
    return DType::f64;  // not used by isclose: y is made inexact first
  }
  const DType f = fa ? a : b;
  const DType i = fa ? b : a;
  if (i == DType::boolean) {
    return f;
  }
  const DType need = float_for_integer(i);
  return float_rank(need) > float_rank(f) ? need : (f == DType::bf16 && need == DType::f16 ? DType::f32 : f);
}

std::optional<DType> torch_float_promote(DType a, DType b) noexcept {
  const bool fa = tensors::is_floating(a);
  const bool fb = tensors::is_floating(b);
  if (!fa && !fb) {
    return std::nullopt;
  }
  if (fa && fb) {
    return promote_floats(a, b);
  }
  return fa ? a : b;
}

}  // namespace mlstack::compare
