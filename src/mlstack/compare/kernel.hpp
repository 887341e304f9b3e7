// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/compare/compare.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

/// The inner loop of `compare_tensors`: one block of elements in, the verdicts counted and the
/// statistics accumulated into a `Partial` (one per chunk; chunks are merged in order, so the
/// result does not depend on the number of threads). Two implementations give the same
/// answers: `scalar_element` (any pair of dtypes and layouts, one element at a time) and the
/// SIMD kernel (`simd_block`, Google Highway, compiled for AVX-512, AVX2 and SSE4 and chosen
/// at run time; floating dtypes in the machine's byte order).
namespace mlstack::compare::detail {

inline constexpr double k_polygraphy_epsilon = 2.220446049250313e-16;
inline constexpr double k_inf = std::numeric_limits<double>::infinity();

/// The histogram's bin edges: bin 0 holds errors of 0, bin k (1..9) `(edge[k-2], edge[k-1]]`
/// (edge[-1] = 0), the last errors above 1.
inline constexpr std::array<double, k_histogram_bins - 2> k_histogram_upper{
    1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0};

/// Where one statistic's median is looked for: values `lo < v < hi` are kept, values below,
/// equal to `lo` and equal to `hi` only counted. `[0, inf]` keeps every value but 0 and inf.
struct Bracket {
  double lo = 0;
  double hi = k_inf;
};

struct RankCounts {
  std::uint64_t below = 0;  // v < lo
  std::uint64_t eq_lo = 0;
  std::uint64_t inside = 0;  // lo < v < hi
  std::uint64_t eq_hi = 0;   // v == hi > lo
};

/// Where one tensor's inside values are kept, shared by the threads (an atomic cursor into a
/// buffer sized before the pass: its pages are only touched as values arrive). Past its
/// capacity, values are counted but not kept, and the median is found by counting passes.
struct Keep {
  double* data = nullptr;
  std::uint64_t capacity = 0;
  std::atomic<std::uint64_t> used{0};
  void put(const double* values, std::size_t n) noexcept;
  [[nodiscard]] bool complete() const noexcept { return used.load() <= capacity; }
};

/// What the kernels accumulate over a chunk. Positions are C-order element indexes.
struct Partial {
  std::uint64_t mismatches = 0;
  std::uint64_t nan_mismatches = 0;
  std::uint64_t inf_mismatches = 0;
  std::uint64_t finite_pairs = 0;
  double sum_abs = 0;
  double sum_rel = 0;
  double dot = 0;
  double norm_a = 0;
  double norm_b = 0;
  double max_abs = 0;
  double max_rel = 0;
  double worst_error = 0;  // the largest finite error above 0 (0: none)
  std::uint64_t worst_c = std::numeric_limits<std::uint64_t>::max();
  double worst_a = 0;
  double worst_b = 0;
  std::uint64_t first_mismatch_c = std::numeric_limits<std::uint64_t>::max();
  double first_mismatch_a = 0;
  double first_mismatch_b = 0;
  std::array<std::uint64_t, k_histogram_bins> histogram{};
  RankCounts abs;
  RankCounts rel;

  /// Adds `p` (ties of the worst element and the first mismatch are broken by position, so
  /// chunks may come in any order; sums are added in the order of the calls).
  void merge(const Partial& p) noexcept;
};

/// One tensor pair's constant context: the rule, its constants rounded once to the dtypes
/// they are used in, and the median brackets.
struct Context {
  Rule rule;
  tensors::DType a_dtype = tensors::DType::f64;
  tensors::DType b_dtype = tensors::DType::f64;
  bool equal_nan = false;
  bool exact_integers = false;  // torch, two integer tensors: equality on the integers
  // numpy: atol and rtol in the threshold dtype; torch: in its scalar dtype (float for
  // float16/bfloat16); Polygraphy: in the compute dtype, and its epsilon.
  double atol = 0;
  double rtol = 0;
  double epsilon = 0;
  Bracket abs_bracket;
  Bracket rel_bracket;
  Keep* keep_abs = nullptr;
  Keep* keep_rel = nullptr;
};

[[nodiscard]] Context make_context(const Rule& rule, tensors::DType a, tensors::DType b);

/// One element: its verdict (`is_close`, or the exact-integer one), then the statistics.
void scalar_element(const Context& c, Partial& p, std::uint64_t c_index, double x, double y,
                    bool close);

/// The element's statistics, without the verdict (used by the SIMD kernel's non-finite lanes).
void scalar_stats(const Context& c, Partial& p, std::uint64_t c_index, double x, double y);

/// Whether `simd_block` takes this pair on this machine (floating dtypes, machine byte order;
/// the caller checks the layouts).
[[nodiscard]] bool simd_supports(const Context& c) noexcept;

/// Elements `[first, first + n)` of two C-order (or 1-d) tensors whose bytes start at `a` and
/// `b` (element 0 of the tensor, not of the block).
void simd_block(const Context& c, Partial& p, const std::byte* a, const std::byte* b,
                std::uint64_t first, std::size_t n);

/// The number of values the medians may keep at once (default 4 Mi: 32 MiB); returns the
/// previous one. For tests of the counting passes.
std::uint64_t set_keep_budget(std::uint64_t values) noexcept;

/// The SIMD target `simd_block` runs: `avx3`, `avx2`, `sse4` or `none` (`MLSTACK_SIMD=avx2`,
/// `sse4` or `none` asks for a lesser one, for tests).
[[nodiscard]] const char* simd_target() noexcept;

}  // namespace mlstack::compare::detail
