// SPDX-License-Identifier: MIT
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <string>
#include <string_view>

/// libarchive (Debian's libarchive13), loaded with dlopen on first use and shared by the zip
/// reader (zip_archive.hpp) and the image reader (rootfs/): a run that reads no archive pays
/// nothing for it (linked, it and its ten libraries cost ~5 ms at every start-up).
namespace mlstack::io {

/// The libarchive functions mlstack uses, looked up once with dlopen/dlsym. The types come
/// from <archive.h>, so a signature change is a compile error; nothing is linked.
struct LibArchive {
  decltype(&::archive_read_new) read_new = nullptr;
  decltype(&::archive_read_free) read_free = nullptr;
  decltype(&::archive_read_support_format_zip_seekable) support_zip_seekable = nullptr;
  decltype(&::archive_read_support_format_tar) support_format_tar = nullptr;
  decltype(&::archive_read_support_filter_gzip) support_filter_gzip = nullptr;
  decltype(&::archive_read_support_filter_zstd) support_filter_zstd = nullptr;
  decltype(&::archive_read_support_filter_xz) support_filter_xz = nullptr;
  decltype(&::archive_read_support_filter_bzip2) support_filter_bzip2 = nullptr;
  decltype(&::archive_read_set_format_option) set_format_option = nullptr;
  decltype(&::archive_read_open_fd) open_fd = nullptr;
  decltype(&::archive_read_open_memory) open_memory = nullptr;
  decltype(&::archive_read_set_read_callback) set_read_callback = nullptr;
  decltype(&::archive_read_set_skip_callback) set_skip_callback = nullptr;
  decltype(&::archive_read_set_callback_data) set_callback_data = nullptr;
  decltype(&::archive_read_open1) open1 = nullptr;
  decltype(&::archive_read_next_header) next_header = nullptr;
  decltype(&::archive_read_data) read_data = nullptr;
  decltype(&::archive_read_data_block) read_data_block = nullptr;
  decltype(&::archive_error_string) error_string = nullptr;
  decltype(&::archive_filter_count) filter_count = nullptr;
  decltype(&::archive_filter_bytes) filter_bytes = nullptr;
  decltype(&::archive_filter_code) filter_code = nullptr;
  decltype(&::archive_entry_pathname) entry_pathname = nullptr;
  decltype(&::archive_entry_filetype) entry_filetype = nullptr;
  decltype(&::archive_entry_size) entry_size = nullptr;
  decltype(&::archive_entry_mtime) entry_mtime = nullptr;
  decltype(&::archive_entry_mtime_nsec) entry_mtime_nsec = nullptr;
  decltype(&::archive_entry_mode) entry_mode = nullptr;
  decltype(&::archive_entry_hardlink) entry_hardlink = nullptr;
  decltype(&::archive_entry_symlink) entry_symlink = nullptr;
  decltype(&::archive_entry_sparse_count) entry_sparse_count = nullptr;
  std::string load_error;  // non-empty when the library or a symbol is missing
};

/// The process-wide table, loaded on the first call.
[[nodiscard]] const LibArchive& lib_archive();

/// libarchive converts names to the thread's locale: this makes it UTF-8 for the lifetime of
/// the object, so that UTF-8 names stay as they are.
class Utf8Locale {
 public:
  Utf8Locale();
  Utf8Locale(const Utf8Locale&) = delete;
  Utf8Locale& operator=(const Utf8Locale&) = delete;
  Utf8Locale(Utf8Locale&&) = delete;
  Utf8Locale& operator=(Utf8Locale&&) = delete;
  ~Utf8Locale();

 private:
  locale_t m_previous{};
};

/// libarchive's error message for `a` (lowercased first letter, as mlstack's messages), or
/// `fallback` when it has none.
[[nodiscard]] std::string archive_message(const LibArchive& lib, struct archive* a,
                                          std::string_view fallback);

}  // namespace mlstack::io
