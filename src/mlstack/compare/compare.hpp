// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/tensors/tensor.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

/// Comparing two tensors: the verdict of one of three references' tolerance rules, and the
/// statistics an engineer reads. Formulas and sources: docs/compare.md.
///
/// **Example**
/// ```
/// Options o;                      // numpy.isclose: |a - b| <= atol + rtol * |b|
/// auto r = compare_tensors(a, b, o);
/// r.outcome == Outcome::agree;    // numpy.allclose(a, b) would be True
/// r.stats.mismatches;             // numpy.count_nonzero(~numpy.isclose(a, b))
/// ```
namespace mlstack::compare {

/// Whose closeness rule decides.
enum class Semantics : std::uint8_t {
  /// `numpy.isclose` / `allclose`: close when `|a - b| <= atol + rtol * |b|` and `b` is
  /// finite, or `a == b`; computed in the dtype numpy computes in.
  numpy,
  /// `torch.testing.assert_close` (`torch.isclose` on the promoted dtype): close when
  /// `a == b`, or `|a - b|` is finite and `<= atol + |rtol * b|`; dtype-aware defaults.
  torch,
  /// Polygraphy's `CompareFunc.simple`, `check_error_stat="elemwise"`: an element fails only
  /// when it exceeds both `atol` (absolute error) and `rtol` (error relative to `b`, a zero
  /// `b` made 2.22e-16); NaN errors fail.
  polygraphy,
};

enum class EqualNan : std::uint8_t { no, yes };

struct Tolerance {
  double rtol = 1e-5;
  double atol = 1e-8;
  EqualNan equal_nan = EqualNan::no;
};

/// The reference's default tolerance for a pair of dtypes: numpy 1e-5 / 1e-8; Polygraphy
/// 1e-5 / 1e-5; torch the looser of the two dtypes' rows of `_DTYPE_PRECISIONS` (float16
/// 1e-3 / 1e-5, bfloat16 1.6e-2 / 1e-5, float32 1.3e-6 / 1e-5, float64 1e-7 / 1e-7, others 0).
[[nodiscard]] Tolerance default_tolerance(Semantics s, tensors::DType a, tensors::DType b) noexcept;

/// The dtype the reference computes the check in, for `a` compared with `b`.
[[nodiscard]] tensors::DType compute_dtype(Semantics s, tensors::DType a, tensors::DType b) noexcept;

struct Options {
  Semantics semantics = Semantics::numpy;
  /// The reference's defaults for the dtypes when unset.
  std::optional<Tolerance> tolerance;
  /// Threads for `compare_tensors` (0: one per CPU the process may run on). The result does
  /// not depend on it.
  unsigned threads = 0;
};

/// Bins of the absolute error: `== 0`, `(0, 1e-8]`, `(1e-8, 1e-7]`, ..., `(1e-1, 1]`, `> 1`.
inline constexpr std::size_t k_histogram_bins = 11;
[[nodiscard]] std::string histogram_label(std::size_t bin);

/// Statistics over the elements where both values are finite (the error of a NaN or an Inf is
/// not a number; those are counted apart), computed on values widened exactly to double.
/// The relative error is `|a - b| / |b|` (0 when both are 0, Inf when only `b` is 0).
struct Stats {
  std::uint64_t elements = 0;
  std::uint64_t finite_pairs = 0;
  double max_abs_error = 0;
  double mean_abs_error = 0;
  double median_abs_error = 0;  // numpy.median: the mean of the two middle values when even
  double max_rel_error = 0;
  double mean_rel_error = 0;
  double median_rel_error = 0;
  /// `sum(a*b) / sqrt(sum(a*a) * sum(b*b))`; nullopt when a norm is 0 or nothing is finite.
  std::optional<double> cosine_similarity;
  std::uint64_t mismatches = 0;  // elements not close under the semantics
  double mismatch_fraction = 0;
  std::uint64_t nan_mismatches = 0;  // NaN on one side only (or both, without equal_nan)
  std::uint64_t inf_mismatches = 0;  // an Inf against a different value (not NaN)
  /// The coordinate (C order) of the largest finite absolute error, the first such in C order;
  /// when no finite error is above 0, the first element not close. nullopt when all agree.
  std::optional<std::vector<std::uint64_t>> worst_index;
  double worst_a = 0;
  double worst_b = 0;
  std::array<std::uint64_t, k_histogram_bins> histogram{};
};

enum class Outcome : std::uint8_t { agree, values_differ, shape_differs };

struct TensorComparison {
  Outcome outcome = Outcome::agree;
  bool dtype_differs = false;
  Tolerance tolerance;
  tensors::DType compute_dtype = tensors::DType::f64;
  Stats stats;
};

/// Compares `a` with `b` (the reference: relative errors are relative to `b`). Shapes must be
/// equal: no broadcasting (a (1,) tensor against a () one is a shape difference).
[[nodiscard]] TensorComparison compare_tensors(const tensors::TensorView& a,
                                               const tensors::TensorView& b,
                                               const Options& options);

/// One pair of many compared at once.
struct PairToCompare {
  const tensors::TensorView* a = nullptr;
  const tensors::TensorView* b = nullptr;
  Options options;
};

/// `compare_tensors` for each pair, their chunks spread over `threads` threads together (0:
/// one per CPU), so that many small tensors use every core as one large one does. Memory: the
/// values kept for medians stay under 32 MiB in all (docs/compare.md "Speed and memory").
[[nodiscard]] std::vector<TensorComparison> compare_many(std::span<const PairToCompare> pairs,
                                                         unsigned threads = 0);

/// The SIMD instruction set the kernel runs on this machine: `avx3` (AVX-512), `avx2`, `sse4`
/// or `none` (the scalar kernel); `MLSTACK_SIMD=avx2|sse4|none` picks a lesser one.
[[nodiscard]] const char* simd_target() noexcept;

/// What one element's verdict needs: the semantics, the tolerance and the dtypes the
/// reference computes in (numpy computes the threshold in `b`'s inexact dtype and the
/// difference in the promotion of both; torch and Polygraphy both in one dtype).
struct Rule {
  Semantics semantics = Semantics::numpy;
  Tolerance tolerance;
  tensors::DType compute = tensors::DType::f64;    // the difference, and `a == b`
  /// `atol + rtol * |b|` (torch, two integer types: float32, the default dtype, in which
  /// torch computes an integer pair's errors; equality stays on the integers)
  tensors::DType threshold = tensors::DType::f64;
};
[[nodiscard]] Rule make_rule(Semantics s, tensors::DType a, tensors::DType b, const Tolerance& t) noexcept;

/// One element's verdict, as the reference decides it for values already widened to double.
/// `equal` is whether the elements are equal, where doubles cannot tell (two 64-bit integers
/// past 2^53, which torch compares as integers); otherwise nullopt.
[[nodiscard]] bool is_close(const Rule& rule, double a, double b,
                            std::optional<bool> equal = std::nullopt) noexcept;

/// The element-wise verdicts in C order (for tests; a tensor's worth of bools).
[[nodiscard]] std::vector<std::uint8_t> close_mask(const tensors::TensorView& a,
                                                   const tensors::TensorView& b,
                                                   const Options& options);

}  // namespace mlstack::compare
