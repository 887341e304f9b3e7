// SPDX-License-Identifier: MIT
// The engine and its kernels: the SIMD kernel against the scalar one on every floating dtype
// pair and rule, medians of tensors too large to keep every error (the sampled bracket, and
// the counting passes when the kept values overflow), the independence from the number of
// threads, and Fortran order against C order.
#include "mlstack/compare/arithmetic.hpp"
#include "mlstack/compare/compare.hpp"
#include "mlstack/compare/decode.hpp"
#include "mlstack/compare/kernel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace mlstack::compare {
namespace {

using tensors::DType;
using tensors::TensorView;

// Bytes of `values` stored as `t` (rounded to it: the values are what the tensor holds).
std::vector<std::byte> store(DType t, const std::vector<double>& values) {
  std::vector<std::byte> out(values.size() * tensors::dtype_size(t));
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    std::byte* p = out.data() + i * tensors::dtype_size(t);
    switch (t) {
      case DType::f64: std::memcpy(p, &v, 8); break;
      case DType::f32: {
        const auto f = static_cast<float>(v);
        std::memcpy(p, &f, 4);
        break;
      }
      case DType::bf16: {
        const auto f = static_cast<float>(round_to(DType::bf16, v));
        const auto bits = static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(f) >> 16U);
        std::memcpy(p, &bits, 2);
        break;
      }
      case DType::f16: {
        // Find the float16 bits whose value is v rounded to float16 (65,536 candidates,
        // searched once per distinct value through a map would be faster; the tests are small).
        const double r = round_to(DType::f16, v);
        std::uint16_t bits = 0;
        if (std::isnan(r)) {
          bits = 0x7E00;
        } else {
          const bool neg = std::signbit(r);
          std::uint16_t lo = 0;
          std::uint16_t hi = 0x7C00;
          const double m = std::fabs(r);
          while (lo < hi) {  // float16 bits of non-negative values order as the values
            const auto mid = static_cast<std::uint16_t>((lo + hi) / 2);
            if (half_to_double(mid) < m) {
              lo = static_cast<std::uint16_t>(mid + 1);
            } else {
              hi = mid;
            }
          }
          bits = static_cast<std::uint16_t>(lo | (neg ? 0x8000U : 0U));
        }
        std::memcpy(p, &bits, 2);
        break;
      }
      default: break;
    }
  }
  return out;
}

TensorView view(DType t, const std::vector<std::byte>& bytes, std::vector<std::uint64_t> shape,
                tensors::Layout layout = tensors::Layout::c) {
  TensorView v;
  v.dtype = t;
  v.layout = layout;
  v.element_count = 1;
  for (const auto d : shape) {
    v.element_count *= d;
  }
  v.shape = std::move(shape);
  v.data = bytes;
  return v;
}

// Values near each other, on and around tolerance boundaries, with NaN, Inf, zeros,
// subnormals and exact ties.
std::pair<std::vector<double>, std::vector<double>> pair_values(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> pick(0, 99);
  std::vector<double> a(n);
  std::vector<double> b(n);
  const double specials[] = {0.0, -0.0, std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN(), 5e-324, 1e-40, 65504.0};
  for (std::size_t i = 0; i < n; ++i) {
    const double x = normal(rng) * std::pow(10.0, pick(rng) % 7 - 3);
    const int k = pick(rng);
    double y = x * (1 + normal(rng) * std::pow(10.0, -(pick(rng) % 9)));
    if (k < 10) {
      y = x;
    } else if (k < 14) {
      y = specials[static_cast<std::size_t>(pick(rng)) % std::size(specials)];
    }
    a[i] = x;
    b[i] = (k >= 14 && k < 18) ? specials[static_cast<std::size_t>(pick(rng)) % std::size(specials)] : y;
  }
  return {a, b};
}

// `mean_tol`: the relative difference allowed in the means, whose sums are added in different
// orders (the reference adds 2 million terms one after the other: ~1e-10 of rounding).
void expect_same_stats(const Stats& s, const Stats& r, double mean_tol = 1e-12) {
  EXPECT_EQ(s.mismatches, r.mismatches);
  EXPECT_EQ(s.nan_mismatches, r.nan_mismatches);
  EXPECT_EQ(s.inf_mismatches, r.inf_mismatches);
  EXPECT_EQ(s.finite_pairs, r.finite_pairs);
  EXPECT_EQ(s.max_abs_error, r.max_abs_error);
  EXPECT_EQ(s.max_rel_error, r.max_rel_error);
  EXPECT_EQ(s.median_abs_error, r.median_abs_error);
  EXPECT_EQ(s.median_rel_error, r.median_rel_error);
  EXPECT_EQ(s.histogram, r.histogram);
  EXPECT_EQ(s.worst_index, r.worst_index);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(s.worst_a), std::bit_cast<std::uint64_t>(r.worst_a));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(s.worst_b), std::bit_cast<std::uint64_t>(r.worst_b));
  const double tol = mean_tol;
  EXPECT_NEAR(s.mean_abs_error, r.mean_abs_error, tol * std::fabs(r.mean_abs_error));
  if (std::isfinite(r.mean_rel_error)) {
    EXPECT_NEAR(s.mean_rel_error, r.mean_rel_error, tol * std::fabs(r.mean_rel_error));
  } else {
    EXPECT_EQ(s.mean_rel_error, r.mean_rel_error);
  }
  ASSERT_EQ(s.cosine_similarity.has_value(), r.cosine_similarity.has_value());
  if (r.cosine_similarity) {
    EXPECT_NEAR(*s.cosine_similarity, *r.cosine_similarity, tol);
  }
}

