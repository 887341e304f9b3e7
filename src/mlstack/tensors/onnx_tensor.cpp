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
#include <vector>

namespace mlstack::tensors {

namespace {

constexpr const char* k_plugin = "libmlstack-onnx.so";

}  // namespace

Result<OnnxPlugin> onnx_plugin() {
  static std::once_flag once;
  static MlstackOnnxParseV1 parse = nullptr;
  static std::string problem;
  std::call_once(once, [] {
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
    std::vector<std::string> tried;
    for (const auto& c : candidates) {
      void* handle = ::dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        const char* why = ::dlerror();
        tried.push_back(fmt::format("{} ({})", c, why != nullptr ? why : "not loadable"));
        continue;
      }
      // POSIX guarantees that a dlsym result converts to a function pointer.
      parse = reinterpret_cast<MlstackOnnxParseV1>(::dlsym(handle, "mlstack_onnx_parse_v1"));
      if (parse != nullptr) {
        return;
      }
      tried.push_back(fmt::format("{} (no mlstack_onnx_parse_v1)", c));
    }
    problem = fmt::format("the ONNX reader plugin {} is not installed; looked for: {}", k_plugin,
                          fmt::join(tried, "; "));
  });
  if (parse == nullptr) {
    return unexpected(make_error(ErrorCode::unsupported, problem));
  }
  return OnnxPlugin{parse};
}

Result<TensorFile> read_onnx_tensor(const std::string& path) {
  MLSTACK_TRY_ASSIGN(auto file, MappedFile::open(path));
  auto plugin = onnx_plugin();
  if (!plugin) {
    return unexpected(with_context(std::move(plugin).error(), path));
  }
  const auto bytes = file->bytes();
  const auto stem = std::filesystem::path(path).stem().string();
  Result<TensorFile> out = unexpected(make_error(ErrorCode::io, "the plugin did not answer"));
  plugin->parse(bytes.data(), bytes.size(), path.c_str(), stem.c_str(), &out);
  return out;
}

Result<TensorFile> read_onnx_test_data_set(const std::string& dir, TestDataPart part) {
  const std::string_view prefix = part == TestDataPart::outputs ? "output_" : "input_";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return unexpected(with_context(make_error(ErrorCode::not_found, "not a folder"), dir));
  }
  TensorFile out;
  out.path = dir;
  for (std::size_t k = 0;; ++k) {
    const auto stem = fmt::format("{}{}", prefix, k);
    const auto file = (std::filesystem::path(dir) / (stem + ".pb")).string();
    if (!std::filesystem::exists(file, ec)) {
      break;
    }
    MLSTACK_TRY_ASSIGN(auto one, read_onnx_tensor(file));
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
  if (out.tensors.empty()) {
    return unexpected(with_context(
        make_error(ErrorCode::not_found,
                   fmt::format("no `{}0.pb`: not an ONNX test data set folder", prefix)),
        dir));
  }
  return out;
}

}  // namespace mlstack::tensors
