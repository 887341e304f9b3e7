// SPDX-License-Identifier: MIT
// The comparison engine: tensors cut into chunks, chunks run on every core by the SIMD kernel
// (floating dtypes, C order) or the scalar one (the rest), partial results merged in chunk
// order, and the medians found without keeping every error (docs/compare.md "Speed and
// memory"): a sample of the errors brackets each median, the pass keeps only the values inside
// the bracket and counts the others, and counting passes finish the rare case the bracket
// missed or the values inside overflowed their buffer.
#include "mlstack/compare/compare.hpp"

#include "mlstack/compare/decode.hpp"
#include "mlstack/compare/kernel.hpp"

#include <sched.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <thread>

namespace mlstack::compare {

using tensors::ByteOrder;
using tensors::DType;
using tensors::Layout;
using tensors::TensorView;
using detail::Bracket;
using detail::Context;
using detail::Keep;
using detail::Partial;

namespace {

constexpr std::uint64_t k_chunk = std::uint64_t{1} << 18;  // elements per work item
constexpr std::size_t k_block = 4096;                       // elements decoded at once
/// Below this many elements every error is kept (the median by nth_element, as numpy sorts).
constexpr std::uint64_t k_keep_all = std::uint64_t{1} << 20;
/// The values kept at once for medians, over all tensors in flight (8 bytes each: 32 MiB).
constexpr std::uint64_t k_keep_budget = std::uint64_t{1} << 22;
std::atomic<std::uint64_t> g_keep_budget{k_keep_budget};  // detail::set_keep_budget (tests)

bool is_integer_like(DType t) { return !tensors::is_floating(t); }

bool c_ordered(const TensorView& t) { return t.layout == Layout::c || t.shape.size() <= 1; }

std::vector<std::uint64_t> unravel_c(const std::vector<std::uint64_t>& shape, std::uint64_t i) {
  std::vector<std::uint64_t> coord(shape.size());
  for (std::size_t k = shape.size(); k-- > 0;) {
    coord[k] = i % shape[k];
    i /= shape[k];
  }
  return coord;
}

// Steps through the elements of a tensor in the storage order of `layout`, keeping each
// element's C-order and Fortran-order index (an odometer: no division per element).
class Walker {
 public:
  Walker(const std::vector<std::uint64_t>& shape, Layout layout, std::uint64_t pos)
      : m_shape(shape), m_fortran(layout == Layout::fortran), m_coord(shape.size()),
        m_c_stride(shape.size()), m_f_stride(shape.size()) {
    std::uint64_t s = 1;
    for (std::size_t k = shape.size(); k-- > 0;) {
      m_c_stride[k] = s;
      s *= shape[k];
    }
    s = 1;
    for (std::size_t k = 0; k < shape.size(); ++k) {
      m_f_stride[k] = s;
      s *= shape[k];
    }
    const std::size_t n = shape.size();
    if (std::find(shape.begin(), shape.end(), 0) != shape.end()) {
      return;  // no elements
    }
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t k = m_fortran ? j : n - 1 - j;
      m_coord[k] = pos % shape[k];
      pos /= shape[k];
      m_c += m_coord[k] * m_c_stride[k];
      m_f += m_coord[k] * m_f_stride[k];
    }
  }
  [[nodiscard]] std::uint64_t c_index() const { return m_c; }
  [[nodiscard]] std::uint64_t index(Layout l) const { return l == Layout::c ? m_c : m_f; }
  void next() {
    const std::size_t n = m_shape.size();
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t k = m_fortran ? j : n - 1 - j;
      if (++m_coord[k] < m_shape[k]) {
        m_c += m_c_stride[k];
        m_f += m_f_stride[k];
        return;
      }
      m_c -= (m_shape[k] - 1) * m_c_stride[k];
      m_f -= (m_shape[k] - 1) * m_f_stride[k];
      m_coord[k] = 0;
    }
  }

