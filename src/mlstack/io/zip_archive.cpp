// SPDX-License-Identifier: MIT
#include "mlstack/io/zip_archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <utility>

namespace mlstack::io {
namespace {

// The soname of Debian's libarchive13 (the ABI has been 13 since libarchive 3.0).
constexpr const char* k_library = "libarchive.so.13";

// The libarchive functions used, looked up once with dlopen/dlsym. The types come from
// <archive.h>, so a signature change is a compile error; nothing is linked.
struct LibArchive {
  decltype(&::archive_read_new) read_new = nullptr;
  decltype(&::archive_read_free) read_free = nullptr;
  decltype(&::archive_read_support_format_zip_seekable) support_zip_seekable = nullptr;
  decltype(&::archive_read_set_format_option) set_format_option = nullptr;
  decltype(&::archive_read_open_fd) open_fd = nullptr;
  decltype(&::archive_read_open_memory) open_memory = nullptr;
  decltype(&::archive_read_next_header) next_header = nullptr;
  decltype(&::archive_read_data) read_data = nullptr;
  decltype(&::archive_error_string) error_string = nullptr;
  decltype(&::archive_entry_pathname) entry_pathname = nullptr;
  std::string load_error;  // non-empty when the library or a symbol is missing
};

template <class F>
void lookup(void* handle, const char* name, F& out, std::string& error) {
  // POSIX guarantees that a dlsym result converts to a function pointer.
  out = reinterpret_cast<F>(::dlsym(handle, name));
  if (out == nullptr && error.empty()) {
    error = fmt::format("{} has no `{}`", k_library, name);
  }
}

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
    lookup(handle, "archive_read_new", l.read_new, l.load_error);
    lookup(handle, "archive_read_free", l.read_free, l.load_error);
    lookup(handle, "archive_read_support_format_zip_seekable", l.support_zip_seekable,
           l.load_error);
    lookup(handle, "archive_read_set_format_option", l.set_format_option, l.load_error);
    lookup(handle, "archive_read_open_fd", l.open_fd, l.load_error);
    lookup(handle, "archive_read_open_memory", l.open_memory, l.load_error);
    lookup(handle, "archive_read_next_header", l.next_header, l.load_error);
    lookup(handle, "archive_read_data", l.read_data, l.load_error);
    lookup(handle, "archive_error_string", l.error_string, l.load_error);
    lookup(handle, "archive_entry_pathname", l.entry_pathname, l.load_error);
    return l;
  }();
  return lib;
}

// libarchive converts member names to the thread's locale: make it UTF-8 while reading, so
// that names flagged UTF-8 stay as they are and others are decoded from CP437, as Python's
// zipfile decodes them.
class Utf8Locale {
 public:
  Utf8Locale() {
    static const locale_t utf8 = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
    if (utf8 != locale_t{}) {
      m_previous = ::uselocale(utf8);
    }
  }
  Utf8Locale(const Utf8Locale&) = delete;
  Utf8Locale& operator=(const Utf8Locale&) = delete;
  Utf8Locale(Utf8Locale&&) = delete;
  Utf8Locale& operator=(Utf8Locale&&) = delete;
  ~Utf8Locale() {
    if (m_previous != locale_t{}) {
      ::uselocale(m_previous);
    }
  }

 private:
  locale_t m_previous{};
};

// libarchive's messages start with a capital; mlstack's start lowercase.
std::string message_of(const LibArchive& lib, struct archive* a, std::string_view fallback) {
  const char* text = lib.error_string(a);
  std::string out = text != nullptr && text[0] != '\0' ? std::string(text) : std::string(fallback);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z' && (out.size() < 2 || out[1] < 'A' || out[1] > 'Z')) {
    out[0] = static_cast<char>(out[0] - 'A' + 'a');
  }
  return out;
}

Error archive_error(ErrorCode code, std::string_view path, std::string_view what) {
  return make_error(code, fmt::format("cannot read the zip archive `{}`: {}", path, what));
}

