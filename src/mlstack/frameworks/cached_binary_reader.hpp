// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/frameworks/binary_reader.hpp"
#include "mlstack/io/file_facts_cache.hpp"
#include "mlstack/io/file_system.hpp"

namespace mlstack::frameworks {

/// A `BinaryReader` that keeps what `inner` reads in an `io::FileFactsCache`, per file and
/// question (`elf.gpu_code`, `elf.embedded`, `elf.jax_versions`, `elf.needed`), errors
/// included: a warm run stats the binary and answers from the cache, without opening it. A
/// binary that cannot be stat'ed is asked of `inner`, uncached. Answers are the same as
/// `inner`'s.
class CachedBinaryReader final : public BinaryReader {
 public:
  CachedBinaryReader(const BinaryReader& inner, const io::FileSystem& fs, io::FileFactsCache& cache)
      : m_inner(inner), m_fs(fs), m_cache(cache) {}

  [[nodiscard]] Result<facts::GpuCode> gpu_code(const std::string& path) const override;
  [[nodiscard]] Result<std::vector<EmbeddedLibrary>> embedded_libraries(
      const std::string& path) const override;
  [[nodiscard]] Result<JaxBuildVersions> jax_build_versions(const std::string& path) const override;
  [[nodiscard]] Result<std::vector<std::string>> needed(const std::string& path) const override;

 private:
  const BinaryReader& m_inner;
  const io::FileSystem& m_fs;
  io::FileFactsCache& m_cache;
};

}  // namespace mlstack::frameworks
