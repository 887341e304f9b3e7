// SPDX-License-Identifier: MIT
// What the tensor readers' fuzz targets check on every tensor a reader returns: its data is
// exactly its shape's bytes and lies inside the input or a buffer the result owns, and every
// byte can be read (ASan reports a view past its buffer).
#pragma once

#include "mlstack/tensors/tensor.hpp"

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>

namespace mlstack::fuzz {

inline void check_tensor(const tensors::TensorView& t) {
  const auto count = tensors::element_count(t.shape, tensors::dtype_size(t.dtype));
  MLSTACK_FUZZ_CHECK(count.has_value() && *count == t.element_count);
  MLSTACK_FUZZ_CHECK(t.data.size() == t.element_count * tensors::dtype_size(t.dtype));
  std::uint64_t sum = 0;
  for (const auto b : t.data) {
    sum += static_cast<unsigned>(b);
  }
  MLSTACK_FUZZ_CHECK(sum <= 255 * std::uint64_t{t.data.size()});
}

}  // namespace mlstack::fuzz
