// SPDX-License-Identifier: MIT
// The three references' closeness rules, element by element (formulas and sources:
// docs/compare.md). The kernels (kernel_simd.cpp) compute the same verdicts on vectors; the
// scalar rule here is what the tails, the generic path and the tests use.
#include "mlstack/compare/compare.hpp"

#include "mlstack/compare/arithmetic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace mlstack::compare {

using tensors::DType;

namespace {

constexpr double k_polygraphy_epsilon = 2.220446049250313e-16;

bool is_integer_like(DType t) { return !tensors::is_floating(t); }

// (rtol, atol) of torch.testing._comparison._DTYPE_PRECISIONS; other dtypes (0, 0).
std::pair<double, double> torch_precision(DType t) {
  switch (t) {
    case DType::f16: return {0.001, 1e-5};
    case DType::bf16: return {0.016, 1e-5};
    case DType::f32: return {1.3e-6, 1e-5};
    case DType::f64: return {1e-7, 1e-7};
    default: return {0.0, 0.0};
  }
}

}  // namespace

Tolerance default_tolerance(Semantics s, DType a, DType b) noexcept {
  switch (s) {
    case Semantics::numpy: return {1e-5, 1e-8, EqualNan::no};
    case Semantics::polygraphy: return {1e-5, 1e-5, EqualNan::no};
    case Semantics::torch: {
      const auto [ra, aa] = torch_precision(a);
      const auto [rb, ab] = torch_precision(b);
      return {std::max(ra, rb), std::max(aa, ab), EqualNan::no};
    }
  }
  return {};
}

DType compute_dtype(Semantics s, DType a, DType b) noexcept {
  switch (s) {
    case Semantics::numpy: return numpy_promote(a, numpy_inexact(b));
    case Semantics::torch: return torch_float_promote(a, b).value_or(DType::f64);
    case Semantics::polygraphy: {
      // comparator/util.py cast_up: float16 to float32; integers are widened (computed here
      // in float64: Polygraphy subtracts int64s in int64, which can wrap).
      auto up = [](DType t) { return t == DType::f16 ? DType::f32 : t; };
      const DType ua = up(a);
      const DType ub = up(b);
      if (is_integer_like(ua) && is_integer_like(ub)) {
        return DType::f64;
      }
      return numpy_promote(ua, ub);
    }
  }
  return DType::f64;
}

Rule make_rule(Semantics s, DType a, DType b, const Tolerance& t) noexcept {
  Rule r;
  r.semantics = s;
  r.tolerance = t;
  r.compute = compute_dtype(s, a, b);
  r.threshold = s == Semantics::numpy ? numpy_inexact(b) : r.compute;
  if (s == Semantics::torch && !torch_float_promote(a, b)) {
    r.threshold = DType::f32;  // marks an integer pair: its errors are computed in float32
  }
  return r;
}

bool is_close(const Rule& rule, double a, double b, std::optional<bool> equal) noexcept {
  const Tolerance& t = rule.tolerance;
  const DType d = rule.compute;
  const bool equal_nan = t.equal_nan == EqualNan::yes;
  switch (rule.semantics) {
    case Semantics::numpy: {
      // numeric.py isclose: y = asanyarray(y, result_type(y, 1.)); then in the promoted dtype
      //   less_equal(abs(x - y), atol + rtol * abs(y)) & isfinite(y) | (x == y)
      // rtol and atol are Python floats: NEP 50 casts them to the dtype of the array they
      // meet, y's (result_type(y, 1.)), so the threshold is computed in y's dtype, and the
      // difference in the promotion of x's and y's.
      const DType dy = rule.threshold;
      const double x = round_to(d, a);
      const double y = round_to(dy, b);
      const double diff = std::fabs(round_to(d, x - y));
      const double threshold =
          round_to(dy, round_to(dy, t.atol) + round_to(dy, round_to(dy, t.rtol) * std::fabs(y)));
      bool close = (diff <= threshold && std::isfinite(y)) || x == y;
      if (equal_nan && std::isnan(x) && std::isnan(y)) {
        close = true;
      }
      return close;
    }
    case Semantics::torch: {
      // aten/src/ATen/native/TensorCompare.cpp isclose:
      //   close = self == other; if equal_nan: close |= isnan(self) & isnan(other)
      //   if rtol == 0 && atol == 0: return close
      //   allowed = atol + (rtol * other).abs(); actual = (self - other).abs()
      //   close |= isfinite(actual) & (actual <= allowed)
      // On CPU a Python scalar enters a float16/bfloat16 op in float (opmath), others in
      // the tensor's dtype.
      // Integer (and bool) tensors: equality on the integers, the errors in the default
      // dtype, float32 ("cast_other = other.to(get_default_dtype())").
      const bool integers = rule.threshold != d;
      const DType e = integers ? DType::f32 : d;
      bool close = equal.value_or(round_to(d, a) == round_to(d, b)) ||
                   (equal_nan && std::isnan(a) && std::isnan(b));
      if (t.rtol == 0 && t.atol == 0) {
        return close;
      }
      const double x = round_to(e, a);
      const double y = round_to(e, b);
      const DType scalar = e == DType::f16 || e == DType::bf16 ? DType::f32 : e;
      const double allowed =
          round_to(e, round_to(scalar, t.atol) +
                          std::fabs(round_to(e, round_to(scalar, t.rtol) * y)));
      const double actual = std::fabs(round_to(e, x - y));
      return close || (std::isfinite(actual) && actual <= allowed);
    }
    case Semantics::polygraphy: {
      // comparator/compare.py check_outputs_match, elemwise:
      //   absdiff = abs(cast_up(out0) - cast_up(out1)); out1 == 0 -> out1 + 2.22e-16
      //   reldiff = absdiff / abs(out1); mismatch = (absdiff > atol | isnan(absdiff)) &
      //                                             (reldiff > rtol | isnan(reldiff))
      const double x = round_to(d, a);
      const double y = round_to(d, b);
      const double absdiff = std::fabs(round_to(d, x - y));
      const double y_eps = y == 0 ? round_to(d, y + round_to(d, k_polygraphy_epsilon)) : y;
      const double reldiff = round_to(d, absdiff / std::fabs(y_eps));
      const bool abs_fails = absdiff > round_to(d, t.atol) || std::isnan(absdiff);
      const bool rel_fails = reldiff > round_to(d, t.rtol) || std::isnan(reldiff);
      return !(abs_fails && rel_fails);
    }
  }
  return false;
}

std::string histogram_label(std::size_t bin) {
  if (bin == 0) {
    return "0";
  }
  if (bin == k_histogram_bins - 1) {
    return "> 1";
  }
  if (bin == 1) {
    return "(0, 1e-8]";
  }
  const int hi = static_cast<int>(bin) - 9;  // bin 2: (1e-8, 1e-7]
  return fmt::format("(1e{}, 1e{}]", hi - 1, hi);
}

}  // namespace mlstack::compare
