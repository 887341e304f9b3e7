// SPDX-License-Identifier: MIT
// libFuzzer target: a `.safetensors` file through `tensors::parse_safetensors` (header size,
// JSON, dtypes, offsets); the tensors tile the data exactly.
#include "mlstack/tensors/safetensors.hpp"

#include "tensor_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto f = mlstack::tensors::parse_safetensors(std::as_bytes(std::span(data, size)),
                                               "fuzz.safetensors", nullptr);
  if (f) {
    std::size_t total = 0;
    for (const auto& t : f->tensors) {
      mlstack::fuzz::check_tensor(t);
      total += t.data.size();
    }
    MLSTACK_FUZZ_CHECK(total <= size);
  }
  return 0;
}
