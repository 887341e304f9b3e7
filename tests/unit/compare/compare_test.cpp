// SPDX-License-Identifier: MIT
// compare's rules on hand-picked values: the edge cases docs/compare.md names.
#include "mlstack/compare/arithmetic.hpp"
#include "mlstack/compare/compare.hpp"
#include "mlstack/compare/decode.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace mlstack::compare {
namespace {

using tensors::DType;
constexpr double k_inf = std::numeric_limits<double>::infinity();
constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

tensors::TensorView f64_view(const std::vector<double>& v, std::vector<std::uint64_t> shape) {
  tensors::TensorView t;
  t.dtype = DType::f64;
  t.shape = std::move(shape);
  t.element_count = v.size();
  t.data = std::as_bytes(std::span(v));
  return t;
}

TEST(CompareIsClose, NumpyRulesForSpecialValues) {
  const Tolerance t{1e-5, 1e-8, EqualNan::no};
  const Tolerance tn{1e-5, 1e-8, EqualNan::yes};
  struct Case {
    double a, b;
    bool close, close_equal_nan;
  };
  const Case cases[] = {
      {k_nan, k_nan, false, true},   {k_nan, 1.0, false, false},
      {k_inf, k_inf, true, true},    {k_inf, -k_inf, false, false},
      {1.0, k_inf, false, false},    {0.0, -0.0, true, true},
      {1.0, 1.0 + 1e-5, true, true}, {1.0, 1.0 + 2e-5, false, false},
      {1e-9, 0.0, true, true},       {4.9e-324, 0.0, true, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.a) + " vs " + std::to_string(c.b));
    EXPECT_EQ(is_close(make_rule(Semantics::numpy, DType::f64, DType::f64, t), c.a, c.b), c.close);
    EXPECT_EQ(is_close(make_rule(Semantics::numpy, DType::f64, DType::f64, tn), c.a, c.b), c.close_equal_nan);
  }
}

TEST(CompareIsClose, PolygraphyFailsOnlyPastBothTolerances) {
  const Tolerance t{1e-3, 1e-3, EqualNan::no};
  // Absolute error 0.5 (past atol) but relative 5e-4 (within rtol): passes.
  EXPECT_TRUE(is_close(make_rule(Semantics::polygraphy, DType::f64, DType::f64, t), 1000.5, 1000.0));
  // Both past: fails. Against 0, the relative error uses 2.22e-16.
  EXPECT_FALSE(is_close(make_rule(Semantics::polygraphy, DType::f64, DType::f64, t), 0.5, 0.0));
  EXPECT_TRUE(is_close(make_rule(Semantics::polygraphy, DType::f64, DType::f64, t), 1e-4, 0.0));
  // Equal infinities: inf - inf is NaN, which fails (infinities_compare_equal=False).
  EXPECT_FALSE(is_close(make_rule(Semantics::polygraphy, DType::f64, DType::f64, t), k_inf, k_inf));
}

TEST(CompareDefaults, TorchTakesTheLooserDtype) {
  const auto t = default_tolerance(Semantics::torch, DType::f16, DType::f32);
  EXPECT_EQ(t.rtol, 0.001);
  EXPECT_EQ(t.atol, 1e-5);
  const auto i = default_tolerance(Semantics::torch, DType::i64, DType::i64);
  EXPECT_EQ(i.rtol, 0.0);
  EXPECT_EQ(i.atol, 0.0);
  EXPECT_EQ(default_tolerance(Semantics::polygraphy, DType::f32, DType::f32).atol, 1e-5);
}

TEST(CompareArithmetic, RoundsLikeTheNarrowTypes) {
  EXPECT_EQ(round_to(DType::f16, 65519.0), 65504.0);
  EXPECT_EQ(round_to(DType::f16, 65520.0), k_inf);
  EXPECT_EQ(round_to(DType::f16, 1e-8), 0.0);                  // below half a subnormal
  EXPECT_EQ(round_to(DType::f16, 1e-5), 168.0 * std::ldexp(1.0, -24));
  EXPECT_EQ(round_to(DType::bf16, 1.00390625), 1.0);            // a tie, to even
  EXPECT_EQ(round_to(DType::bf16, 1.01171875), 1.015625);       // a tie, to even (up)
  EXPECT_EQ(half_to_double(0x7C00), k_inf);
  EXPECT_EQ(half_to_double(0x0001), std::ldexp(1.0, -24));
  EXPECT_EQ(half_to_double(0xC000), -2.0);
  EXPECT_EQ(bfloat16_to_double(0x3F80), 1.0);
  EXPECT_TRUE(std::isnan(bfloat16_to_double(0x7FC1)));
}

TEST(CompareTensors, StatisticsWorstIndexAndHistogram) {
  const std::vector<double> a{1.0, 2.0, 3.0, 4.5, k_nan, 6.0};
  const std::vector<double> b{1.0, 2.0, 3.1, 4.0, 5.0, k_inf};
  Options o;
  const auto r = compare_tensors(f64_view(a, {2, 3}), f64_view(b, {2, 3}), o);
  EXPECT_EQ(r.outcome, Outcome::values_differ);
  EXPECT_EQ(r.stats.elements, 6U);
  EXPECT_EQ(r.stats.finite_pairs, 4U);
  EXPECT_EQ(r.stats.mismatches, 4U);
  EXPECT_EQ(r.stats.nan_mismatches, 1U);
  EXPECT_EQ(r.stats.inf_mismatches, 1U);
  EXPECT_EQ(r.stats.max_abs_error, 0.5);
  EXPECT_EQ(r.stats.worst_index, (std::vector<std::uint64_t>{1, 0}));
  EXPECT_EQ(r.stats.worst_a, 4.5);
  EXPECT_EQ(r.stats.histogram[0], 2U);  // two exact
  EXPECT_EQ(r.stats.histogram[9], 2U);  // 0.1 (as 3.1 - 3.0 rounds) and 0.5 in (1e-1, 1]
  EXPECT_EQ(histogram_label(2), "(1e-8, 1e-7]");
}

TEST(CompareTensors, ShapesMustBeEqualNoBroadcasting) {
  const std::vector<double> a{1.0};
  const auto r = compare_tensors(f64_view(a, {1}), f64_view(a, {}), Options{});
  EXPECT_EQ(r.outcome, Outcome::shape_differs);
}

TEST(CompareTensors, FortranAgainstCOrder) {
  // The same 2x3 matrix, stored column-major in a and row-major in b.
  const std::vector<double> f{1, 4, 2, 5, 3, 6};
  const std::vector<double> c{1, 2, 3, 4, 5, 7};
  auto a = f64_view(f, {2, 3});
  a.layout = tensors::Layout::fortran;
  const auto r = compare_tensors(a, f64_view(c, {2, 3}), Options{});
  EXPECT_EQ(r.stats.mismatches, 1U);
  EXPECT_EQ(r.stats.worst_index, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(r.stats.worst_b, 7.0);
}

}  // namespace
}  // namespace mlstack::compare
