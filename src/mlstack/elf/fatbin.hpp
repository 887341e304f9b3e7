// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace mlstack::elf {

/// What a `.nv_fatbin` section holds, as `cuobjdump --list-elf` / `--list-ptx` list it.
struct FatbinIndex {
  std::vector<std::string> sass;  // `sm_75`, `sm_90a`: sorted by architecture, unique
  std::vector<std::string> ptx;   // `compute_90`, `compute_100f`
  std::size_t sass_entries = 0;   // one per cubin (compilation unit and architecture)
  std::size_t ptx_entries = 0;
  std::size_t other_entries = 0;  // other kinds (LTO IR, ...)
  std::size_t fatbins = 0;
  std::vector<std::string> problems;  // bytes that are not a well-formed fatbin, one sentence each
};

/// Indexes the fatbins in `bytes` (a `.nv_fatbin` section) from their headers alone, jumping
/// from entry header to entry header: no payload byte is read. Pure; never reads outside
/// `bytes`. (A file's section is indexed with the `SectionReader` form below.)
///
/// Layout (what nvcc writes; checked against cuobjdump on nvcc-built objects and real wheels'
/// libraries, tests/unit/elf): fatbins start 8-aligned, each with a 16-byte header (u32 magic
/// 0xBA55ED50, u16 version, u16 header size, u64 size of the entries after it); zero padding
/// may separate them. An entry is a header (u16 kind: 1 PTX, 2 cubin; u16 version; u32 header
/// size; u64 payload size; u32 SM number at offset 28; u64 flags at offset 40, where 0x100000
/// marks arch-specific code `a` and 0x200000 family code `f`) and its payload.
/// cuobjdump names a family cubin by its plain architecture (`sm_100`), family PTX with `f`
/// (`compute_100f`); so does this.
///
/// **Example**
/// ```
/// index_fatbin(section.bytes).sass  // {"sm_75", "sm_80", "sm_86", "sm_90", "sm_90a", ...}
/// ```
[[nodiscard]] FatbinIndex index_fatbin(std::span<const std::byte> bytes);

/// Reads `out.size()` bytes at `offset` of a section into `out`; false when they cannot all
/// be read.
using SectionReader = std::function<bool(std::uint64_t offset, std::span<std::byte> out)>;

/// `index_fatbin` over a section of `size` bytes read through `read`, a few KB at each entry
/// header (`ElfFile::read_at`: pread, where touching a mapping would fault in, and later unmap,
/// 16 pages around every header). A failed read ends the index with a problem.
[[nodiscard]] FatbinIndex index_fatbin(std::uint64_t size, const SectionReader& read);

/// `sm_90a` → 90: the number used to sort architectures; 0 for anything else.
[[nodiscard]] unsigned arch_number(std::string_view arch) noexcept;

}  // namespace mlstack::elf