 private:
  const std::vector<std::uint64_t>& m_shape;
  bool m_fortran;
  std::vector<std::uint64_t> m_coord;
  std::vector<std::uint64_t> m_c_stride;
  std::vector<std::uint64_t> m_f_stride;
  std::uint64_t m_c = 0;
  std::uint64_t m_f = 0;
};

// Elements [first, first + n) of `a`'s storage order with their partners in `b`, a block at
// a time: `visit(c_index, x, y, equal)`; `equal` is the exact verdict of two integers (doubles
// cannot tell past 2^53), nullopt for other pairs.
template <class Visit>
void walk(const TensorView& a, const TensorView& b, std::uint64_t first, std::uint64_t n,
          Visit visit) {
  if (n == 0) {
    return;
  }
  std::vector<double> xs(k_block);
  std::vector<double> ys(k_block);
  const bool integers = is_integer_like(a.dtype) && is_integer_like(b.dtype);
  std::vector<ExactInteger> ixs(integers ? k_block : 0);
  std::vector<ExactInteger> iys(integers ? k_block : 0);
  const bool same_order = a.layout == b.layout || a.shape.size() <= 1;
  const bool a_c = c_ordered(a);
  Walker w(a.shape, a.layout, first);
  for (std::uint64_t done = 0; done < n;) {
    const auto m = static_cast<std::size_t>(std::min<std::uint64_t>(k_block, n - done));
    const std::uint64_t at = first + done;
    decode(a, at, std::span(xs.data(), m));
    if (integers) {
      decode_integers(a, at, std::span(ixs.data(), m));
    }
    if (same_order) {
      decode(b, at, std::span(ys.data(), m));
      if (integers) {
        decode_integers(b, at, std::span(iys.data(), m));
      }
    }
    for (std::size_t i = 0; i < m; ++i) {
      if (!same_order) {
        const std::uint64_t bp = w.index(b.layout);
        decode(b, bp, std::span(ys.data() + i, 1));
        if (integers) {
          decode_integers(b, bp, std::span(iys.data() + i, 1));
        }
      }
      const std::uint64_t ci = a_c ? at + i : w.c_index();
      visit(ci, xs[i], ys[i], integers ? std::optional<bool>(ixs[i] == iys[i]) : std::nullopt);
      w.next();
    }
    done += m;
  }
}

// The elements `k_lo` and `k_hi` (0-based, k_lo <= k_hi) of `v` in increasing order,
// reordering it; for k_lo == k_hi - 1 the lower is the largest value before k_hi.
std::pair<double, double> select2(std::span<double> v, std::size_t k_lo, std::size_t k_hi) {
  const auto hi_it = v.begin() + static_cast<std::ptrdiff_t>(k_hi);
  std::nth_element(v.begin(), hi_it, v.end());
  if (k_lo + 1 == k_hi) {
    return {*std::max_element(v.begin(), hi_it), *hi_it};
  }
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k_lo), hi_it);
  return {v[k_lo], *hi_it};
}

enum class Stat : std::uint8_t { abs, rel };

double stat_of(Stat s, double x, double y) {
  const double e = std::fabs(x - y);
  if (s == Stat::abs) {
    return e;
  }
  return e == 0 ? 0.0 : e / std::fabs(y);
}

/// One tensor pair in flight.
struct Job {
  const TensorView* a = nullptr;
  const TensorView* b = nullptr;
  TensorComparison* result = nullptr;
  Context context;
  bool simd = false;
  std::uint64_t chunks = 0;
  std::vector<Partial> partials;
  std::unique_ptr<double[]> abs_values;
  std::unique_ptr<double[]> rel_values;
  Keep keep_abs;
  Keep keep_rel;
  unsigned threads = 1;
};