struct ArchiveCloser {
  const LibArchive* lib;
  void operator()(struct archive* a) const noexcept { lib->read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveCloser>;

}  // namespace

// Reads the member list and the selected members of an opened archive.
class ZipReader {
 public:
  ZipReader(const LibArchive& lib, struct archive* a, std::string_view path,
            const ZipLimits& limits)
      : m_lib(lib), m_archive(a), m_path(path), m_limits(limits) {}

  Result<ZipArchive> read(const ZipSelect& select) {
    ZipArchive out;
    std::size_t name_bytes = 0;
    std::size_t selected_bytes = 0;
    while (true) {
      struct archive_entry* entry = nullptr;
      const int rc = m_lib.next_header(m_archive, &entry);
      if (rc == ARCHIVE_EOF) {
        break;
      }
      if (rc == ARCHIVE_FATAL || rc == ARCHIVE_RETRY || entry == nullptr) {
        return unexpected(archive_error(ErrorCode::invalid_data, m_path,
                                        message_of(m_lib, m_archive, "unreadable archive")));
      }
      // ARCHIVE_WARN and ARCHIVE_FAILED still describe the entry; its data may be unreadable.
      const char* name = m_lib.entry_pathname(entry);
      if (name == nullptr) {
        // Python's zipfile refuses the whole archive when a name does not decode.
        return unexpected(archive_error(ErrorCode::invalid_data, m_path,
                                        message_of(m_lib, m_archive, "a member name does not decode")));
      }
      if (out.m_names.size() >= m_limits.max_members) {
        return unexpected(archive_error(
            ErrorCode::invalid_data, m_path,
            fmt::format("it has more than {} members", m_limits.max_members)));
      }
      const std::string_view name_view(name);
      name_bytes += name_view.size();
      if (name_bytes > m_limits.max_name_bytes) {
        return unexpected(archive_error(
            ErrorCode::invalid_data, m_path,
            fmt::format("its member names take more than {} bytes", m_limits.max_name_bytes)));
      }
      out.m_names.emplace_back(name_view);
      // Data not read is skipped by the next archive_read_next_header, without inflating.
      if (rc == ARCHIVE_FAILED || !select(name_view)) {
        continue;
      }
      ZipMemberData& member = out.m_selected[out.m_names.back()];
      selected_bytes -= std::min(selected_bytes, member.data.size());  // a repeated name
      member = ZipMemberData{};
      const std::size_t room = m_limits.max_selected_bytes - std::min(m_limits.max_selected_bytes,
                                                                      selected_bytes);
      read_member(member, std::min(m_limits.max_member_size, room));
      selected_bytes += member.data.size();
    }
    out.m_sorted.resize(out.m_names.size());
    for (std::size_t i = 0; i < out.m_sorted.size(); ++i) {
      out.m_sorted[i] = static_cast<std::uint32_t>(i);
    }
    std::sort(out.m_sorted.begin(), out.m_sorted.end(), [&out](std::uint32_t x, std::uint32_t y) {
      return out.m_names[x] < out.m_names[y];
    });
    return out;
  }

 private:
  void read_member(ZipMemberData& member, std::size_t cap) {
    std::array<char, 65536> buffer{};
    while (true) {
      const la_ssize_t n = m_lib.read_data(m_archive, buffer.data(), buffer.size());
      if (n == 0) {
        return;
      }
      if (n < 0) {
        member.data.clear();
        member.error = message_of(m_lib, m_archive, "unreadable member data");
        return;
      }
      const auto got = static_cast<std::size_t>(n);
      if (member.data.size() + got > cap) {
        member.data.clear();
        member.data.shrink_to_fit();
        member.status.kind = IoStatus::Kind::too_large;
        return;
      }
      member.data.append(buffer.data(), got);
    }
  }

