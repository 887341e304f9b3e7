// SPDX-License-Identifier: MIT
// libFuzzer target: an ONNX TensorProto through `tensors::parse_onnx_tensor` (libonnx-dev's
// generated parser, then dims, data types, raw and typed data).
#include "mlstack/tensors/onnx_tensor.hpp"

#include "tensor_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto f = mlstack::tensors::parse_onnx_tensor(std::as_bytes(std::span(data, size)), "fuzz.pb",
                                               "x");
  if (f) {
    for (const auto& t : f->tensors) {
      mlstack::fuzz::check_tensor(t);
    }
  }
  return 0;
}
