// SPDX-License-Identifier: MIT
// ElfObjectReader: the real files (the I/O half of resolve.hpp).
#include "mlstack/elf/elf_file.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/loader/resolve.hpp"

namespace mlstack::loader {

Result<ObjectInfo> ElfObjectReader::read(const std::string& path) const {
  io::FileStat st;
  if (const io::IoStatus status = m_fs.stat(path, io::Follow::yes, st); !status.ok()) {
    // ld.so goes on to the next folder when open fails (ENOENT, EACCES, ENOTDIR).
    return unexpected(
        make_error(ErrorCode::not_found, io::make_io_error(status, "read", path).message));
  }
  auto file = elf::ElfFile::open(m_fs, path);
  if (!file) {
    return unexpected(file.error());
  }
  auto dynamic = file->dynamic();
  if (!dynamic) {
    return unexpected(dynamic.error());
  }
  return ObjectInfo{std::move(*dynamic), file->symbol_versions(), st.device, st.inode};
}

}  // namespace mlstack::loader