  const LibArchive& m_lib;
  struct archive* m_archive;
  std::string_view m_path;
  const ZipLimits& m_limits;
};

namespace {

// A libarchive reader for zip archives through the central directory (as Python reads them).
Result<ArchivePtr> new_reader(const LibArchive& lib, std::string_view path) {
  if (!lib.load_error.empty()) {
    return unexpected(archive_error(ErrorCode::unsupported, path, lib.load_error));
  }
  ArchivePtr a(lib.read_new(), ArchiveCloser{&lib});
  if (!a || lib.support_zip_seekable(a.get()) != ARCHIVE_OK) {
    return unexpected(archive_error(ErrorCode::io, path, "libarchive could not start a reader"));
  }
  // Names without the UTF-8 flag are CP437 (the zip specification; zipfile decodes so too).
  // Where iconv lacks CP437 they stay as stored.
  (void)lib.set_format_option(a.get(), "zip", "hdrcharset", "CP437");
  return a;
}

}  // namespace

Result<ZipArchive> ZipArchive::read_file(const std::string& path, const ZipLimits& limits,
                                         const ZipSelect& select) {
  const LibArchive& lib = lib_archive();
  const Utf8Locale locale;
  auto a = new_reader(lib, path);
  if (!a) {
    return unexpected(std::move(a.error()));
  }
  // O_NONBLOCK: a FIFO must not wait for a writer; it is refused below anyway.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    return unexpected(make_io_error(IoStatus::from_errno(errno), "read the zip archive", path));
  }
  struct FdCloser {
    explicit FdCloser(int f) noexcept : fd(f) {}
    int fd;
    FdCloser(const FdCloser&) = delete;
    FdCloser& operator=(const FdCloser&) = delete;
    FdCloser(FdCloser&&) = delete;
    FdCloser& operator=(FdCloser&&) = delete;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return unexpected(make_io_error(IoStatus::from_errno(errno), "read the zip archive", path));
  }
  if (!S_ISREG(st.st_mode)) {
    IoStatus s;
    s.kind = S_ISDIR(st.st_mode) ? IoStatus::Kind::is_directory : IoStatus::Kind::not_regular;
    s.errno_value = S_ISDIR(st.st_mode) ? EISDIR : 0;
    return unexpected(make_io_error(s, "read the zip archive", path));
  }
  if (lib.open_fd(a->get(), fd, 65536) != ARCHIVE_OK) {
    return unexpected(archive_error(ErrorCode::invalid_data, path,
                                    message_of(lib, a->get(), "not a zip archive")));
  }
  ZipReader reader(lib, a->get(), path, limits);
  return reader.read(select);
}

Result<ZipArchive> ZipArchive::read_memory(std::string_view bytes, std::string_view path,
                                           const ZipLimits& limits, const ZipSelect& select) {
  const LibArchive& lib = lib_archive();
  const Utf8Locale locale;
  auto a = new_reader(lib, path);
  if (!a) {
    return unexpected(std::move(a.error()));
  }
  if (lib.open_memory(a->get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return unexpected(archive_error(ErrorCode::invalid_data, path,
                                    message_of(lib, a->get(), "not a zip archive")));
  }
  ZipReader reader(lib, a->get(), path, limits);
  return reader.read(select);
}

const ZipMemberData* ZipArchive::find(std::string_view name) const {
  const auto it = m_selected.find(std::string(name));
  return it == m_selected.end() ? nullptr : &it->second;
}

bool ZipArchive::is_directory(std::string_view dir) const {
  std::string prefix(dir);
  prefix.push_back('/');
  const auto it = std::lower_bound(
      m_sorted.begin(), m_sorted.end(), prefix,
      [this](std::uint32_t i, const std::string& p) { return m_names[i] < p; });
  return it != m_sorted.end() && m_names[*it].starts_with(prefix);
}

Result<ZipArchive> FileSystem::read_zip(const std::string& path, const ZipLimits& limits,
                                        const std::function<bool(std::string_view)>& select) const {
  std::string bytes;
  const IoStatus s = read_file(path, limits.max_archive_size, bytes);
  if (!s.ok()) {
    return unexpected(make_io_error(s, "read the zip archive", path));
  }
  return ZipArchive::read_memory(bytes, path, limits, select);
}

Result<ZipArchive> RealFileSystem::read_zip(
    const std::string& path, const ZipLimits& limits,
    const std::function<bool(std::string_view)>& select) const {
  return ZipArchive::read_file(path, limits, select);
}

}  // namespace mlstack::io