// A deterministic spread of sample positions (splitmix64).
std::uint64_t mix(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

// Brackets each median from a sample of the errors: blocks of 16 elements at spread
// positions, n / 512 elements in all (from 64 Ki to 2 Mi). The bracket spans the sample's
// quantiles 0.5 -+ 3.5 standard errors, so the values kept are ~0.3 % to 1.5 % of the tensor.
std::pair<Bracket, Bracket> sample_brackets(const TensorView& a, const TensorView& b) {
  const std::uint64_t n = a.element_count;
  constexpr std::uint64_t k_run = 16;
  if (n < 4 * k_run) {
    return {};
  }
  const std::uint64_t want = std::min(n, std::clamp<std::uint64_t>(n / 512, 1U << 16, 1U << 21));
  const std::uint64_t runs = std::max<std::uint64_t>(1, want / k_run);
  std::vector<double> abs_v;
  std::vector<double> rel_v;
  abs_v.reserve(want);
  rel_v.reserve(want);
  std::vector<std::uint64_t> starts(runs);
  for (std::uint64_t r = 0; r < runs; ++r) {
    starts[r] = mix(r) % (n - k_run);
  }
  std::sort(starts.begin(), starts.end());  // in file order: the pages are read forward
  auto add = [&](double x, double y) {
    if (std::isfinite(x) && std::isfinite(y)) {
      abs_v.push_back(stat_of(Stat::abs, x, y));
      rel_v.push_back(stat_of(Stat::rel, x, y));
    }
  };
  if (a.layout == b.layout || a.shape.size() <= 1) {
    std::array<double, k_run> xs{};
    std::array<double, k_run> ys{};
    for (const auto s : starts) {
      decode(a, s, xs);
      decode(b, s, ys);
      for (std::size_t i = 0; i < k_run; ++i) {
        add(xs[i], ys[i]);
      }
    }
  } else {
    for (const auto s : starts) {
      walk(a, b, s, k_run, [&](std::uint64_t, double x, double y, std::optional<bool>) { add(x, y); });
    }
  }
  auto bracket = [](std::vector<double>& v) {
    if (v.size() < 1024) {
      return Bracket{};
    }
    const double m = static_cast<double>(v.size());
    const double delta = 3.5 * 0.5 / std::sqrt(m);
    const auto lo = static_cast<std::size_t>(std::max(0.0, (0.5 - delta) * m));
    const auto hi = std::min(v.size() - 1, static_cast<std::size_t>((0.5 + delta) * m));
    const auto [l, h] = select2(std::span(v), lo, hi);
    return Bracket{l, h};
  };
  return {bracket(abs_v), bracket(rel_v)};
}

// Runs chunk `k` of `job`.
void run_chunk(Job& job, std::uint64_t k) {
  const TensorView& a = *job.a;
  const TensorView& b = *job.b;
  const std::uint64_t first = k * k_chunk;
  const std::uint64_t n = std::min(k_chunk, a.element_count - first);
  Partial& p = job.partials[k];
  if (job.simd) {
    detail::simd_block(job.context, p, a.data.data(), b.data.data(), first,
                       static_cast<std::size_t>(n));
    return;
  }
  const Context& c = job.context;
  const bool exact = c.exact_integers;
  walk(a, b, first, n, [&](std::uint64_t ci, double x, double y, std::optional<bool> equal) {
    detail::scalar_element(c, p, ci, x, y, is_close(c.rule, x, y, exact ? equal : std::nullopt));
  });
}

// Runs every chunk of `jobs` on `threads` threads (work taken in order from a shared cursor).
void run_all(std::vector<Job*>& jobs, unsigned threads) {
  std::vector<std::pair<Job*, std::uint64_t>> items;
  for (Job* j : jobs) {
    for (std::uint64_t k = 0; k < j->chunks; ++k) {
      items.emplace_back(j, k);
    }
  }
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next.fetch_add(1); i < items.size(); i = next.fetch_add(1)) {
      run_chunk(*items[i].first, items[i].second);
    }
  };
  const auto extra = static_cast<unsigned>(
      std::min<std::size_t>(threads > 0 ? threads - 1 : 0, items.size() > 0 ? items.size() - 1 : 0));
  std::vector<std::thread> pool;
  pool.reserve(extra);
  for (unsigned t = 0; t < extra; ++t) {
    pool.emplace_back(work);
  }
  work();
  for (auto& t : pool) {
    t.join();
  }
}

