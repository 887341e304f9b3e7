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

using DF = hn::Rebind<float, D>;  // as many float lanes as double lanes
using VF = hn::Vec<DF>;

// Loads Lanes(d) elements of dtype `t` (float32, bfloat16 or float16) starting at element `i`
// of `p`, widened to float (exactly).
HWY_INLINE VF load_float(DF df, DType t, const std::byte* p, std::uint64_t i) {
  switch (t) {
    case DType::bf16: {
      const hn::Rebind<std::uint16_t, D> d16;
      const hn::Rebind<std::uint32_t, D> d32;
      const auto bits = hn::PromoteTo(d32, hn::LoadU(d16, reinterpret_cast<const std::uint16_t*>(p + i * 2)));
      return hn::BitCast(df, hn::ShiftLeft<16>(bits));
    }
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
    case DType::f16: {
      const hn::Rebind<hwy::float16_t, D> dh;
      return hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::float16_t*>(p + i * 2)));
    }
#endif
    default: return hn::LoadU(df, reinterpret_cast<const float*>(p + i * 4));
  }
}

// The same widened to double (float64 elements loaded as they are).
HWY_INLINE V load(D d, DType t, const std::byte* p, std::uint64_t i) {
  if (t == DType::f64) {
    return hn::LoadU(d, reinterpret_cast<const double*>(p + i * 8));
  }
  return hn::PromoteTo(d, load_float(DF(), t, p, i));
}

// `v` (float lanes) rounded once to `t` (float32: as it is; bfloat16: to nearest even on the
// bits; float16: F16C's conversion, round to nearest even). Overflow gives infinity.
HWY_INLINE VF round_float(DF df, DType t, VF v) {
  switch (t) {
    case DType::bf16: {
      const hn::Rebind<std::uint32_t, D> du;
      const auto u = hn::BitCast(du, v);
      const auto odd = hn::And(hn::ShiftRight<16>(u), hn::Set(du, 1U));
      const auto r = hn::And(hn::Add(u, hn::Add(hn::Set(du, 0x7FFFU), odd)), hn::Set(du, 0xFFFF0000U));
      return hn::IfThenElse(hn::IsNaN(v), v, hn::BitCast(df, r));
    }
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
    case DType::f16: {
      const hn::Rebind<hwy::float16_t, D> dh;
      return hn::PromoteTo(df, hn::DemoteTo(dh, v));
    }
#endif
    default: return v;
  }
}

// `v` (double lanes) rounded once to `t`: float32 by demoting, narrower types through float
// (double rounding through float is innocuous for them: arithmetic.hpp).
HWY_INLINE V round_to(D d, DType t, V v) {
  if (t == DType::f64) {
    return v;
  }
  return hn::PromoteTo(d, round_float(DF(), t, hn::DemoteTo(DF(), v)));
}

// The same rounding for either lane type.
template <class DV>
HWY_INLINE hn::Vec<DV> round_as(DV dv, DType t, hn::Vec<DV> v) {
  if constexpr (sizeof(hn::TFromD<DV>) == 4) {
    return round_float(dv, t, v);
  } else {
    return round_to(dv, t, v);
  }
}

// The verdicts of one vector (rules.cpp is_close, lane by lane).
// `Kind`: the dtypes and semantics of one pair, known at compile time for the common pairs
// (both tensors of one dtype) and read from the Context for the others.
struct Kind {
  DType a;
  DType b;
  DType compute;
  DType threshold;
  Semantics semantics;
};

