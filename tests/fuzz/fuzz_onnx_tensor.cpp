// SPDX-License-Identifier: MIT
// libFuzzer target: ONNX values through the plugin's parsers (libonnx-dev's generated protobuf
// classes): the input as a TensorProto (`parse_onnx_tensor`), as the value kind its first byte
// picks (`parse_onnx_value`: unknown, i.e. TensorProto then SequenceProto then OptionalProto,
// or one of them as a model would say), and as a ModelProto (`parse_onnx_model_io`).
#include "mlstack/tensors/onnx_tensor.hpp"

#include "tensor_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mlstack::tensors::OnnxValueKind;
  const auto bytes = std::as_bytes(std::span(data, size));
  auto check = [](const mlstack::Result<mlstack::tensors::TensorFile>& f) {
    if (f) {
      for (const auto& t : f->tensors) {
        mlstack::fuzz::check_tensor(t);
      }
    }
  };
  check(mlstack::tensors::parse_onnx_tensor(bytes, "fuzz.pb", "x"));
  if (size > 0) {
    static constexpr OnnxValueKind k_kinds[] = {OnnxValueKind::unknown, OnnxValueKind::tensor,
                                                OnnxValueKind::sequence, OnnxValueKind::optional};
    check(mlstack::tensors::parse_onnx_value(bytes.subspan(1), "fuzz.pb", "x",
                                             k_kinds[data[0] % 4]));
  }
  (void)mlstack::tensors::parse_onnx_model_io(bytes, "model.onnx");
  return 0;
}
