// SPDX-License-Identifier: MIT
#include "mlstack/io/lib_archive.hpp"

#include <dlfcn.h>

#include <fmt/format.h>

namespace mlstack::io {
namespace {

// The soname of Debian's libarchive13 (the ABI has been 13 since libarchive 3.0).
constexpr const char* k_library = "libarchive.so.13";

template <class F>
void lookup(void* handle, const char* name, F& out, std::string& error) {
  // POSIX guarantees that a dlsym result converts to a function pointer.
  out = reinterpret_cast<F>(::dlsym(handle, name));
  if (out == nullptr && error.empty()) {
    error = fmt::format("{} has no `{}`", k_library, name);
  }
}

}  // namespace

const LibArchive& lib_archive() {
  static const LibArchive lib = [] {
    LibArchive l;
    void* handle = ::dlopen(k_library, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      l.load_error = fmt::format("{} could not be loaded ({}); install Debian's libarchive13",
                                 k_library, why != nullptr ? why : "unknown dlopen error");
      return l;
    }
    // The handle stays open for the life of the process.
    std::string& e = l.load_error;
    lookup(handle, "archive_read_new", l.read_new, e);
    lookup(handle, "archive_read_free", l.read_free, e);
    lookup(handle, "archive_read_support_format_zip_seekable", l.support_zip_seekable, e);
    lookup(handle, "archive_read_support_format_tar", l.support_format_tar, e);
    lookup(handle, "archive_read_support_filter_gzip", l.support_filter_gzip, e);
    lookup(handle, "archive_read_support_filter_zstd", l.support_filter_zstd, e);
    lookup(handle, "archive_read_support_filter_xz", l.support_filter_xz, e);
    lookup(handle, "archive_read_support_filter_bzip2", l.support_filter_bzip2, e);
    lookup(handle, "archive_read_set_format_option", l.set_format_option, e);
    lookup(handle, "archive_read_open_fd", l.open_fd, e);
    lookup(handle, "archive_read_open_memory", l.open_memory, e);
    lookup(handle, "archive_read_set_read_callback", l.set_read_callback, e);
    lookup(handle, "archive_read_set_skip_callback", l.set_skip_callback, e);
    lookup(handle, "archive_read_set_callback_data", l.set_callback_data, e);
    lookup(handle, "archive_read_open1", l.open1, e);
    lookup(handle, "archive_read_next_header", l.next_header, e);
    lookup(handle, "archive_read_data", l.read_data, e);
    lookup(handle, "archive_read_data_block", l.read_data_block, e);
    lookup(handle, "archive_error_string", l.error_string, e);
    lookup(handle, "archive_filter_count", l.filter_count, e);
    lookup(handle, "archive_filter_bytes", l.filter_bytes, e);
    lookup(handle, "archive_filter_code", l.filter_code, e);
    lookup(handle, "archive_entry_pathname", l.entry_pathname, e);
    lookup(handle, "archive_entry_filetype", l.entry_filetype, e);
    lookup(handle, "archive_entry_size", l.entry_size, e);
    lookup(handle, "archive_entry_mtime", l.entry_mtime, e);
    lookup(handle, "archive_entry_mtime_nsec", l.entry_mtime_nsec, e);
    lookup(handle, "archive_entry_mode", l.entry_mode, e);
    lookup(handle, "archive_entry_hardlink", l.entry_hardlink, e);
    lookup(handle, "archive_entry_symlink", l.entry_symlink, e);
    lookup(handle, "archive_entry_sparse_count", l.entry_sparse_count, e);
    return l;
  }();
  return lib;
}

Utf8Locale::Utf8Locale() {
  static const locale_t utf8 = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
  if (utf8 != locale_t{}) {
    m_previous = ::uselocale(utf8);
  }
}

Utf8Locale::~Utf8Locale() {
  if (m_previous != locale_t{}) {
    ::uselocale(m_previous);
  }
}

std::string archive_message(const LibArchive& lib, struct archive* a, std::string_view fallback) {
  const char* text = lib.error_string(a);
  std::string out = text != nullptr && text[0] != '\0' ? std::string(text) : std::string(fallback);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z' &&
      (out.size() < 2 || out[1] < 'A' || out[1] > 'Z')) {
    out[0] = static_cast<char>(out[0] - 'A' + 'a');
  }
  return out;
}

}  // namespace mlstack::io