// In double lanes, or in float lanes when both inputs and both dtypes the reference computes
// in are float32 or narrower (every operation is then the reference's own float operation,
// rounded as it rounds).
template <class DV>
HWY_INLINE hn::Mask<DV> close_mask(DV d, const Context& c, const Kind& k, hn::Vec<DV> x,
                                   hn::Vec<DV> y) {
  using T = hn::TFromD<DV>;
  const Rule& r = c.rule;
  const auto both_nan = hn::And(hn::IsNaN(x), hn::IsNaN(y));
  switch (k.semantics) {
    case Semantics::numpy: {
      const auto diff = hn::Abs(round_as(d, k.compute, hn::Sub(x, y)));
      const auto scaled = round_as(d, k.threshold, hn::Mul(hn::Set(d, static_cast<T>(c.rtol)), hn::Abs(y)));
      const auto threshold = round_as(d, k.threshold, hn::Add(hn::Set(d, static_cast<T>(c.atol)), scaled));
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
      const DType e = k.compute;
      const auto scaled = hn::Abs(round_as(d, e, hn::Mul(hn::Set(d, static_cast<T>(c.rtol)), y)));
      const auto allowed = round_as(d, e, hn::Add(hn::Set(d, static_cast<T>(c.atol)), scaled));
      const auto actual = hn::Abs(round_as(d, e, hn::Sub(x, y)));
      return hn::Or(close, hn::And(hn::IsFinite(actual), hn::Le(actual, allowed)));
    }
    case Semantics::polygraphy: {
      const DType t = k.compute;
      const auto absdiff = hn::Abs(round_as(d, t, hn::Sub(x, y)));
      const auto y_eps = hn::IfThenElse(hn::Eq(y, hn::Zero(d)), hn::Set(d, static_cast<T>(c.epsilon)), y);
      const auto reldiff = round_as(d, t, hn::Div(absdiff, hn::Abs(y_eps)));
      const auto abs_fails = hn::Or(hn::Gt(absdiff, hn::Set(d, static_cast<T>(c.atol))), hn::IsNaN(absdiff));
      const auto rel_fails = hn::Or(hn::Gt(reldiff, hn::Set(d, static_cast<T>(c.rtol))), hn::IsNaN(reldiff));
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

// Counting is done on the scalar ports (a mask's population count), which leaves the vector
// ports and registers to the arithmetic.
HWY_INLINE std::uint64_t count(D d, M m) { return hn::CountTrue(d, m); }

// Counts `v` (NaN lanes: not a finite pair) against the bracket; keeps the inside values.
HWY_INLINE void rank(D d, RankCounts& r, V v, V lo, V hi, double* stage, std::size_t& staged) {
  r.below += count(d, hn::Lt(v, lo));
  r.eq_lo += count(d, hn::Eq(v, lo));
  r.eq_hi += count(d, hn::Eq(v, hi));
  const auto in = hn::And(hn::Gt(v, lo), hn::Lt(v, hi));
  if (!hn::AllFalse(d, in)) {
    r.inside += count(d, in);
    staged += hn::CompressStore(v, in, d, stage + staged);
  }
}

void keep(Keep* k, const double* stage, std::size_t staged) {
  if (staged > 0 && k != nullptr) {
    k->put(stage, staged);
  }
}

// Counts the elements not close (`close`: in float or double lanes, lane k being element
// `at + k`) and notes the first one.
template <class DV>
HWY_INLINE void note_mismatches(DV dv, hn::Mask<DV> close, V x, V y, std::uint64_t at, Partial& p,
                                std::uint64_t& mismatches) {
  if (hn::AllTrue(dv, close)) {
    return;
  }
  const auto not_close = hn::Not(close);
  mismatches += hn::CountTrue(dv, not_close);
  if (p.first_mismatch_c == std::numeric_limits<std::uint64_t>::max()) {
    const D d;
    HWY_ALIGN double xs[64];
    HWY_ALIGN double ys[64];
    const auto k = static_cast<std::size_t>(hn::FindFirstTrue(dv, not_close));
    hn::Store(x, d, xs);
    hn::Store(y, d, ys);
    p.first_mismatch_c = at + k;
    p.first_mismatch_a = xs[k];
    p.first_mismatch_b = ys[k];
  }
}

template <class GetKind>
HWY_INLINE void Loop(const Context& c, Partial& p, const std::byte* pa, const std::byte* pb,
                     std::uint64_t first, std::size_t n, GetKind get_kind) {
  const Kind kind = get_kind();
  const DF df;
  auto narrow_dtype = [](DType t) { return t == DType::f32 || t == DType::bf16 || t == DType::f16; };
  const bool narrow = narrow_dtype(kind.a) && narrow_dtype(kind.b) &&
                      narrow_dtype(kind.compute) && narrow_dtype(kind.threshold);
  const D d;
  const std::size_t lanes = hn::Lanes(d);
  constexpr std::size_t k_sub = 512;  // elements between flushes of the kept values
  HWY_ALIGN double stage_abs[k_sub + 64];
  HWY_ALIGN double stage_rel[k_sub + 64];
  HWY_ALIGN double xs[64];
  HWY_ALIGN double ys[64];
  const auto& k_upper = k_histogram_upper;
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
  std::uint64_t mismatches = 0;
  std::uint64_t finite = 0;
  std::array<std::uint64_t, k_histogram_bins - 1> le{};  // e <= k_upper[k]; [last]: e == 0
  RankCounts abs_counts;
  RankCounts rel_counts;

  std::size_t i = 0;
  const std::size_t whole = n - n % lanes;
  while (i < whole) {
    const std::size_t sub_end = std::min(whole, i + k_sub);
    std::size_t staged_abs = 0;
    std::size_t staged_rel = 0;
    for (; i < sub_end; i += lanes) {
      const std::uint64_t at = first + i;
      V x;
      V y;
      if (narrow) {
        const VF xf = load_float(df, kind.a, pa, at);
        const VF yf = load_float(df, kind.b, pb, at);
        x = hn::PromoteTo(d, xf);
        y = hn::PromoteTo(d, yf);
        note_mismatches(df, close_mask(df, c, kind, xf, yf), x, y, at, p, mismatches);
      } else {
        x = load(d, kind.a, pa, at);
        y = load(d, kind.b, pb, at);
        note_mismatches(d, close_mask(d, c, kind, x, y), x, y, at, p, mismatches);
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
      finite += count(d, fin);
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
        le[k] += count(d, hn::Le(eh, hn::Set(d, k_upper[k])));
      }
      le.back() += count(d, hn::Eq(eh, zero));
      rank(d, abs_counts, eh, abs_lo, abs_hi, stage_abs, staged_abs);
      rank(d, rel_counts, rh, rel_lo, rel_hi, stage_rel, staged_rel);
    }
    keep(c.keep_abs, stage_abs, staged_abs);
    keep(c.keep_rel, stage_rel, staged_rel);
  }

  p.mismatches += mismatches;
  p.finite_pairs += finite;
  p.sum_abs += hn::GetLane(hn::SumOfLanes(d, sum_abs));
  p.sum_rel += hn::GetLane(hn::SumOfLanes(d, sum_rel));
  p.dot += hn::GetLane(hn::SumOfLanes(d, dot));
  p.norm_a += hn::GetLane(hn::SumOfLanes(d, norm_a));
  p.norm_b += hn::GetLane(hn::SumOfLanes(d, norm_b));
  p.max_abs = std::max(p.max_abs, static_cast<double>(hn::GetLane(hn::MaxOfLanes(d, max_abs))));
  p.max_rel = std::max(p.max_rel, static_cast<double>(hn::GetLane(hn::MaxOfLanes(d, max_rel))));
  // The histogram from the cumulative counts: bin 0 is e == 0, bin k (1..9) is
  // (upper[k-2], upper[k-1]], the last is e > 1.
  const std::uint64_t zeros = le.back();
  const std::uint64_t finite_here = finite;
  p.histogram[0] += zeros;
  p.histogram[1] += le[0] - zeros;
  for (std::size_t k = 1; k < k_upper.size(); ++k) {
    p.histogram[k + 1] += le[k] - le[k - 1];
  }
  p.histogram[k_histogram_bins - 1] += finite_here - le[k_upper.size() - 1];
  auto add_ranks = [](RankCounts& into, const RankCounts& r) {
    into.below += r.below;
    into.eq_lo += r.eq_lo;
    into.inside += r.inside;
    into.eq_hi += r.eq_hi;
  };
  add_ranks(p.abs, abs_counts);
  add_ranks(p.rel, rel_counts);
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

// Same-dtype pairs with the dtypes and semantics as constants (the switches in load,
// round_to and close_mask fold away); other pairs read them from the Context.
template <DType T, Semantics S>
void Same(const Context& c, Partial& p, const std::byte* pa, const std::byte* pb,
          std::uint64_t first, std::size_t n) {
  Loop(c, p, pa, pb, first, n, [] {
    constexpr DType compute = S == Semantics::polygraphy && T == DType::f16 ? DType::f32 : T;
    return Kind{T, T, compute, compute, S};
  });
}

template <DType T>
void SameDtype(const Context& c, Partial& p, const std::byte* pa, const std::byte* pb,
               std::uint64_t first, std::size_t n) {
  switch (c.rule.semantics) {
    case Semantics::numpy: Same<T, Semantics::numpy>(c, p, pa, pb, first, n); return;
    case Semantics::torch: Same<T, Semantics::torch>(c, p, pa, pb, first, n); return;
    case Semantics::polygraphy: Same<T, Semantics::polygraphy>(c, p, pa, pb, first, n); return;
  }
}

void Block(const Context& c, Partial& p, const std::byte* pa, const std::byte* pb,
           std::uint64_t first, std::size_t n) {
  if (c.a_dtype == c.b_dtype) {
    switch (c.a_dtype) {
      case DType::f64: SameDtype<DType::f64>(c, p, pa, pb, first, n); return;
      case DType::f32: SameDtype<DType::f32>(c, p, pa, pb, first, n); return;
      case DType::bf16: SameDtype<DType::bf16>(c, p, pa, pb, first, n); return;
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
      case DType::f16: SameDtype<DType::f16>(c, p, pa, pb, first, n); return;
#endif
      default: break;
    }
  }
  Loop(c, p, pa, pb, first, n, [&c] {
    return Kind{c.a_dtype, c.b_dtype, c.rule.compute, c.rule.threshold, c.rule.semantics};
  });
}

}  // namespace HWY_NAMESPACE
}  // namespace mlstack::compare::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <cpuid.h>

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

// F16C (CPUID leaf 1, ECX bit 29): clang's __builtin_cpu_supports does not name it.
bool has_f16c() noexcept {
  unsigned eax = 0;
  unsigned ebx = 0;
  unsigned ecx = 0;
  unsigned edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & (1U << 29U)) != 0;
}

Choice choose() noexcept {
  __builtin_cpu_init();
  const bool sse4 = __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1") &&
                    __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul") &&
                    __builtin_cpu_supports("aes");
  const bool avx2 = sse4 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") && has_f16c();
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
