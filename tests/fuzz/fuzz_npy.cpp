// SPDX-License-Identifier: MIT
// libFuzzer target: a `.npy` file through `tensors::parse_npy` (header versions, the dict
// literal, descr, shape overflow, truncation).
#include "mlstack/tensors/npy.hpp"

#include "tensor_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  auto t = mlstack::tensors::parse_npy(bytes, "fuzz.npy", "x");
  if (t) {
    mlstack::fuzz::check_tensor(*t);
    MLSTACK_FUZZ_CHECK(t->data.data() >= bytes.data() &&
                       t->data.data() + t->data.size() <= bytes.data() + bytes.size());
  }
  return 0;
}
