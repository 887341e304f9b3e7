// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/tensors/tensor.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

/// numpy's `.npy` format (numpy/lib/format.py, "Format Version 1.0" to "3.0"):
///
///     \x93NUMPY <major> <minor> <header length: u16 LE (1.0) | u32 LE (2.0, 3.0)>
///     {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }   (padded with spaces, \n)
///     <data: prod(shape) elements, C or Fortran order>
///
/// The header is a Python dict literal; this reads the subset numpy writes (the three keys,
/// strings, `True`/`False`, tuples of integers), as latin-1 (1.0, 2.0) or UTF-8 (3.0), and at
/// most 10,000 bytes of it (numpy's own `max_header_size`). Object arrays (`|O`: pickled
/// Python objects, which numpy only loads with `allow_pickle=True`) are refused and never
/// unpickled; so are structured, string, complex and datetime dtypes.
namespace mlstack::tensors {

/// The tensor in `bytes` (a whole `.npy` file); its data is a view into `bytes`. Errors name
/// `path` and, when not empty, `name` (an `.npz` member).
[[nodiscard]] Result<TensorView> parse_npy(std::span<const std::byte> bytes, std::string_view path,
                                           std::string_view name);

/// A `.npy` file, mapped: one tensor named after the file's stem.
[[nodiscard]] Result<TensorFile> read_npy(const std::string& path);

/// numpy's descr of an element type (`<f4`, `|b1`); bfloat16 has none (ml_dtypes writes `V2`).
[[nodiscard]] Result<DType> parse_npy_descr(std::string_view descr, ByteOrder& order);

}  // namespace mlstack::tensors
