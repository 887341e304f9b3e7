// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/tensors/tensor.hpp"

#include <cstddef>

/// The ONNX reader is a plugin, `libmlstack-onnx.so`, loaded with dlopen the first time a
/// TensorProto is read (as io loads libarchive): linked into the executable, libonnx_proto and
/// libprotobuf would load, and register ONNX's descriptors, at every start-up of every
/// command, and would bring the shared libstdc++ next to the executable's static one.
///
/// The plugin is looked for at `$MLSTACK_ONNX_PLUGIN`, then beside the executable, then in
/// `../lib/mlstack/` from it. Its entry point takes and fills mlstack's own types: it is built
/// from the same headers by the same compiler in the same build (its name carries a version,
/// bumped when `TensorFile` changes), and memory crosses the boundary only through glibc's
/// malloc; the plugin is never unloaded, so the storage destructors it defines stay valid.
extern "C" {
using MlstackOnnxParseV1 = void (*)(const std::byte* bytes, std::size_t size, const char* path,
                                    const char* fallback_name,
                                    mlstack::Result<mlstack::tensors::TensorFile>* out);
}

namespace mlstack::tensors {

struct OnnxPlugin {
  MlstackOnnxParseV1 parse = nullptr;
};

/// The plugin's parser, loaded once; an error says where it was looked for.
[[nodiscard]] Result<OnnxPlugin> onnx_plugin();

}  // namespace mlstack::tensors
