// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/tensors/onnx_tensor.hpp"
#include "mlstack/tensors/tensor.hpp"

#include <cstddef>

/// The ONNX reader is a plugin, `libmlstack-onnx.so`, loaded with dlopen the first time an
/// ONNX file is read (as io loads libarchive): linked into the executable, libonnx_proto and
/// libprotobuf would load, and register ONNX's descriptors, at every start-up of every
/// command, and would bring the shared libstdc++ next to the executable's static one.
///
/// The plugin is looked for at `$MLSTACK_ONNX_PLUGIN`, then beside the executable, then in
/// `../lib/mlstack/` from it (`onnx_plugin_candidates`; `mlstack image`'s bundle puts it
/// there). Its entry points take and fill mlstack's own types: it is built from the same
/// headers by the same compiler in the same build, so their names carry a version, bumped
/// whenever a signature or a type crossing the boundary (`TensorFile`, `OnnxValueKind`,
/// `OnnxModelIo`) changes, and a plugin of another version is not loaded; memory crosses the
/// boundary only through glibc's malloc; the plugin is never unloaded, so the storage
/// destructors it defines stay valid.
///
/// Version 2: `mlstack_onnx_parse_value_v2` (a TensorProto, SequenceProto or OptionalProto:
/// `parse_onnx_value`) and `mlstack_onnx_model_io_v2` (a ModelProto's input and output kinds:
/// `parse_onnx_model_io`). Version 1 had one entry, `mlstack_onnx_parse_v1` (TensorProto only).
extern "C" {
using MlstackOnnxParseValueV2 = void (*)(const std::byte* bytes, std::size_t size,
                                         const char* path, const char* fallback_name,
                                         mlstack::tensors::OnnxValueKind kind,
                                         mlstack::Result<mlstack::tensors::TensorFile>* out);
using MlstackOnnxModelIoV2 = void (*)(const std::byte* bytes, std::size_t size, const char* path,
                                      mlstack::Result<mlstack::tensors::OnnxModelIo>* out);
}

namespace mlstack::tensors {

struct OnnxPlugin {
  MlstackOnnxParseValueV2 parse_value = nullptr;
  MlstackOnnxModelIoV2 model_io = nullptr;
};

/// Where the plugin is looked for, in order: `$MLSTACK_ONNX_PLUGIN` when set, beside the
/// executable, `../lib/mlstack/` from it.
[[nodiscard]] std::vector<std::string> onnx_plugin_candidates();

/// The plugin's entry points, loaded once; an error says where it was looked for.
[[nodiscard]] Result<OnnxPlugin> onnx_plugin();

}  // namespace mlstack::tensors
