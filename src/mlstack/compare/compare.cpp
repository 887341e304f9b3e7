// SPDX-License-Identifier: MIT
#include "mlstack/compare/compare.hpp"

#include "mlstack/compare/arithmetic.hpp"
#include "mlstack/compare/decode.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlstack::compare {

using tensors::DType;
using tensors::Layout;
using tensors::TensorView;

namespace {

constexpr std::size_t k_block = 4096;
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

// The position in the other layout of the element at storage position `pos` of `layout`.
std::uint64_t to_other_layout(const std::vector<std::uint64_t>& shape, Layout layout,
                              std::uint64_t pos) {
  const std::size_t n = shape.size();
  std::vector<std::uint64_t> coord(n);
  if (layout == Layout::c) {
    for (std::size_t k = n; k-- > 0;) {
      coord[k] = pos % shape[k];
      pos /= shape[k];
    }
    std::uint64_t out = 0;
    for (std::size_t k = n; k-- > 0;) {
      out = out * shape[k] + coord[k];
    }
    return out;
  }
  for (std::size_t k = 0; k < n; ++k) {
    coord[k] = pos % shape[k];
    pos /= shape[k];
  }
  std::uint64_t out = 0;
  for (std::size_t k = 0; k < n; ++k) {
    out = out * shape[k] + coord[k];
  }
  return out;
}

std::vector<std::uint64_t> unravel_c(const std::vector<std::uint64_t>& shape, std::uint64_t i) {
  std::vector<std::uint64_t> coord(shape.size());
  for (std::size_t k = shape.size(); k-- > 0;) {
    coord[k] = i % shape[k];
    i /= shape[k];
  }
  return coord;
}

std::size_t histogram_bin(double abs_error) {
  static constexpr std::array<double, k_histogram_bins - 2> k_upper{1e-8, 1e-7, 1e-6, 1e-5, 1e-4,
                                                                   1e-3, 1e-2, 1e-1, 1.0};
  if (abs_error == 0) {
    return 0;
  }
  for (std::size_t k = 0; k < k_upper.size(); ++k) {
    if (abs_error <= k_upper[k]) {
      return k + 1;
    }
  }
  return k_histogram_bins - 1;
}

double median(std::vector<double>& v) {
  if (v.empty()) {
    return 0;
  }
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double hi = v[mid];
  if (v.size() % 2 == 1) {
    return hi;
  }
  const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lo + hi) / 2;  // numpy.median: the mean of the two middle values
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

namespace {

// Walks both tensors in `a`'s storage order, a block at a time, calling `visit(c_index_of,
// pos, x, y)` per element; `c_index_of(pos)` gives the element's C-order index.
// For two integer tensors it also passes whether the integers are equal (doubles cannot tell
// past 2^53); otherwise nullopt.
template <class Visit>
void walk(const TensorView& a, const TensorView& b, Visit visit) {
  std::vector<double> xs(k_block);
  std::vector<double> ys(k_block);
  const bool integers = is_integer_like(a.dtype) && is_integer_like(b.dtype);
  std::vector<ExactInteger> ixs(integers ? k_block : 0);
  std::vector<ExactInteger> iys(integers ? k_block : 0);
  const bool same_layout = a.layout == b.layout || a.shape.size() <= 1;
  for (std::uint64_t first = 0; first < a.element_count; first += k_block) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(k_block, a.element_count - first));
    decode(a, first, std::span(xs.data(), n));
    if (integers) {
      decode_integers(a, first, std::span(ixs.data(), n));
    }
    if (same_layout) {
      decode(b, first, std::span(ys.data(), n));
      if (integers) {
        decode_integers(b, first, std::span(iys.data(), n));
      }
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        const auto at = to_other_layout(a.shape, a.layout, first + i);
        decode(b, at, std::span(ys.data() + i, 1));
        if (integers) {
          decode_integers(b, at, std::span(iys.data() + i, 1));
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      visit(first + i, xs[i], ys[i],
            integers ? std::optional<bool>(ixs[i] == iys[i]) : std::nullopt);
    }
  }
}

}  // namespace

