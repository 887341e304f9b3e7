// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/cudalibs/library_table.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Pure parsers for the files that give CUDA library versions: headers, `version.json`,
/// `/etc/ld.so.cache`, `/etc/ld.so.conf`, ELF images. None of them opens a file.
namespace mlstack::cudalibs {

/// The version a library's header declares, from its `#define`s.
///
/// - cuDNN `cudnn_version.h`: `CUDNN_MAJOR`, `CUDNN_MINOR`, `CUDNN_PATCHLEVEL` → `9.19.0`
/// - NCCL `nccl.h`: `NCCL_MAJOR`, `NCCL_MINOR`, `NCCL_PATCH` → `2.28.9`
/// - CUDA runtime `cuda_runtime_api.h`: `CUDART_VERSION 13000` → `13.0` (`major*1000+minor*10`);
///   `cuda.h`'s `CUDA_VERSION` has the same encoding (use `spec` = nullptr for it)
/// - cuBLAS, cuFFT, cuSPARSE, cuSOLVER, cuRAND, cuSPARSELt: `<P>_VER_MAJOR`, `_MINOR`, `_PATCH`
///   and `_BUILD` → `13.1.0.3`
/// Returns nullopt when the macros are missing or not plain integers.
[[nodiscard]] std::optional<std::string> header_version(const LibrarySpec* spec,
                                                        std::string_view header_text);

/// `CUDART_VERSION` / `CUDA_VERSION` integers: 12040 → `12.4`, 13000 → `13.0`.
[[nodiscard]] std::string cuda_version_from_int(std::int64_t value);

/// `version.json` of a CUDA toolkit (11.1+): `{"cuda": {"version": "12.4.1"}, "libcublas":
/// {"version": "12.4.5.8"}, ...}`. Returns the version under `key`, nullopt when absent, an
/// error when the text is not JSON.
[[nodiscard]] Result<std::optional<std::string>> version_json_entry(std::string_view json_text,
                                                                    std::string_view key);

/// One entry of glibc's ld.so.cache: the soname ld.so looks up and the file it maps to.
struct LdCacheEntry {
  std::string soname;      // `libcudnn.so.9`
  std::string path;        // `/usr/lib/x86_64-linux-gnu/libcudnn.so.9`
  std::int32_t flags = 0;  // FLAG_ELF_LIBC6 (3) in the low byte, arch in the next (0x0300 x86-64)
};

/// Parses `/etc/ld.so.cache` in glibc's new format (`glibc-ld.so.cache1.1`), alone or after
/// the old `ld.so-1.7.0` table (glibc < 2.32 wrote both). Layout from glibc
/// `sysdeps/generic/dl-cache.h`: a 48-byte header (magic, nlibs, len_strings, flags, ...),
/// then 24-byte entries {int32 flags; uint32 key, value; uint32 osversion; uint64 hwcap};
/// key/value are offsets from the start of the new-format header.
[[nodiscard]] Result<std::vector<LdCacheEntry>> parse_ld_so_cache(std::string_view bytes);

/// `/etc/ld.so.conf` syntax: one folder per line (`#` comments), `include GLOB` lines
/// (relative globs are relative to the file's folder), `hwcap` lines ignored.
struct LdSoConf {
  std::vector<std::string> dirs;
  std::vector<std::string> includes;
};
[[nodiscard]] LdSoConf parse_ld_so_conf(std::string_view text);

/// `fnmatch` without flags, for `*`, `?` and plain characters (what ld.so.conf globs use).
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view name) noexcept;

/// DT_SONAME of an ELF image held in memory (libelf `elf_memory`); an error when the bytes
/// are not ELF or have no dynamic section or no DT_SONAME.
[[nodiscard]] Result<std::string> elf_soname_from_memory(std::string_view bytes);

/// The version part of a soname: `libcudnn.so.9` → `9`, `libcudart.so.11.0` → `11.0`.
[[nodiscard]] std::string soname_version(std::string_view soname);

/// Number of dot-separated parts (`12.4.127` → 3, `` → 0).
[[nodiscard]] std::size_t version_parts(std::string_view version) noexcept;

/// The first part of a version (`12.4.127` → `12`).
[[nodiscard]] std::string_view version_major(std::string_view version) noexcept;

}  // namespace mlstack::cudalibs
