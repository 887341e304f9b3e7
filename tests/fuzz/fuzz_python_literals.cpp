// SPDX-License-Identifier: MIT
// libFuzzer target: the Python-literal reader (frameworks/python_literals.cpp) and the four
// build files read with it: torch/version.py, TensorFlow's build_info.py, ONNX Runtime's
// build_and_package_info.py, jaxlib/version.py. Brackets nested past Python's limit of 200
// must be an ErrorCode::limit error, not a stack overflow.
#include "mlstack/frameworks/build_parsers.hpp"
#include "mlstack/frameworks/python_literals.hpp"

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fw = mlstack::frameworks;
  const std::string_view text = mlstack::fuzz::as_text(data, size);
  const auto assignments = fw::parse_python_assignments(text);
  if (!assignments) {
    MLSTACK_FUZZ_CHECK(assignments.error().code == mlstack::ErrorCode::limit);
    MLSTACK_FUZZ_CHECK(!fw::parse_torch_version_py(text));
    return 0;
  }
  for (const auto& a : *assignments) {
    MLSTACK_FUZZ_CHECK(a.line >= 1);
    (void)fw::find_assignment(*assignments, a.name);
  }
  MLSTACK_FUZZ_CHECK(fw::parse_torch_version_py(text).has_value());
  MLSTACK_FUZZ_CHECK(fw::parse_tf_build_info(text).has_value());
  MLSTACK_FUZZ_CHECK(fw::parse_ort_build_info(text).has_value());
  MLSTACK_FUZZ_CHECK(fw::parse_jax_version_py(text).has_value());
  return 0;
}
