// SPDX-License-Identifier: MIT
#include "mlstack/io/zip_archive.hpp"

#include "mlstack/io/lib_archive.hpp"

#include <fcntl.h>
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
                                        archive_message(m_lib, m_archive, "unreadable archive")));
      }
      // ARCHIVE_WARN and ARCHIVE_FAILED still describe the entry; its data may be unreadable.
      const char* name = m_lib.entry_pathname(entry);
      if (name == nullptr) {
        // Python's zipfile refuses the whole archive when a name does not decode.
        return unexpected(archive_error(ErrorCode::invalid_data, m_path,
                                        archive_message(m_lib, m_archive, "a member name does not decode")));
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
        member.error = archive_message(m_lib, m_archive, "unreadable member data");
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
                                    archive_message(lib, a->get(), "not a zip archive")));
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
                                    archive_message(lib, a->get(), "not a zip archive")));
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
