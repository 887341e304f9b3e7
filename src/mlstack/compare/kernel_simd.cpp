// SPDX-License-Identifier: MIT
// The SIMD kernel of compare (kernel.hpp), written once with Google Highway's portable ops and
// compiled for three targets by foreach_target.h: AVX-512 (AVX3), AVX2 and SSE4 (foreach_target
// also compiles the baseline, Highway's one-lane scalar target, which is not used: a CPU
// without SSE4 runs the scalar kernel of kernel.cpp). Highway's own run-time dispatch lives in libhwy.so,
// which links libstdc++ dynamically (the executable links it statically: cmake/StaticRuntime.cmake),
// so the target is chosen here from the CPU's features (`simd_target`).
//
// Every element is widened to double (exact for the floating dtypes); the reference's
// arithmetic is emulated as rules.cpp does it, each operation on doubles rounded once to the
// dtype the reference computes in (arithmetic.hpp says why this gives the reference's bits):
// float32 by demoting to float and back; bfloat16 by rounding the float's bits to nearest
// even (Highway's bfloat16 DemoteTo truncates); float16 by F16C's conversion (round to nearest
// even), which SSE4 lacks (simd_supports refuses float16 there).
// Highway's debug assertions call hwy::Abort, which lives in libhwy.so: not linked (above).
#ifndef HWY_IS_DEBUG_BUILD
#define HWY_IS_DEBUG_BUILD 0
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "mlstack/compare/kernel_simd.cpp"
#ifndef HWY_TARGETS
#define HWY_TARGETS (HWY_AVX3 | HWY_AVX2 | HWY_SSE4)
#endif
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "mlstack/compare/decode.hpp"
#include "mlstack/compare/kernel.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

HWY_BEFORE_NAMESPACE();
namespace mlstack::compare::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using tensors::DType;

using D = hn::ScalableTag<double>;
using V = hn::Vec<D>;
using M = hn::Mask<D>;
using DI = hn::RebindToSigned<D>;
using VI = hn::Vec<DI>;

// Loads Lanes(d) elements of dtype `t` starting at element `i` of `p`, widened to double.
HWY_INLINE V load(D d, DType t, const std::byte* p, std::uint64_t i) {
  switch (t) {
    case DType::f32: {
      const hn::Rebind<float, D> df;
      return hn::PromoteTo(d, hn::LoadU(df, reinterpret_cast<const float*>(p + i * 4)));
    }
    case DType::bf16: {
      const hn::Rebind<std::uint16_t, D> d16;
      const hn::Rebind<std::uint32_t, D> d32;
      const hn::Rebind<float, D> df;
      const auto bits = hn::PromoteTo(d32, hn::LoadU(d16, reinterpret_cast<const std::uint16_t*>(p + i * 2)));
      return hn::PromoteTo(d, hn::BitCast(df, hn::ShiftLeft<16>(bits)));
    }
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
    case DType::f16: {
      const hn::Rebind<hwy::float16_t, D> dh;
      const hn::Rebind<float, D> df;
      return hn::PromoteTo(
          d, hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::float16_t*>(p + i * 2))));
    }
#endif
    default: return hn::LoadU(d, reinterpret_cast<const double*>(p + i * 8));
  }
}

// `v` rounded once to `t` (round to nearest even; overflow to infinity; gradual underflow).
HWY_INLINE V round_to(D d, DType t, V v) {
  switch (t) {
    case DType::f32: {
      const hn::Rebind<float, D> df;
      return hn::PromoteTo(d, hn::DemoteTo(df, v));
    }
    case DType::bf16: {
      const hn::Rebind<float, D> df;
      const hn::Rebind<std::uint32_t, D> du;
      const auto f = hn::DemoteTo(df, v);
      const auto u = hn::BitCast(du, f);
      const auto odd = hn::And(hn::ShiftRight<16>(u), hn::Set(du, 1U));
      const auto r = hn::And(hn::Add(u, hn::Add(hn::Set(du, 0x7FFFU), odd)), hn::Set(du, 0xFFFF0000U));
      return hn::PromoteTo(d, hn::IfThenElse(hn::IsNaN(f), f, hn::BitCast(df, r)));
    }
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
    case DType::f16: {
      const hn::Rebind<float, D> df;
      const hn::Rebind<hwy::float16_t, D> dh;
      return hn::PromoteTo(d, hn::PromoteTo(df, hn::DemoteTo(dh, hn::DemoteTo(df, v))));
    }
#endif
    default: return v;
  }
}

