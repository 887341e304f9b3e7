// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/io/file_system.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace mlstack::elf {

/// What JAX's CUDA plugin was built with.
struct JaxBuildVersions {
  std::string cuda;      // `13.0` (CUDART_VERSION 13000)
  std::string cudnn;     // `9.12.0` (CUDNN_VERSION 91200)
  std::string evidence;  // the symbols and constants read
};

/// The integer a function returns through `mov $imm32, %edi` (or `%eax`) in its first
/// `code` bytes, as the nanobind lambdas of JAX's `_versions` module do
/// (`mov $0x32c8,%edi; call PyLong_FromLong`); none when no such instruction is there. x86-64.
[[nodiscard]] std::optional<std::uint32_t> immediate_return(std::span<const std::byte> code);

/// `13000` → `13.0`; `91200` → `9.12.0` (CUDNN_VERSION is major*10000+minor*100+patch from
/// cuDNN 9, major*1000+minor*100+patch before).
[[nodiscard]] std::string cuda_version_text(std::uint32_t cudart_version);
[[nodiscard]] std::string cudnn_version_text(std::uint32_t cudnn_version);

/// Reads `jax_cudaNN_plugin/_versions.so`: jaxlib/cuda/versions.cc registers, in this order,
/// the lambdas `cuda_runtime_build_version` (`$_0`, returns CUDART_VERSION) and
/// `cudnn_build_version` (`$_1`, returns CUDNN_VERSION); their nanobind trampolines are local
/// `.symtab` symbols of `nanobind__versions_exec_impl` whose code loads the constant. An error
/// says why when the file is stripped, not x86-64 code, or laid out otherwise.
[[nodiscard]] Result<JaxBuildVersions> read_jax_build_versions(
    const std::string& path, const io::FileSystem& fs = io::real_file_system());

}  // namespace mlstack::elf