TensorComparison compare_tensors(const TensorView& a, const TensorView& b, const Options& options) {
  TensorComparison r;
  r.dtype_differs = a.dtype != b.dtype;
  r.tolerance = options.tolerance.value_or(default_tolerance(options.semantics, a.dtype, b.dtype));
  r.compute_dtype = compute_dtype(options.semantics, a.dtype, b.dtype);
  if (a.shape != b.shape) {
    r.outcome = Outcome::shape_differs;
    return r;
  }
  Stats& s = r.stats;
  s.elements = a.element_count;
  std::vector<double> abs_errors;
  std::vector<double> rel_errors;
  double sum_abs = 0;
  double sum_rel = 0;
  double dot = 0;
  double norm_a = 0;
  double norm_b = 0;
  std::optional<std::uint64_t> worst_c;  // C index of the largest finite error
  double worst_error = -1;
  std::optional<std::uint64_t> first_mismatch_c;
  double first_mismatch_a = 0;
  double first_mismatch_b = 0;
  const bool c_order = a.layout == Layout::c || a.shape.size() <= 1;
  auto c_index = [&](std::uint64_t pos) {
    return c_order ? pos : to_other_layout(a.shape, a.layout, pos);
  };
  const bool equal_nan = r.tolerance.equal_nan == EqualNan::yes;
  const auto rule = make_rule(options.semantics, a.dtype, b.dtype, r.tolerance);
  walk(a, b, [&](std::uint64_t pos, double x, double y, std::optional<bool> equal) {
    const bool close = is_close(rule, x, y, rule.semantics == Semantics::torch ? equal : std::nullopt);
    if (!close) {
      ++s.mismatches;
      const auto ci = c_index(pos);
      if (!first_mismatch_c || ci < *first_mismatch_c) {
        first_mismatch_c = ci;
        first_mismatch_a = x;
        first_mismatch_b = y;
      }
    }
    const bool nan_x = std::isnan(x);
    const bool nan_y = std::isnan(y);
    if (nan_x || nan_y) {
      if (nan_x != nan_y || !equal_nan) {
        ++s.nan_mismatches;
      }
      return;
    }
    if (std::isinf(x) || std::isinf(y)) {
      if (x != y) {
        ++s.inf_mismatches;
      }
      return;
    }
    ++s.finite_pairs;
    const double e = std::fabs(x - y);
    const double rel = y == 0 ? (e == 0 ? 0.0 : std::numeric_limits<double>::infinity())
                              : e / std::fabs(y);
    abs_errors.push_back(e);
    rel_errors.push_back(rel);
    sum_abs += e;
    sum_rel += rel;
    s.max_abs_error = std::max(s.max_abs_error, e);
    s.max_rel_error = std::max(s.max_rel_error, rel);
    dot += x * y;
    norm_a += x * x;
    norm_b += y * y;
    ++s.histogram[histogram_bin(e)];
    if (e > 0 && e >= worst_error) {
      const auto ci = c_index(pos);
      if (e > worst_error || ci < *worst_c) {
        worst_error = e;
        worst_c = ci;
        s.worst_a = x;
        s.worst_b = y;
      }
    }
  });
  if (s.finite_pairs > 0) {
    s.mean_abs_error = sum_abs / static_cast<double>(s.finite_pairs);
    s.mean_rel_error = sum_rel / static_cast<double>(s.finite_pairs);
    s.median_abs_error = median(abs_errors);
    s.median_rel_error = median(rel_errors);
    if (norm_a > 0 && norm_b > 0) {
      s.cosine_similarity = dot / std::sqrt(norm_a * norm_b);
    }
  }
  s.mismatch_fraction =
      s.elements == 0 ? 0.0 : static_cast<double>(s.mismatches) / static_cast<double>(s.elements);
  if (worst_c) {
    s.worst_index = unravel_c(a.shape, *worst_c);
  } else if (first_mismatch_c) {
    s.worst_index = unravel_c(a.shape, *first_mismatch_c);
    s.worst_a = first_mismatch_a;
    s.worst_b = first_mismatch_b;
  }
  r.outcome = s.mismatches == 0 ? Outcome::agree : Outcome::values_differ;
  return r;
}

std::vector<std::uint8_t> close_mask(const TensorView& a, const TensorView& b,
                                     const Options& options) {
  std::vector<std::uint8_t> mask;
  if (a.shape != b.shape) {
    return mask;
  }
  const auto rule = make_rule(options.semantics, a.dtype, b.dtype,
                              options.tolerance.value_or(
                                  default_tolerance(options.semantics, a.dtype, b.dtype)));
  mask.resize(static_cast<std::size_t>(a.element_count));
  const bool c_order = a.layout == Layout::c || a.shape.size() <= 1;
  walk(a, b, [&](std::uint64_t pos, double x, double y, std::optional<bool> equal) {
    const auto ci = c_order ? pos : to_other_layout(a.shape, a.layout, pos);
    const auto exact = rule.semantics == Semantics::torch ? equal : std::nullopt;
    mask[static_cast<std::size_t>(ci)] = is_close(rule, x, y, exact) ? 1 : 0;
  });
  return mask;
}

}  // namespace mlstack::compare