// The verdicts of one vector (rules.cpp is_close, lane by lane).
HWY_INLINE M close_mask(D d, const Context& c, V x, V y) {
  const Rule& r = c.rule;
  const auto both_nan = hn::And(hn::IsNaN(x), hn::IsNaN(y));
  switch (r.semantics) {
    case Semantics::numpy: {
      const auto diff = hn::Abs(round_to(d, r.compute, hn::Sub(x, y)));
      const auto scaled = round_to(d, r.threshold, hn::Mul(hn::Set(d, c.rtol), hn::Abs(y)));
      const auto threshold = round_to(d, r.threshold, hn::Add(hn::Set(d, c.atol), scaled));
      auto close = hn::Or(hn::And(hn::Le(diff, threshold), hn::IsFinite(y)), hn::Eq(x, y));
      return c.equal_nan ? hn::Or(close, both_nan) : close;
    }
    case Semantics::torch: {
      auto close = hn::Eq(x, y);
      if (c.equal_nan) {
        close = hn::Or(close, both_nan);
      }
      if (r.tolerance.rtol == 0 && r.tolerance.atol == 0) {
        return close;
      }
      const DType e = r.compute;
      const auto scaled = hn::Abs(round_to(d, e, hn::Mul(hn::Set(d, c.rtol), y)));
      const auto allowed = round_to(d, e, hn::Add(hn::Set(d, c.atol), scaled));
      const auto actual = hn::Abs(round_to(d, e, hn::Sub(x, y)));
      return hn::Or(close, hn::And(hn::IsFinite(actual), hn::Le(actual, allowed)));
    }
    case Semantics::polygraphy: {
      const DType t = r.compute;
      const auto absdiff = hn::Abs(round_to(d, t, hn::Sub(x, y)));
      const auto y_eps = hn::IfThenElse(hn::Eq(y, hn::Zero(d)), hn::Set(d, c.epsilon), y);
      const auto reldiff = round_to(d, t, hn::Div(absdiff, hn::Abs(y_eps)));
      const auto abs_fails = hn::Or(hn::Gt(absdiff, hn::Set(d, c.atol)), hn::IsNaN(absdiff));
      const auto rel_fails = hn::Or(hn::Gt(reldiff, hn::Set(d, c.rtol)), hn::IsNaN(reldiff));
      return hn::Not(hn::And(abs_fails, rel_fails));
    }
  }
  return hn::FirstN(d, 0);
}

// One element of dtype `t` at index `i` of `p`, widened to double (machine byte order).
HWY_INLINE double element(DType t, const std::byte* p, std::uint64_t i) {
  switch (t) {
    case DType::f32: {
      float f = 0;
      std::memcpy(&f, p + i * 4, 4);
      return f;
    }
    case DType::bf16:
    case DType::f16: {
      std::uint16_t u = 0;
      std::memcpy(&u, p + i * 2, 2);
      return t == DType::bf16 ? bfloat16_to_double(u) : half_to_double(u);
    }
    default: {
      double v = 0;
      std::memcpy(&v, p + i * 8, 8);
      return v;
    }
  }
}

// Per-lane counters: a mask counted by subtracting its all-ones lanes (-1 as integers).
HWY_INLINE VI count(D d, VI counter, M m) {
  const DI di;
  return hn::Sub(counter, hn::BitCast(di, hn::VecFromMask(d, m)));
}

HWY_INLINE std::uint64_t total(VI v) {
  const DI di;
  return static_cast<std::uint64_t>(hn::GetLane(hn::SumOfLanes(di, v)));
}

