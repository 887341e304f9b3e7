// SPDX-License-Identifier: MIT
// libFuzzer target: two tensors of any dtypes, byte orders, layouts and shapes (up to 3-d)
// built from the input, through compare_tensors and close_mask under each rule.
//   byte 0: a's dtype, 1: b's dtype, 2: rule, 3: flags (layouts, byte orders, equal_nan),
//   4: rank, then one byte per dimension (0-4), then a's data, then b's.
#include "mlstack/compare/compare.hpp"

#include "fuzz_check.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace t = mlstack::tensors;
  namespace c = mlstack::compare;
  if (size < 5) {
    return 0;
  }
  const auto a_type = static_cast<t::DType>(data[0] % 13);
  const auto b_type = static_cast<t::DType>(data[1] % 13);
  const auto rule = static_cast<c::Semantics>(data[2] % 3);
  const unsigned flags = data[3];
  const std::size_t rank = data[4] % 4;
  std::size_t at = 5;
  if (size < at + rank) {
    return 0;
  }
  std::vector<std::uint64_t> shape;
  std::uint64_t count = 1;
  for (std::size_t k = 0; k < rank; ++k) {
    shape.push_back(data[at++] % 5);
    count *= shape.back();
  }
  const std::size_t a_bytes = count * t::dtype_size(a_type);
  const std::size_t b_bytes = count * t::dtype_size(b_type);
  if (size < at + a_bytes + b_bytes) {
    return 0;
  }
  auto view = [&](t::DType d, std::size_t offset, std::size_t bytes, unsigned layout_bit,
                  unsigned order_bit) {
    t::TensorView v;
    v.dtype = d;
    v.shape = shape;
    v.element_count = count;
    v.layout = (flags & layout_bit) != 0 ? t::Layout::fortran : t::Layout::c;
    v.byte_order = (flags & order_bit) != 0 ? t::ByteOrder::big : t::ByteOrder::little;
    v.data = std::as_bytes(std::span(data + offset, bytes));
    return v;
  };
  const auto a = view(a_type, at, a_bytes, 1U, 2U);
  const auto b = view(b_type, at + a_bytes, b_bytes, 4U, 8U);
  c::Options o;
  o.semantics = rule;
  if ((flags & 16U) != 0) {
    o.tolerance = c::Tolerance{1e-3, 1e-6, (flags & 32U) != 0 ? c::EqualNan::yes : c::EqualNan::no};
  }
  const auto r = c::compare_tensors(a, b, o);
  const auto mask = c::close_mask(a, b, o);
  const auto& s = r.stats;
  MLSTACK_FUZZ_CHECK(mask.size() == count);
  MLSTACK_FUZZ_CHECK(s.elements == count);
  MLSTACK_FUZZ_CHECK(s.mismatches == static_cast<std::uint64_t>(
                                         std::count(mask.begin(), mask.end(), std::uint8_t{0})));
  MLSTACK_FUZZ_CHECK(s.finite_pairs + s.nan_mismatches + s.inf_mismatches <= count);
  MLSTACK_FUZZ_CHECK(std::accumulate(s.histogram.begin(), s.histogram.end(), std::uint64_t{0}) ==
                     s.finite_pairs);
  MLSTACK_FUZZ_CHECK((r.outcome == c::Outcome::agree) == (s.mismatches == 0));
  if (s.worst_index) {
    MLSTACK_FUZZ_CHECK(s.worst_index->size() == rank);
    for (std::size_t k = 0; k < rank; ++k) {
      MLSTACK_FUZZ_CHECK((*s.worst_index)[k] < shape[k]);
    }
  }
  return 0;
}
