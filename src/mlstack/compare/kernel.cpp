// SPDX-License-Identifier: MIT
// The scalar kernel (kernel.hpp): one element at a time, for every dtype and layout, and for
// the SIMD kernel's tails and non-finite lanes.
#include "mlstack/compare/kernel.hpp"

#include "mlstack/compare/arithmetic.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace mlstack::compare::detail {

using tensors::DType;

void Keep::put(const double* values, std::size_t n) noexcept {
  const std::uint64_t at = used.fetch_add(n);
  if (at + n <= capacity) {
    std::memcpy(data + at, values, n * sizeof(double));
  }
}

void Partial::merge(const Partial& p) noexcept {
  mismatches += p.mismatches;
  nan_mismatches += p.nan_mismatches;
  inf_mismatches += p.inf_mismatches;
  finite_pairs += p.finite_pairs;
  sum_abs += p.sum_abs;
  sum_rel += p.sum_rel;
  dot += p.dot;
  norm_a += p.norm_a;
  norm_b += p.norm_b;
  max_abs = std::max(max_abs, p.max_abs);
  max_rel = std::max(max_rel, p.max_rel);
  if (p.worst_error > 0 &&
      (p.worst_error > worst_error || (p.worst_error == worst_error && p.worst_c < worst_c))) {
    worst_error = p.worst_error;
    worst_c = p.worst_c;
    worst_a = p.worst_a;
    worst_b = p.worst_b;
  }
  if (p.first_mismatch_c < first_mismatch_c) {
    first_mismatch_c = p.first_mismatch_c;
    first_mismatch_a = p.first_mismatch_a;
    first_mismatch_b = p.first_mismatch_b;
  }
  for (std::size_t k = 0; k < histogram.size(); ++k) {
    histogram[k] += p.histogram[k];
  }
  auto add = [](RankCounts& into, const RankCounts& from) {
    into.below += from.below;
    into.eq_lo += from.eq_lo;
    into.inside += from.inside;
    into.eq_hi += from.eq_hi;
  };
  add(abs, p.abs);
  add(rel, p.rel);
}

Context make_context(const Rule& rule, DType a, DType b) {
  Context c;
  c.rule = rule;
  c.a_dtype = a;
  c.b_dtype = b;
  c.equal_nan = rule.tolerance.equal_nan == EqualNan::yes;
  const Tolerance& t = rule.tolerance;
  switch (rule.semantics) {
    case Semantics::numpy:
      c.atol = round_to(rule.threshold, t.atol);
      c.rtol = round_to(rule.threshold, t.rtol);
      break;
    case Semantics::torch: {
      c.exact_integers = !tensors::is_floating(a) && !tensors::is_floating(b);
      const DType e = c.exact_integers ? DType::f32 : rule.compute;
      const DType scalar = e == DType::f16 || e == DType::bf16 ? DType::f32 : e;
      c.atol = round_to(scalar, t.atol);
      c.rtol = round_to(scalar, t.rtol);
      break;
    }
    case Semantics::polygraphy:
      c.atol = round_to(rule.compute, t.atol);
      c.rtol = round_to(rule.compute, t.rtol);
      c.epsilon = round_to(rule.compute, k_polygraphy_epsilon);
      break;
  }
  return c;
}

namespace {

std::size_t histogram_bin(double abs_error) {
  const auto& k_upper = k_histogram_upper;
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

void rank(RankCounts& r, const Bracket& b, Keep* keep, double v) {
  if (v < b.lo) {
    ++r.below;
  } else if (v == b.lo) {
    ++r.eq_lo;
  } else if (v < b.hi) {
    ++r.inside;
    if (keep != nullptr) {
      keep->put(&v, 1);
    }
  } else if (v == b.hi) {
    ++r.eq_hi;
  }
}

}  // namespace

void scalar_stats(const Context& c, Partial& p, std::uint64_t c_index, double x, double y) {
  const bool nan_x = std::isnan(x);
  const bool nan_y = std::isnan(y);
  if (nan_x || nan_y) {
    if (nan_x != nan_y || !c.equal_nan) {
      ++p.nan_mismatches;
    }
    return;
  }
  if (std::isinf(x) || std::isinf(y)) {
    if (x != y) {
      ++p.inf_mismatches;
    }
    return;
  }
  ++p.finite_pairs;
  const double e = std::fabs(x - y);
  const double rel = e == 0 ? 0.0 : e / std::fabs(y);  // Inf when only y is 0
  p.sum_abs += e;
  p.sum_rel += rel;
  p.max_abs = std::max(p.max_abs, e);
  p.max_rel = std::max(p.max_rel, rel);
  p.dot += x * y;
  p.norm_a += x * x;
  p.norm_b += y * y;
  ++p.histogram[histogram_bin(e)];
  if (e > 0 && (e > p.worst_error || (e == p.worst_error && c_index < p.worst_c))) {
    p.worst_error = e;
    p.worst_c = c_index;
    p.worst_a = x;
    p.worst_b = y;
  }
  rank(p.abs, c.abs_bracket, c.keep_abs, e);
  rank(p.rel, c.rel_bracket, c.keep_rel, rel);
}

void scalar_element(const Context& c, Partial& p, std::uint64_t c_index, double x, double y,
                    bool close) {
  if (!close) {
    ++p.mismatches;
    if (c_index < p.first_mismatch_c) {
      p.first_mismatch_c = c_index;
      p.first_mismatch_a = x;
      p.first_mismatch_b = y;
    }
  }
  scalar_stats(c, p, c_index, x, y);
}

}  // namespace mlstack::compare::detail
