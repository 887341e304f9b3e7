// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::io {
class FileSystem;
}

/// `/etc/ld.so.cache` read as glibc's ld.so reads it (elf/dl-cache.c `_dl_load_cache_lookup`,
/// the layout in sysdeps/generic/dl-cache.h), not through `ldconfig -p`: no process to start,
/// and the same bytes ld.so sees.
namespace mlstack::loader {

/// One cache entry.
struct CacheEntry {
  std::string soname;          // the key (`libcudnn.so.9`)
  std::string path;            // the value (`/usr/lib/x86_64-linux-gnu/libcudnn.so.9`)
  std::int32_t flags = 0;      // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 = 0x303 on x86-64
  std::uint64_t hwcap = 0;     // bit 62: a glibc-hwcaps subfolder's entry
};

/// The entries of a cache file, in file order (ldconfig sorts them by soname).
struct LdCache {
  std::vector<CacheEntry> entries;

  /// The path ld.so takes for `soname`: the first entry with that key whose flags are `flags`
  /// exactly (x86-64's `_dl_cache_check_flags`) and that is not a glibc-hwcaps entry (ld.so
  /// ranks those by the CPU's level; not emulated, and rare); none when there is none.
  [[nodiscard]] std::optional<std::string> lookup(std::string_view soname,
                                                  std::int32_t flags) const;
};

/// x86-64's accepted flags (FLAG_ELF_LIBC6 | FLAG_X8664_LIB64); aarch64's is 0x0a03.
inline constexpr std::int32_t k_cache_flags_x86_64 = 0x0303;
inline constexpr std::int32_t k_cache_flags_aarch64 = 0x0a03;

/// Parses the bytes of a cache in the "new" format (`glibc-ld.so.cache1.1`, what ldconfig has
/// written alone since glibc 2.32), also when it follows an old-format (`ld.so-1.7.0`) part.
/// Header: 17-byte magic, 3-byte version, u32 nlibs, u32 len_strings, u8 flags (byte order:
/// 2 little, 3 big), 3 padding, u32 extension_offset, 3 × u32 unused = 48 bytes; then nlibs
/// 24-byte entries (i32 flags, u32 key, u32 value, u32 osversion, u64 hwcap), string offsets
/// counted from the start of the new-format header. Pure; an error says what is wrong.
[[nodiscard]] Result<LdCache> parse_ld_cache(std::string_view bytes);

/// Reads and parses the cache at `path` (64 MiB at most); errors name the file.
[[nodiscard]] Result<LdCache> read_ld_cache(const io::FileSystem& fs,
                                           const std::string& path = "/etc/ld.so.cache");

}  // namespace mlstack::loader
