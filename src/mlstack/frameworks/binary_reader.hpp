// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/facts/build_facts.hpp"

#include <string>
#include <vector>

namespace mlstack::frameworks {

/// A CUDA library linked into a binary, recognised by the version string it carries
/// (`NCCL version 2.10.3+cuda10.2`, `cudnn_version_7_6_5_...`) while the binary does not
/// name the library in DT_NEEDED.
struct EmbeddedLibrary {
  std::string library;   // `cudnn`, `nccl`
  std::string version;   // `7.6.5`
  std::string cuda;      // the CUDA it was built for when the string says (`10.2`), else empty
  std::string evidence;  // "`NCCL version 2.10.3+cuda10.2` in .rodata"
};

/// What JAX's CUDA plugin was built with: the constants its `_versions` module returns.
struct JaxBuildVersions {
  std::string cuda;      // `13.0` (CUDART_VERSION 13000)
  std::string cudnn;     // `9.12.0` (CUDNN_VERSION 91200)
  std::string evidence;  // where in the binary it was read
};

/// Reads what frameworks' shared objects say about themselves: their GPU code, the CUDA
/// libraries linked into them, JAX's build versions. An interface so tests can fake it;
/// `ElfBinaryReader` is the real one (libelf over a read-only mmap: only the headers and
/// sections needed are touched, never the whole of a 1 GB file).
class BinaryReader {
 public:
  BinaryReader() = default;
  BinaryReader(const BinaryReader&) = delete;
  BinaryReader& operator=(const BinaryReader&) = delete;
  BinaryReader(BinaryReader&&) = delete;
  BinaryReader& operator=(BinaryReader&&) = delete;
  virtual ~BinaryReader() = default;

  /// The fatbin index of `path` (`.nv_fatbin`); empty lists when it has no device code.
  [[nodiscard]] virtual Result<facts::GpuCode> gpu_code(const std::string& path) const = 0;
  /// The cuDNN / NCCL version strings in `path`'s read-only data (`add_static_libraries` drops
  /// the ones of libraries `path` links dynamically).
  [[nodiscard]] virtual Result<std::vector<EmbeddedLibrary>> embedded_libraries(
      const std::string& path) const = 0;
  /// The build versions in JAX's `jax_cudaNN_plugin/_versions.so`.
  [[nodiscard]] virtual Result<JaxBuildVersions> jax_build_versions(
      const std::string& path) const = 0;
  /// DT_NEEDED of `path`, in order (`libcudart.so.12`, `libcudnn.so.9`, ...).
  [[nodiscard]] virtual Result<std::vector<std::string>> needed(const std::string& path) const = 0;
};

/// The real reader, over `mlstack::elf`.
class ElfBinaryReader final : public BinaryReader {
 public:
  /// Files as `fs` sees them (an unpacked root, an image archive); the real ones by default.
  explicit ElfBinaryReader(const io::FileSystem& fs = io::real_file_system()) : m_fs(fs) {}
  [[nodiscard]] Result<facts::GpuCode> gpu_code(const std::string& path) const override;
  [[nodiscard]] Result<std::vector<EmbeddedLibrary>> embedded_libraries(
      const std::string& path) const override;
  [[nodiscard]] Result<JaxBuildVersions> jax_build_versions(
      const std::string& path) const override;
  [[nodiscard]] Result<std::vector<std::string>> needed(const std::string& path) const override;

 private:
  const io::FileSystem& m_fs;
};

}  // namespace mlstack::frameworks
