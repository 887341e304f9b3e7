// SPDX-License-Identifier: MIT
// ONNX files through the plugin (onnx_plugin.hpp): the loader and the file-level readers.
#include "mlstack/tensors/onnx_tensor.hpp"

#include "mlstack/tensors/mapped_file.hpp"
#include "mlstack/tensors/onnx_plugin.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <vector>

namespace mlstack::tensors {

namespace {

constexpr const char* k_plugin = "libmlstack-onnx.so";

}  // namespace

std::vector<std::string> onnx_plugin_candidates() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("MLSTACK_ONNX_PLUGIN"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  }
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back((self.parent_path() / k_plugin).string());
    candidates.push_back((self.parent_path().parent_path() / "lib" / "mlstack" / k_plugin).string());
  }
  return candidates;
}

Result<OnnxPlugin> onnx_plugin() {
  static std::once_flag once;
  static OnnxPlugin plugin;
  static std::string problem;
  std::call_once(once, [] {
    std::vector<std::string> tried;
    for (const auto& c : onnx_plugin_candidates()) {
      void* handle = ::dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        const char* why = ::dlerror();
        tried.push_back(fmt::format("{} ({})", c, why != nullptr ? why : "not loadable"));
        continue;
      }
      // POSIX guarantees that a dlsym result converts to a function pointer.
      const auto parse_value =
          reinterpret_cast<MlstackOnnxParseValueV2>(::dlsym(handle, "mlstack_onnx_parse_value_v2"));
      const auto model_io =
          reinterpret_cast<MlstackOnnxModelIoV2>(::dlsym(handle, "mlstack_onnx_model_io_v2"));
      if (parse_value != nullptr && model_io != nullptr) {
        plugin = {parse_value, model_io};
        return;
      }
      // Another build's plugin (another version of the entry points): not this one's types.
      tried.push_back(fmt::format("{} (not version 2: no mlstack_onnx_parse_value_v2 and "
                                  "mlstack_onnx_model_io_v2; a plugin of another mlstack build)",
                                  c));
      ::dlclose(handle);
    }
    problem = fmt::format("the ONNX reader plugin {} is not installed; looked for: {}", k_plugin,
                          fmt::join(tried, "; "));
  });
  if (plugin.parse_value == nullptr) {
    return unexpected(make_error(ErrorCode::unsupported, problem));
  }
  return plugin;
}

namespace {

Result<TensorFile> read_value(const std::string& path, OnnxValueKind kind) {
  MLSTACK_TRY_ASSIGN(auto file, MappedFile::open(path));
  auto plugin = onnx_plugin();
  if (!plugin) {
    return unexpected(with_context(std::move(plugin).error(), path));
  }
  const auto bytes = file->bytes();
  const auto stem = std::filesystem::path(path).stem().string();
  Result<TensorFile> out = unexpected(make_error(ErrorCode::io, "the plugin did not answer"));
  plugin->parse_value(bytes.data(), bytes.size(), path.c_str(), stem.c_str(), kind, &out);
  return out;
}

// The kinds of the model's inputs and outputs, when `dir/../model.onnx` is there.
Result<std::optional<OnnxModelIo>> model_io(const std::string& dir) {
  std::error_code ec;
  auto set = std::filesystem::absolute(dir, ec).lexically_normal();
  if (!set.has_filename()) {
    set = set.parent_path();  // `dir/`
  }
  const auto model = (set.parent_path() / "model.onnx").string();
  if (!std::filesystem::is_regular_file(model, ec)) {
    return std::optional<OnnxModelIo>();
  }
  MLSTACK_TRY_ASSIGN(auto file, MappedFile::open(model));
  auto plugin = onnx_plugin();
  if (!plugin) {
    return unexpected(with_context(std::move(plugin).error(), model));
  }
  const auto bytes = file->bytes();
  Result<OnnxModelIo> out = unexpected(make_error(ErrorCode::io, "the plugin did not answer"));
  plugin->model_io(bytes.data(), bytes.size(), model.c_str(), &out);
  if (!out) {
    return unexpected(std::move(out).error());
  }
  return std::optional<OnnxModelIo>(std::move(out).value());
}

}  // namespace

Result<TensorFile> read_onnx_tensor(const std::string& path) {
  return read_value(path, OnnxValueKind::unknown);
}

Result<TensorFile> read_onnx_test_data_set(const std::string& dir, TestDataPart part) {
  const std::string_view prefix = part == TestDataPart::outputs ? "output_" : "input_";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return unexpected(with_context(make_error(ErrorCode::not_found, "not a folder"), dir));
  }
  if (!std::filesystem::exists(std::filesystem::path(dir) / fmt::format("{}0.pb", prefix), ec)) {
    return unexpected(with_context(
        make_error(ErrorCode::not_found,
                   fmt::format("no `{}0.pb`: not an ONNX test data set folder", prefix)),
        dir));
  }
  MLSTACK_TRY_ASSIGN(const auto io, model_io(dir));
  TensorFile out;
  out.path = dir;
  for (std::size_t k = 0;; ++k) {
    const auto stem = fmt::format("{}{}", prefix, k);
    const auto file = (std::filesystem::path(dir) / (stem + ".pb")).string();
    if (!std::filesystem::exists(file, ec)) {
      break;
    }
    auto kind = OnnxValueKind::unknown;
    if (io) {
      const auto& kinds = part == TestDataPart::outputs ? io->outputs : io->inputs;
      kind = k < kinds.size() ? kinds[k] : OnnxValueKind::unknown;
    }
    MLSTACK_TRY_ASSIGN(auto one, read_value(file, kind));
    for (auto& t : one.tensors) {
      if (out.find(t.name) != nullptr) {
        return unexpected(tensor_error(ErrorCode::parse,
                                       "a second tensor of this name in the data set", file,
                                       t.name));
      }
      out.tensors.push_back(std::move(t));
    }
    for (auto& s : one.storage) {
      out.storage.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace mlstack::tensors