// The value of rank `k` (0-based, among the finite pairs' `s` values) by counting passes on
// every thread (the scalar kernel's walk): each pass histograms the values whose bits lie in
// [lo, hi] (non-negative doubles order as their bits) into 4,096 buckets, and keeps them
// once few enough remain.
double select_by_counting(const Job& job, Stat s, std::uint64_t k, std::uint64_t lo,
                          std::uint64_t hi, std::uint64_t before) {
  constexpr std::uint64_t k_buckets = 4096;
  const TensorView& a = *job.a;
  const TensorView& b = *job.b;
  const unsigned threads = job.threads;
  const std::uint64_t n = a.element_count;
  const std::uint64_t keep_each = std::max<std::uint64_t>(1, g_keep_budget.load() / 4 / threads);
  for (;;) {
    const std::uint64_t per = (hi - lo) / k_buckets + 1;  // hi - lo + 1 values in all
    struct Slice {
      std::vector<std::uint64_t> counts = std::vector<std::uint64_t>(k_buckets);
      std::vector<double> kept;
      std::uint64_t in_range = 0;
    };
    std::vector<Slice> slices(threads);
    auto count_slice = [&](unsigned t) {
      Slice& sl = slices[t];
      const std::uint64_t first = n * t / threads;
      const std::uint64_t last = n * (t + 1) / threads;
      walk(a, b, first, last - first, [&](std::uint64_t, double x, double y, std::optional<bool>) {
        if (!std::isfinite(x) || !std::isfinite(y)) {
          return;
        }
        const auto bits = std::bit_cast<std::uint64_t>(stat_of(s, x, y));
        if (bits < lo || bits > hi) {
          return;
        }
        ++sl.in_range;
        ++sl.counts[(bits - lo) / per];
        if (sl.kept.size() < keep_each) {
          sl.kept.push_back(std::bit_cast<double>(bits));
        }
      });
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) {
      pool.emplace_back(count_slice, t);
    }
    count_slice(0);
    for (auto& t : pool) {
      t.join();
    }
    std::uint64_t in_range = 0;
    std::uint64_t kept_all = 0;
    std::vector<std::uint64_t> counts(k_buckets);
    for (const auto& sl : slices) {
      in_range += sl.in_range;
      kept_all += sl.kept.size();
      for (std::uint64_t i = 0; i < k_buckets; ++i) {
        counts[i] += sl.counts[i];
      }
    }
    if (in_range == kept_all) {
      std::vector<double> kept;
      kept.reserve(static_cast<std::size_t>(kept_all));
      for (auto& sl : slices) {
        kept.insert(kept.end(), sl.kept.begin(), sl.kept.end());
        sl.kept = {};
      }
      const auto at = static_cast<std::size_t>(k - before);
      std::nth_element(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(at), kept.end());
      return kept[at];
    }
    for (std::uint64_t i = 0; i < k_buckets; ++i) {
      if (k - before < counts[i]) {
        lo += i * per;
        hi = std::min(hi, lo + per - 1);
        break;
      }
      before += counts[i];
    }
  }
}

// The value of rank `k` among the finite pairs' `s` values, from the pass's counts and kept
// values, else by counting passes.
double select_rank(Job& job, Stat s, const detail::RankCounts& r, std::uint64_t k,
                   std::span<double> inside) {
  const Bracket& br = s == Stat::abs ? job.context.abs_bracket : job.context.rel_bracket;
  const Keep& keep = s == Stat::abs ? job.keep_abs : job.keep_rel;
  const auto lo_bits = std::bit_cast<std::uint64_t>(br.lo);
  const auto hi_bits = std::bit_cast<std::uint64_t>(br.hi);
  const std::uint64_t inf_bits = std::bit_cast<std::uint64_t>(detail::k_inf);
  if (k < r.below) {
    return select_by_counting(job, s, k, 0, lo_bits - 1, 0);
  }
  std::uint64_t before = r.below;
  if (k < before + r.eq_lo) {
    return br.lo;
  }
  before += r.eq_lo;
  if (k < before + r.inside) {
    if (keep.complete()) {
      const auto at = static_cast<std::size_t>(k - before);
      std::nth_element(inside.begin(), inside.begin() + static_cast<std::ptrdiff_t>(at), inside.end());
      return inside[at];
    }
    return select_by_counting(job, s, k, lo_bits + 1, hi_bits - 1, before);
  }
  before += r.inside;
  if (k < before + r.eq_hi) {
    return br.hi;
  }
  before += r.eq_hi;
  return select_by_counting(job, s, k, hi_bits + 1, inf_bits, before);
}