// The scalar kernel's answer: every element through detail::scalar_element, all kept.
Stats scalar_reference(const TensorView& a, const TensorView& b, const Options& o) {
  const auto t = o.tolerance.value_or(default_tolerance(o.semantics, a.dtype, b.dtype));
  auto c = detail::make_context(make_rule(o.semantics, a.dtype, b.dtype, t), a.dtype, b.dtype);
  detail::Partial p;
  std::vector<double> xs(a.element_count);
  std::vector<double> ys(a.element_count);
  decode(a, 0, xs);
  decode(b, 0, ys);
  std::vector<double> abs;
  std::vector<double> rel;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    detail::scalar_element(c, p, i, xs[i], ys[i], is_close(c.rule, xs[i], ys[i]));
    if (std::isfinite(xs[i]) && std::isfinite(ys[i])) {
      const double e = std::fabs(xs[i] - ys[i]);
      abs.push_back(e);
      rel.push_back(e == 0 ? 0.0 : e / std::fabs(ys[i]));
    }
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) {
      return 0.0;
    }
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  };
  Stats s;
  s.mismatches = p.mismatches;
  s.nan_mismatches = p.nan_mismatches;
  s.inf_mismatches = p.inf_mismatches;
  s.finite_pairs = p.finite_pairs;
  s.max_abs_error = p.max_abs;
  s.max_rel_error = p.max_rel;
  s.histogram = p.histogram;
  if (p.finite_pairs > 0) {
    s.mean_abs_error = p.sum_abs / static_cast<double>(p.finite_pairs);
    s.mean_rel_error = p.sum_rel / static_cast<double>(p.finite_pairs);
    if (p.norm_a > 0 && p.norm_b > 0) {
      s.cosine_similarity = p.dot / std::sqrt(p.norm_a * p.norm_b);
    }
  }
  s.median_abs_error = median(abs);
  s.median_rel_error = median(rel);
  if (p.worst_error > 0) {
    s.worst_index = std::vector<std::uint64_t>{p.worst_c};
    s.worst_a = p.worst_a;
    s.worst_b = p.worst_b;
  } else if (p.mismatches > 0) {
    s.worst_index = std::vector<std::uint64_t>{p.first_mismatch_c};
    s.worst_a = p.first_mismatch_a;
    s.worst_b = p.first_mismatch_b;
  }
  return s;
}

TEST(CompareEngine, SimdKernelAgreesWithTheScalarKernel) {
  SCOPED_TRACE(std::string("SIMD target ") + simd_target());
  const DType floats[] = {DType::f64, DType::f32, DType::bf16, DType::f16};
  unsigned seed = 1;
  for (const auto ta : floats) {
    for (const auto tb : floats) {
      for (const auto sem : {Semantics::numpy, Semantics::torch, Semantics::polygraphy}) {
        for (const bool equal_nan : {false, true}) {
          SCOPED_TRACE(std::string(tensors::dtype_name(ta)) + " vs " +
                       std::string(tensors::dtype_name(tb)) + " semantics " +
                       std::to_string(static_cast<int>(sem)) + (equal_nan ? " equal_nan" : ""));
          const auto [x, y] = pair_values(1003, seed++);
          const auto bx = store(ta, x);
          const auto by = store(tb, y);
          const auto a = view(ta, bx, {1003});
          const auto b = view(tb, by, {1003});
          Options o;
          o.semantics = sem;
          auto t = default_tolerance(sem, ta, tb);
          t.rtol = std::max(t.rtol, 1e-4);
          t.atol = std::max(t.atol, 1e-6);
          t.equal_nan = equal_nan ? EqualNan::yes : EqualNan::no;
          o.tolerance = t;
          const auto r = compare_tensors(a, b, o);
          expect_same_stats(r.stats, scalar_reference(a, b, o));
          // The verdicts, element by element, against the scalar rule's mask.
          const auto mask = close_mask(a, b, o);
          EXPECT_EQ(r.stats.mismatches,
                    static_cast<std::uint64_t>(std::count(mask.begin(), mask.end(), 0)));
        }
      }
    }
  }
}

