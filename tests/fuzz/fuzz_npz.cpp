// SPDX-License-Identifier: MIT
// libFuzzer target: a `.npz` archive through `tensors::parse_npz` (the zip structure, ZIP64,
// zlib inflation, the bomb bounds), with small caps so one input stays within the 2 GiB limit.
#include "mlstack/tensors/npz.hpp"

#include "tensor_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mlstack::tensors::NpzLimits limits;
  limits.max_inflated_member = std::uint64_t{64} << 20U;
  limits.max_inflated_total = std::uint64_t{128} << 20U;
  auto f = mlstack::tensors::parse_npz(std::as_bytes(std::span(data, size)), "fuzz.npz", limits,
                                       nullptr);
  if (f) {
    for (const auto& t : f->tensors) {
      mlstack::fuzz::check_tensor(t);
    }
  }
  return 0;
}
