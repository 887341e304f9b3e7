// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/io/file_system.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct Elf;  // libelf's handle; only elf_file.cpp includes <libelf.h>

/// ELF files read through libelf over a read-only mmap: only the pages that hold the headers
/// and the sections asked for are read, so a 1 GB `libtorch_cuda.so` costs a few page faults.
namespace mlstack::elf {

/// One section's raw bytes, pointing into the mapping (valid while the `ElfFile` lives).
struct Section {
  std::string name;
  std::uint64_t offset = 0;   // in the file
  std::uint64_t address = 0;  // sh_addr
  std::span<const std::byte> bytes;
};

/// The dynamic section's names (strings from `.dynstr`).
struct DynamicInfo {
  std::string soname;                // DT_SONAME; empty when there is none
  std::vector<std::string> needed;   // DT_NEEDED, in order
  std::string rpath;                 // DT_RPATH, as written (`$ORIGIN/../lib`)
  std::string runpath;               // DT_RUNPATH
  std::uint64_t flags_1 = 0;         // DT_FLAGS_1 (DF_1_NODEFLIB = 0x800, ...)
  unsigned elf_class = 0;            // ELFCLASS32 (1) or ELFCLASS64 (2), from the ELF header
  unsigned machine = 0;              // e_machine (EM_X86_64 = 62, EM_AARCH64 = 183)

  /// DF_1_NODEFLIB: ld.so neither takes the cache's nor the default directories' copy of this
  /// object's dependencies.
  [[nodiscard]] bool nodeflib() const noexcept { return (flags_1 & 0x800U) != 0; }
};

/// The versions a file needs from one of its dependencies (one `.gnu.version_r` entry).
struct VersionNeed {
  std::string file;                   // the soname the versions are needed from (`libstdc++.so.6`)
  std::vector<std::string> versions;  // `GLIBCXX_3.4.29`, `CXXABI_1.3.13`, in file order
  std::vector<bool> weak;             // VER_FLG_WEAK per version (same order)
};

/// `.gnu.version_r` (what a file needs) and `.gnu.version_d` (what it defines).
struct SymbolVersions {
  std::vector<VersionNeed> needs;
  /// Version definitions without the base one (the file's own name, VER_FLG_BASE), in file
  /// order: `GLIBCXX_3.4`, ..., `CXXABI_1.3`, ...
  std::vector<std::string> definitions;
};

/// A `.symtab` symbol.
struct Symbol {
  std::string name;
  std::uint64_t value = 0;  // the address (st_value)
  std::uint64_t size = 0;
  bool function = false;    // STT_FUNC
};

/// An ELF file (shared object, executable, relocatable object), 32- or 64-bit, either
/// byte order. Move-only; the mapping is released with it.
///
/// **Example**
/// ```
/// auto f = ElfFile::open("torch/lib/libtorch_cuda.so");
/// f->section(".nv_fatbin")->bytes.size()  // 626 MB, none of it read yet
/// ```
class ElfFile {
 public:
  /// Opens `path` read-only (`O_NONBLOCK`: a FIFO named like a library never blocks). Errors
  /// name the path: not found, not a regular file, not an ELF file.
  [[nodiscard]] static Result<ElfFile> open(const std::string& path);
  /// Opens `path` as `fs` sees it (`io::FileSystem::open_region`): a file on disk, in an
  /// unpacked root, or a member of an uncompressed image layer (mapped at its offset in the
  /// archive). Errors as `open`'s.
  [[nodiscard]] static Result<ElfFile> open(const io::FileSystem& fs, const std::string& path);
  /// An ELF image in memory (tests, archive members); the bytes are copied.
  [[nodiscard]] static Result<ElfFile> from_memory(std::string_view bytes, std::string name);

  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;
  ElfFile(ElfFile&& other) noexcept;
  ElfFile& operator=(ElfFile&& other) noexcept;
  ~ElfFile();

  [[nodiscard]] const std::string& path() const noexcept { return m_path; }
  /// The first section named `name` with file contents (not SHT_NOBITS), or none.
  [[nodiscard]] std::optional<Section> section(std::string_view name) const;
  /// Asks the kernel to read `bytes` (a section of this file) ahead: for a scan of the whole
  /// section. The file is mapped for random access otherwise (a fatbin index touches a few
  /// bytes per entry), so a cold read does not pull in the 1 GB around them. No-op in memory.
  void will_scan(std::span<const std::byte> bytes) const noexcept;
  /// Reads `out.size()` bytes at `offset` of the file with pread (in memory: a copy), without
  /// touching the mapping; false when they cannot all be read. The file is opened for random
  /// access (POSIX_FADV_RANDOM): no readahead around the bytes asked for.
  [[nodiscard]] bool read_at(std::uint64_t offset, std::span<std::byte> out) const noexcept;
  /// DT_SONAME, DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_FLAGS_1 and the header's class and
  /// machine; an error when there is no dynamic section.
  [[nodiscard]] Result<DynamicInfo> dynamic() const;
  /// The symbol versions the file needs and defines (empty when it has no version sections).
  [[nodiscard]] SymbolVersions symbol_versions() const;
  /// `.symtab` symbols whose name `keep` accepts (none when the file is stripped).
  [[nodiscard]] std::vector<Symbol> symbols(
      const std::function<bool(std::string_view)>& keep) const;
  /// Up to `count` bytes of the section holding virtual address `address` (code of a symbol),
  /// from that address on; empty when no section with contents holds it.
  [[nodiscard]] std::span<const std::byte> bytes_at(std::uint64_t address,
                                                     std::size_t count) const;

 private:
  ElfFile() = default;
  void reset() noexcept;

  std::string m_path;
  int m_fd = -1;
  std::uint64_t m_offset = 0;  // of the ELF image in `m_fd` (a member of an archive)
  std::uint64_t m_size = 0;    // of the ELF image
  void* m_map = nullptr;       // our own mapping of a region (not the whole file), or null
  std::size_t m_map_size = 0;
  ::Elf* m_elf = nullptr;
  std::vector<char> m_image;  // from_memory only
};

}  // namespace mlstack::elf
