// SPDX-License-Identifier: MIT
#include "mlstack/frameworks/binary_reader.hpp"

#include "mlstack/elf/elf_file.hpp"
#include "mlstack/elf/embedded_versions.hpp"
#include "mlstack/elf/gpu_code.hpp"
#include "mlstack/elf/jax_versions.hpp"

namespace mlstack::frameworks {

Result<facts::GpuCode> ElfBinaryReader::gpu_code(const std::string& path) const {
  MLSTACK_TRY_ASSIGN(elf::GpuCode code, elf::read_gpu_code(path, m_fs));
  facts::GpuCode out;
  out.path = code.path;
  out.sass = std::move(code.index.sass);
  out.ptx = std::move(code.index.ptx);
  out.sass_entries = code.index.sass_entries;
  out.ptx_entries = code.index.ptx_entries;
  if (!code.index.problems.empty()) {
    return unexpected(make_error(ErrorCode::invalid_data,
                                 "cannot read the CUDA device code of `" + path +
                                     "`: " + code.index.problems.front()));
  }
  return out;
}

Result<std::vector<EmbeddedLibrary>> ElfBinaryReader::embedded_libraries(
    const std::string& path) const {
  MLSTACK_TRY_ASSIGN(elf::ElfFile file, elf::ElfFile::open(m_fs, path));
  std::vector<EmbeddedLibrary> out;
  for (elf::EmbeddedVersion& v : elf::read_embedded_versions(file)) {
    out.push_back({std::move(v.library), std::move(v.version), std::move(v.cuda),
                   std::move(v.evidence)});
  }
  return out;
}

Result<JaxBuildVersions> ElfBinaryReader::jax_build_versions(const std::string& path) const {
  MLSTACK_TRY_ASSIGN(elf::JaxBuildVersions v, elf::read_jax_build_versions(path, m_fs));
  return JaxBuildVersions{std::move(v.cuda), std::move(v.cudnn), std::move(v.evidence)};
}

Result<std::vector<std::string>> ElfBinaryReader::needed(const std::string& path) const {
  MLSTACK_TRY_ASSIGN(elf::ElfFile file, elf::ElfFile::open(m_fs, path));
  MLSTACK_TRY_ASSIGN(elf::DynamicInfo dynamic, file.dynamic());
  return std::move(dynamic.needed);
}

}  // namespace mlstack::frameworks