struct RankLanes {
  VI below;
  VI eq_lo;
  VI inside;
  VI eq_hi;
};

// Counts `v` (NaN lanes: not a finite pair) against the bracket; keeps the inside values.
HWY_INLINE void rank(D d, RankLanes& lanes, V v, V lo, V hi, double* stage, std::size_t& staged) {
  lanes.below = count(d, lanes.below, hn::Lt(v, lo));
  lanes.eq_lo = count(d, lanes.eq_lo, hn::Eq(v, lo));
  lanes.eq_hi = count(d, lanes.eq_hi, hn::Eq(v, hi));
  const auto in = hn::And(hn::Gt(v, lo), hn::Lt(v, hi));
  if (!hn::AllFalse(d, in)) {
    lanes.inside = count(d, lanes.inside, in);
    staged += hn::CompressStore(v, in, d, stage + staged);
  }
}

void keep(Keep* k, const double* stage, std::size_t staged) {
  if (staged > 0 && k != nullptr) {
    k->put(stage, staged);
  }
}

void Block(const Context& c, Partial& p, const std::byte* pa, const std::byte* pb,
           std::uint64_t first, std::size_t n) {
  const D d;
  const DI di;
  const std::size_t lanes = hn::Lanes(d);
  constexpr std::size_t k_sub = 512;  // elements between flushes of the kept values
  HWY_ALIGN double stage_abs[k_sub + 64];
  HWY_ALIGN double stage_rel[k_sub + 64];
  HWY_ALIGN double xs[64];
  HWY_ALIGN double ys[64];
  static constexpr std::array<double, k_histogram_bins - 2> k_upper{1e-8, 1e-7, 1e-6, 1e-5, 1e-4,
                                                                   1e-3, 1e-2, 1e-1, 1.0};
  const auto zero = hn::Zero(d);
  const auto nan = hn::Set(d, std::numeric_limits<double>::quiet_NaN());
  // A bracket whose ends coincide counts the value once, as eq_lo.
  const auto abs_lo = hn::Set(d, c.abs_bracket.lo);
  const auto abs_hi = hn::Set(d, c.abs_bracket.hi > c.abs_bracket.lo ? c.abs_bracket.hi : std::numeric_limits<double>::quiet_NaN());
  const auto rel_lo = hn::Set(d, c.rel_bracket.lo);
  const auto rel_hi = hn::Set(d, c.rel_bracket.hi > c.rel_bracket.lo ? c.rel_bracket.hi : std::numeric_limits<double>::quiet_NaN());

  auto sum_abs = zero;
  auto sum_rel = zero;
  auto dot = zero;
  auto norm_a = zero;
  auto norm_b = zero;
  auto max_abs = zero;
  auto max_rel = zero;
  auto worst = zero;
  auto worst_pos = zero;
  auto mismatches = hn::Zero(di);
  auto finite = hn::Zero(di);
  std::array<VI, k_histogram_bins - 1> at_most{};  // e <= k_upper[k]; [last]: e == 0
  for (auto& v : at_most) {
    v = hn::Zero(di);
  }
  RankLanes abs_lanes{hn::Zero(di), hn::Zero(di), hn::Zero(di), hn::Zero(di)};
  RankLanes rel_lanes = abs_lanes;

  std::size_t i = 0;
  const std::size_t whole = n - n % lanes;
  while (i < whole) {
    const std::size_t sub_end = std::min(whole, i + k_sub);
    std::size_t staged_abs = 0;
    std::size_t staged_rel = 0;
    for (; i < sub_end; i += lanes) {
      const std::uint64_t at = first + i;
      const V x = load(d, c.a_dtype, pa, at);
      const V y = load(d, c.b_dtype, pb, at);
      const M close = close_mask(d, c, x, y);
      if (!hn::AllTrue(d, close)) {
        const M not_close = hn::Not(close);
        mismatches = count(d, mismatches, not_close);
        if (p.first_mismatch_c == std::numeric_limits<std::uint64_t>::max()) {
          const auto k = static_cast<std::size_t>(hn::FindFirstTrue(d, not_close));
          hn::Store(x, d, xs);
          hn::Store(y, d, ys);
          p.first_mismatch_c = at + k;
          p.first_mismatch_a = xs[k];
          p.first_mismatch_b = ys[k];
        }
      }
      const M fin = hn::And(hn::IsFinite(x), hn::IsFinite(y));
      if (!hn::AllTrue(d, fin)) {
        hn::Store(x, d, xs);
        hn::Store(y, d, ys);
        for (std::size_t k = 0; k < lanes; ++k) {
          if (!std::isfinite(xs[k]) || !std::isfinite(ys[k])) {
            scalar_stats(c, p, at + k, xs[k], ys[k]);
          }
        }
      }
      finite = count(d, finite, fin);
      const auto xf = hn::IfThenElseZero(fin, x);
      const auto yf = hn::IfThenElseZero(fin, y);
      const auto e = hn::Abs(hn::Sub(xf, yf));
      const auto rel = hn::IfThenZeroElse(hn::Eq(e, zero), hn::Div(e, hn::Abs(yf)));
      sum_abs = hn::Add(sum_abs, e);
      sum_rel = hn::Add(sum_rel, rel);
      dot = hn::Add(dot, hn::Mul(xf, yf));
      norm_a = hn::Add(norm_a, hn::Mul(xf, xf));
      norm_b = hn::Add(norm_b, hn::Mul(yf, yf));
      max_abs = hn::Max(max_abs, e);
      max_rel = hn::Max(max_rel, rel);
      const M better = hn::Gt(e, worst);  // strictly: each lane keeps its first maximum
      worst = hn::IfThenElse(better, e, worst);
      worst_pos = hn::IfThenElse(better, hn::Iota(d, static_cast<double>(at)), worst_pos);
      // Not a finite pair: NaN, outside every bin and bracket.
      const auto eh = hn::IfThenElse(fin, e, nan);
      const auto rh = hn::IfThenElse(fin, rel, nan);
      for (std::size_t k = 0; k < k_upper.size(); ++k) {
        at_most[k] = count(d, at_most[k], hn::Le(eh, hn::Set(d, k_upper[k])));
      }
      at_most.back() = count(d, at_most.back(), hn::Eq(eh, zero));
      rank(d, abs_lanes, eh, abs_lo, abs_hi, stage_abs, staged_abs);
      rank(d, rel_lanes, rh, rel_lo, rel_hi, stage_rel, staged_rel);
    }
    keep(c.keep_abs, stage_abs, staged_abs);
    keep(c.keep_rel, stage_rel, staged_rel);
  }

  p.mismatches += total(mismatches);
  p.finite_pairs += total(finite);
  p.sum_abs += hn::GetLane(hn::SumOfLanes(d, sum_abs));
  p.sum_rel += hn::GetLane(hn::SumOfLanes(d, sum_rel));
  p.dot += hn::GetLane(hn::SumOfLanes(d, dot));
  p.norm_a += hn::GetLane(hn::SumOfLanes(d, norm_a));
  p.norm_b += hn::GetLane(hn::SumOfLanes(d, norm_b));
  p.max_abs = std::max(p.max_abs, static_cast<double>(hn::GetLane(hn::MaxOfLanes(d, max_abs))));
  p.max_rel = std::max(p.max_rel, static_cast<double>(hn::GetLane(hn::MaxOfLanes(d, max_rel))));
  // The histogram from the cumulative counts: bin 0 is e == 0, bin k (1..9) is
  // (upper[k-2], upper[k-1]], the last is e > 1.
  std::array<std::uint64_t, k_histogram_bins - 1> le{};
  for (std::size_t k = 0; k < le.size(); ++k) {
    le[k] = total(at_most[k]);
  }
  const std::uint64_t zeros = le.back();
  const std::uint64_t finite_here = total(finite);
  p.histogram[0] += zeros;
  p.histogram[1] += le[0] - zeros;
  for (std::size_t k = 1; k < k_upper.size(); ++k) {
    p.histogram[k + 1] += le[k] - le[k - 1];
  }
  p.histogram[k_histogram_bins - 1] += finite_here - le[k_upper.size() - 1];
  auto add_ranks = [&](RankCounts& r, const RankLanes& l) {
    r.below += total(l.below);
    r.eq_lo += total(l.eq_lo);
    r.inside += total(l.inside);
    r.eq_hi += total(l.eq_hi);
  };
  add_ranks(p.abs, abs_lanes);
  add_ranks(p.rel, rel_lanes);
  // The worst element: the largest lane maximum, the first position among equal ones.
  hn::Store(worst, d, xs);
  hn::Store(worst_pos, d, ys);
  for (std::size_t k = 0; k < lanes; ++k) {
    const auto pos = static_cast<std::uint64_t>(ys[k]);
    if (xs[k] > 0 && (xs[k] > p.worst_error || (xs[k] == p.worst_error && pos < p.worst_c))) {
      p.worst_error = xs[k];
      p.worst_c = pos;
      p.worst_a = element(c.a_dtype, pa, pos);
      p.worst_b = element(c.b_dtype, pb, pos);
    }
  }
  // The tail, one element at a time.
  for (std::size_t k = whole; k < n; ++k) {
    const std::uint64_t at = first + k;
    const double x = element(c.a_dtype, pa, at);
    const double y = element(c.b_dtype, pb, at);
    scalar_element(c, p, at, x, y, is_close(c.rule, x, y));
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace mlstack::compare::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <cstdlib>
#include <string_view>

namespace mlstack::compare::detail {

namespace {

using Kernel = void (*)(const Context&, Partial&, const std::byte*, const std::byte*,
                        std::uint64_t, std::size_t);

struct Choice {
  Kernel kernel;
  const char* name;
};

Choice choose() noexcept {
  __builtin_cpu_init();
  const bool sse4 = __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1") &&
                    __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul") &&
                    __builtin_cpu_supports("aes");
  const bool avx2 = sse4 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
                    __builtin_cpu_supports("f16c");
  const bool avx3 = avx2 && __builtin_cpu_supports("avx512f") &&
                    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                    __builtin_cpu_supports("avx512bw");
  // MLSTACK_SIMD=avx2|sse4|none: a lesser target than the CPU's best (tests run each).
  const char* want = std::getenv("MLSTACK_SIMD");
  const std::string_view w = want != nullptr ? want : "";
  const int cap = w == "none" ? 0 : w == "sse4" ? 1 : w == "avx2" ? 2 : 3;
  if (avx3 && cap >= 3) {
    return {&N_AVX3::Block, "avx3"};
  }
  if (avx2 && cap >= 2) {
    return {&N_AVX2::Block, "avx2"};
  }
  if (sse4 && cap >= 1) {
    return {&N_SSE4::Block, "sse4"};
  }
  return {nullptr, "none"};
}

const Choice& chosen() noexcept {
  static const Choice c = choose();
  return c;
}

bool simd_dtype(tensors::DType t, bool f16) noexcept {
  using tensors::DType;
  return t == DType::f64 || t == DType::f32 || t == DType::bf16 || (t == DType::f16 && f16);
}

}  // namespace

bool simd_supports(const Context& c) noexcept {
  if (chosen().kernel == nullptr) {
    return false;
  }
  const bool f16 = std::string_view(chosen().name) != "sse4";
  return !c.exact_integers && simd_dtype(c.a_dtype, f16) && simd_dtype(c.b_dtype, f16) &&
         simd_dtype(c.rule.compute, f16) && simd_dtype(c.rule.threshold, f16);
}

void simd_block(const Context& c, Partial& p, const std::byte* a, const std::byte* b,
                std::uint64_t first, std::size_t n) {
  chosen().kernel(c, p, a, b, first, n);
}

const char* simd_target() noexcept { return chosen().name; }

}  // namespace mlstack::compare::detail
#endif  // HWY_ONCE