// A tensor past the size whose errors are all kept: the medians come from the sampled
// bracket; with a tiny budget, from the counting passes. Both exact.
TEST(CompareEngine, MediansOfLargeTensorsAreExact) {
  const std::size_t n = (std::size_t{1} << 20) + 12345;
  struct Shape {
    const char* what;
    std::vector<double> a;
    std::vector<double> b;
  };
  std::vector<Shape> shapes;
  {
    auto [x, y] = pair_values(n, 7);
    shapes.push_back({"mixed", std::move(x), std::move(y)});
  }
  {
    // Mostly exact ties (identical outputs), a few differences.
    std::vector<double> x(n);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = static_cast<double>(i % 1000) * 0.25;
      y[i] = i % 97 == 0 ? x[i] + 1e-3 : x[i];
    }
    shapes.push_back({"ties", std::move(x), std::move(y)});
  }
  {
    // Errors periodic in the index (a pattern a strided sample could alias with).
    std::vector<double> x(n);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = 1.0;
      y[i] = 1.0 + static_cast<double>(i % 4096) * 1e-9;
    }
    shapes.push_back({"periodic", std::move(x), std::move(y)});
  }
  for (const auto& s : shapes) {
    SCOPED_TRACE(s.what);
    const auto bx = store(DType::f64, s.a);
    const auto by = store(DType::f64, s.b);
    const auto a = view(DType::f64, bx, {n});
    const auto b = view(DType::f64, by, {n});
    const auto expected = scalar_reference(a, b, Options{});
    expect_same_stats(compare_tensors(a, b, Options{}).stats, expected, 1e-10);
    const auto old = detail::set_keep_budget(4096);
    expect_same_stats(compare_tensors(a, b, Options{}).stats, expected, 1e-10);
    detail::set_keep_budget(old);
  }
}

TEST(CompareEngine, ResultsDoNotDependOnTheThreads) {
  const std::size_t n = 3'000'000;
  const auto [x, y] = pair_values(n, 11);
  const auto bx = store(DType::f32, x);
  const auto by = store(DType::f32, y);
  const auto a = view(DType::f32, bx, {n});
  const auto b = view(DType::f32, by, {n});
  Options one;
  one.threads = 1;
  Options four;
  four.threads = 4;
  const auto r1 = compare_tensors(a, b, one).stats;
  const auto r4 = compare_tensors(a, b, four).stats;
  expect_same_stats(r4, r1);
  // Bit for bit: chunks are merged in order whatever thread ran them.
  EXPECT_EQ(r4.mean_abs_error, r1.mean_abs_error);
  EXPECT_EQ(r4.cosine_similarity, r1.cosine_similarity);
}

TEST(CompareEngine, FortranOrderMatchesCOrder) {
  // The same 3-d tensor stored in C order and in Fortran order: every statistic, and the
  // worst element's coordinate, are the same; a C tensor against a Fortran one agrees.
  const std::vector<std::uint64_t> shape{37, 5, 61};
  const std::size_t n = 37 * 5 * 61;
  const auto [x, y] = pair_values(n, 5);
  auto fortran = [&](const std::vector<double>& c) {
    std::vector<double> f(n);
    for (std::size_t i = 0; i < 37; ++i) {
      for (std::size_t j = 0; j < 5; ++j) {
        for (std::size_t k = 0; k < 61; ++k) {
          f[i + 37 * (j + 5 * k)] = c[(i * 5 + j) * 61 + k];
        }
      }
    }
    return f;
  };
  const auto cx = store(DType::f32, x);
  const auto cy = store(DType::f32, y);
  const auto fx = store(DType::f32, fortran(x));
  const auto fy = store(DType::f32, fortran(y));
  const auto c_a = view(DType::f32, cx, shape);
  const auto c_b = view(DType::f32, cy, shape);
  const auto f_a = view(DType::f32, fx, shape, tensors::Layout::fortran);
  const auto f_b = view(DType::f32, fy, shape, tensors::Layout::fortran);
  const auto want = compare_tensors(c_a, c_b, Options{}).stats;
  expect_same_stats(compare_tensors(f_a, f_b, Options{}).stats, want);
  expect_same_stats(compare_tensors(c_a, f_b, Options{}).stats, want);
  expect_same_stats(compare_tensors(f_a, c_b, Options{}).stats, want);
  const auto self = compare_tensors(c_a, f_a, Options{});
  EXPECT_EQ(self.outcome, Outcome::agree);
  EXPECT_EQ(self.stats.max_abs_error, 0.0);
}

TEST(CompareEngine, EmptyTensorsInEitherOrder) {
  // A zero dimension: nothing to walk (the fuzz target found the odometer dividing by it).
  const std::vector<std::byte> none;
  const auto c = view(DType::f32, none, {2, 0, 3});
  const auto f = view(DType::f32, none, {2, 0, 3}, tensors::Layout::fortran);
  EXPECT_TRUE(close_mask(c, f, Options{}).empty());
  EXPECT_TRUE(close_mask(f, c, Options{}).empty());
  const auto r = compare_tensors(f, c, Options{});
  EXPECT_EQ(r.outcome, Outcome::agree);
  EXPECT_EQ(r.stats.elements, 0U);
}

}  // namespace
}  // namespace mlstack::compare