double median_of(Job& job, Stat s, const detail::RankCounts& r, std::uint64_t count) {
  const Keep& keep = s == Stat::abs ? job.keep_abs : job.keep_rel;
  double* data = s == Stat::abs ? job.abs_values.get() : job.rel_values.get();
  const auto kept = static_cast<std::size_t>(std::min(keep.used.load(), keep.capacity));
  const std::span<double> inside(data, kept);  // reordered in place
  const std::uint64_t hi = count / 2;
  const std::uint64_t first_inside = r.below + r.eq_lo;
  if (count % 2 == 0 && keep.complete() && hi - 1 >= first_inside && hi < first_inside + r.inside) {
    // Both middle values among the kept ones (the usual case): one selection, and the lower
    // is the largest value before the upper.
    const auto at = static_cast<std::size_t>(hi - first_inside);
    const auto [lower, upper] = select2(inside, at - 1, at);
    return (lower + upper) / 2;  // numpy.median: the mean of the two middle values
  }
  const double upper = select_rank(job, s, r, hi, inside);
  if (count % 2 == 1) {
    return upper;
  }
  const double lower = select_rank(job, s, r, hi - 1, inside);
  return (lower + upper) / 2;
}

void finish(Job& job) {
  Partial all;
  for (const auto& p : job.partials) {
    all.merge(p);
  }
  Stats& s = job.result->stats;
  s.mismatches = all.mismatches;
  s.nan_mismatches = all.nan_mismatches;
  s.inf_mismatches = all.inf_mismatches;
  s.finite_pairs = all.finite_pairs;
  s.max_abs_error = all.max_abs;
  s.max_rel_error = all.max_rel;
  s.histogram = all.histogram;
  if (s.finite_pairs > 0) {
    const auto f = static_cast<double>(s.finite_pairs);
    s.mean_abs_error = all.sum_abs / f;
    s.mean_rel_error = all.sum_rel / f;
    s.median_abs_error = median_of(job, Stat::abs, all.abs, s.finite_pairs);
    s.median_rel_error = median_of(job, Stat::rel, all.rel, s.finite_pairs);
    if (all.norm_a > 0 && all.norm_b > 0) {
      s.cosine_similarity = all.dot / std::sqrt(all.norm_a * all.norm_b);
    }
  }
  s.mismatch_fraction =
      s.elements == 0 ? 0.0 : static_cast<double>(s.mismatches) / static_cast<double>(s.elements);
  const auto& shape = job.a->shape;
  if (all.worst_error > 0) {
    s.worst_index = unravel_c(shape, all.worst_c);
    s.worst_a = all.worst_a;
    s.worst_b = all.worst_b;
  } else if (all.mismatches > 0) {
    s.worst_index = unravel_c(shape, all.first_mismatch_c);
    s.worst_a = all.first_mismatch_a;
    s.worst_b = all.first_mismatch_b;
  }
  job.result->outcome = s.mismatches == 0 ? Outcome::agree : Outcome::values_differ;
  job.partials = {};
  job.abs_values.reset();
  job.rel_values.reset();
}

unsigned default_threads() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    return static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
  }
  return std::max(1U, std::thread::hardware_concurrency());
}

bool simd_layout(const TensorView& a, const TensorView& b) {
  return c_ordered(a) && c_ordered(b) && a.byte_order == ByteOrder::little &&
         b.byte_order == ByteOrder::little && std::endian::native == std::endian::little;
}

}  // namespace

