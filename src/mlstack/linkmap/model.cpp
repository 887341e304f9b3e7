// SPDX-License-Identifier: MIT
// The dispatch to each framework's load model (one line each).
#include "mlstack/linkmap/model.hpp"

#include <fmt/format.h>

namespace mlstack::linkmap {
namespace {

FrameworkLoad no_model(const std::string& name) {
  FrameworkLoad out;
  out.framework = name;
  out.problems.push_back(fmt::format("no load model for {} yet", name));
  return out;
}

}  // namespace

FrameworkLoad framework_load(const ModelInput& input) {
  const std::string& name = input.build.name;
  if (name == "torch") {
    return torch_load(input);
  }
  if (name == "tensorflow") {
    return tensorflow_load(input);
  }
  if (name == "jax") {
    return jax_load(input);
  }
  if (name == "onnxruntime") {
    return onnxruntime_load(input);
  }
  if (name == "cupy") {
    return cupy_load(input);
  }
  return no_model(name);
}

}  // namespace mlstack::linkmap
