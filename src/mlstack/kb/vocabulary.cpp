// SPDX-License-Identifier: MIT
#include "mlstack/kb/detail/vocabulary.hpp"

#include <array>

namespace mlstack::kb::detail {
namespace {

// `python` and `driver` are always bound; `framework`/`other` by for_each framework(s),
// `device` by for_each device, `library` by for_each framework_library.
constexpr std::array<FieldInfo, 54> k_fields = {{
    {"python", "version", Field::python_version, Type::version},
    {"driver", "present", Field::driver_present, Type::boolean},
    {"driver", "version", Field::driver_version, Type::version},
    {"driver", "cuda", Field::driver_cuda, Type::version},
    {"framework", "name", Field::fw_name, Type::string},
    {"framework", "distribution", Field::fw_distribution, Type::string},
    {"framework", "version", Field::fw_version, Type::version},
    {"framework", "cuda", Field::fw_cuda, Type::version},
    {"framework", "cuda_major", Field::fw_cuda_major, Type::integer},
    {"framework", "cudnn", Field::fw_cudnn, Type::version},
    {"framework", "cudnn_major", Field::fw_cudnn_major, Type::integer},
    {"framework", "nccl", Field::fw_nccl, Type::version},
    {"framework", "nccl_major", Field::fw_nccl_major, Type::integer},
    {"framework", "gpu_build", Field::fw_gpu_build, Type::boolean},
    {"framework", "archs", Field::fw_archs, Type::list},
    {"framework", "archs_source", Field::fw_archs_source, Type::string},
    {"framework", "cudnn_package", Field::fw_cudnn_package, Type::string},
    {"framework", "cuda_install", Field::fw_cuda_install, Type::string},
    {"framework", "libs_found", Field::fw_libs_found, Type::integer},
    {"framework", "libs_missing", Field::fw_libs_missing, Type::list},
    {"framework", "libs_fix", Field::fw_libs_fix, Type::string},
    {"other", "name", Field::fw_name, Type::string},
    {"other", "distribution", Field::fw_distribution, Type::string},
    {"other", "version", Field::fw_version, Type::version},
    {"other", "cuda", Field::fw_cuda, Type::version},
    {"other", "cuda_major", Field::fw_cuda_major, Type::integer},
    {"other", "cudnn", Field::fw_cudnn, Type::version},
    {"other", "cudnn_major", Field::fw_cudnn_major, Type::integer},
    {"other", "nccl", Field::fw_nccl, Type::version},
    {"other", "nccl_major", Field::fw_nccl_major, Type::integer},
    {"other", "gpu_build", Field::fw_gpu_build, Type::boolean},
    {"other", "archs", Field::fw_archs, Type::list},
    {"other", "archs_source", Field::fw_archs_source, Type::string},
    {"other", "cudnn_package", Field::fw_cudnn_package, Type::string},
    {"other", "cuda_install", Field::fw_cuda_install, Type::string},
    {"other", "libs_found", Field::fw_libs_found, Type::integer},
    {"other", "libs_missing", Field::fw_libs_missing, Type::list},
    {"other", "libs_fix", Field::fw_libs_fix, Type::string},
    {"device", "index", Field::device_index, Type::integer},
    {"device", "name", Field::device_name, Type::string},
    {"device", "compute_capability", Field::device_compute_capability, Type::version},
    {"library", "name", Field::lib_name, Type::string},
    {"library", "title", Field::lib_title, Type::string},
    {"library", "major", Field::lib_major, Type::integer},
    {"library", "need", Field::lib_need, Type::version},
    {"library", "how", Field::lib_how, Type::string},
    {"library", "path", Field::lib_path, Type::string},
    {"library", "version", Field::lib_version, Type::version},
    {"library", "package", Field::lib_package, Type::string},
    {"library", "cuda_major", Field::lib_cuda_major, Type::integer},
    {"library", "users", Field::lib_users, Type::list},
    {"library", "fix", Field::lib_fix, Type::string},
    {"library", "soname", Field::lib_soname, Type::string},
    {"library", "linked_by", Field::lib_linked_by, Type::string},
}};

}  // namespace

std::span<const FieldInfo> fields() noexcept { return k_fields; }

const std::vector<FunctionInfo>& functions() {
  static const std::vector<FunctionInfo> k_functions = {
      {"installed", Function::installed, {}, true, Type::boolean},
      {"version", Function::version, {}, true, Type::version},
      {"major", Function::major, {Type::version}, false, Type::integer},
      {"minor", Function::minor, {Type::version}, false, Type::integer},
      {"major_minor", Function::major_minor, {Type::version}, false, Type::version},
      {"cuda_min_driver", Function::cuda_min_driver, {Type::version}, false, Type::version},
      {"cuda_compat_driver", Function::cuda_compat_driver, {Type::version}, false, Type::version},
      {"cuda_min_cc", Function::cuda_min_cc, {Type::version}, false, Type::version},
      {"gpu_compute_capability",
       Function::gpu_compute_capability,
       {Type::string},
       false,
       Type::version},
      {"has_sass", Function::has_sass, {Type::list, Type::version}, false, Type::boolean},
      {"has_ptx", Function::has_ptx, {Type::list, Type::version}, false, Type::boolean},
      {"library_found",
       Function::library_found,
       {Type::string, Type::integer},
       false,
       Type::boolean},
      {"library_version",
       Function::library_version,
       {Type::string, Type::integer},
       false,
       Type::version},
      {"gpu_build", Function::gpu_build, {Type::string}, false, Type::boolean},
      {"device_count", Function::device_count, {}, false, Type::integer},
      {"system_searched", Function::system_searched, {}, false, Type::boolean},
      {"env", Function::env, {Type::string}, false, Type::string},
      {"compat_driver", Function::compat_driver, {}, false, Type::version},
      {"data_center_gpus", Function::data_center_gpus, {}, false, Type::boolean},
      {"gpu_segment", Function::gpu_segment, {Type::string}, false, Type::string},
      {"build_with_arch",
       Function::build_with_arch,
       {Type::string, Type::version, Type::version},
       false,
       Type::string},
      {"build_with_sass",
       Function::build_with_sass,
       {Type::string, Type::version, Type::version},
       false,
       Type::string},
  };
  return k_functions;
}

std::optional<Binding> binding_of(std::string_view object) noexcept {
  if (object == "framework") {
    return Binding::framework;
  }
  if (object == "other") {
    return Binding::other;
  }
  if (object == "device") {
    return Binding::device;
  }
  if (object == "library") {
    return Binding::library;
  }
  return std::nullopt;
}

}  // namespace mlstack::kb::detail