std::vector<TensorComparison> compare_many(std::span<const PairToCompare> pairs, unsigned threads) {
  if (threads == 0) {
    threads = default_threads();
  }
  std::vector<TensorComparison> results(pairs.size());
  std::vector<Job> jobs(pairs.size());
  std::vector<Job*> batch;
  std::uint64_t batch_keep = 0;
  auto flush = [&] {
    run_all(batch, threads);
    // The medians and the merge, a job per thread.
    std::atomic<std::size_t> next{0};
    auto finish_some = [&] {
      for (std::size_t k = next.fetch_add(1); k < batch.size(); k = next.fetch_add(1)) {
        finish(*batch[k]);
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < std::min<std::size_t>(threads, batch.size()); ++t) {
      pool.emplace_back(finish_some);
    }
    finish_some();
    for (auto& t : pool) {
      t.join();
    }
    batch.clear();
    batch_keep = 0;
  };
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const TensorView& a = *pairs[i].a;
    const TensorView& b = *pairs[i].b;
    const Options& options = pairs[i].options;
    TensorComparison& r = results[i];
    r.dtype_differs = a.dtype != b.dtype;
    r.tolerance = options.tolerance.value_or(default_tolerance(options.semantics, a.dtype, b.dtype));
    r.compute_dtype = compute_dtype(options.semantics, a.dtype, b.dtype);
    if (a.shape != b.shape) {
      r.outcome = Outcome::shape_differs;
      continue;
    }
    r.stats.elements = a.element_count;
    if (a.element_count == 0) {
      continue;
    }
    Job& job = jobs[i];
    job.a = &a;
    job.b = &b;
    job.result = &r;
    job.context = detail::make_context(make_rule(options.semantics, a.dtype, b.dtype, r.tolerance),
                                       a.dtype, b.dtype);
    job.simd = simd_layout(a, b) && detail::simd_supports(job.context);
    job.threads = threads;
    job.chunks = (a.element_count + k_chunk - 1) / k_chunk;
    job.partials.resize(job.chunks);
    // The kept values: every error of a small tensor, the bracket's share of a large one.
    std::uint64_t capacity = a.element_count;
    const std::uint64_t budget = g_keep_budget.load();
    if (a.element_count > std::min(k_keep_all, budget / 2)) {
      std::tie(job.context.abs_bracket, job.context.rel_bracket) = sample_brackets(a, b);
      capacity = budget / 2;
    }
    if (batch_keep + 2 * capacity > budget && !batch.empty()) {
      flush();
    }
    job.abs_values = std::make_unique_for_overwrite<double[]>(capacity);
    job.rel_values = std::make_unique_for_overwrite<double[]>(capacity);
    job.keep_abs.data = job.abs_values.get();
    job.keep_abs.capacity = capacity;
    job.keep_rel.data = job.rel_values.get();
    job.keep_rel.capacity = capacity;
    job.context.keep_abs = &job.keep_abs;
    job.context.keep_rel = &job.keep_rel;
    batch.push_back(&job);
    batch_keep += 2 * capacity;
  }
  if (!batch.empty()) {
    flush();
  }
  return results;
}

TensorComparison compare_tensors(const TensorView& a, const TensorView& b, const Options& options) {
  const PairToCompare p{&a, &b, options};
  return std::move(compare_many(std::span(&p, 1), options.threads).front());
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
  const bool torch = rule.semantics == Semantics::torch;
  walk(a, b, 0, a.element_count, [&](std::uint64_t ci, double x, double y, std::optional<bool> equal) {
    mask[static_cast<std::size_t>(ci)] = is_close(rule, x, y, torch ? equal : std::nullopt) ? 1 : 0;
  });
  return mask;
}

const char* simd_target() noexcept { return detail::simd_target(); }

std::uint64_t detail::set_keep_budget(std::uint64_t values) noexcept {
  return g_keep_budget.exchange(values);
}

}  // namespace mlstack::compare
