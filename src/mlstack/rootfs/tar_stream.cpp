// SPDX-License-Identifier: MIT
#include "mlstack/rootfs/tar_stream.hpp"

#include "mlstack/io/lib_archive.hpp"

#include <sys/types.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace mlstack::rootfs {
namespace {

// Reads of a compressed stream are large (inflating wants bulk); reads of an uncompressed one
// are small, because after a skip (a seek) all that is needed is the next header.
constexpr std::size_t k_read_size = std::size_t{256} << 10U;
constexpr std::size_t k_header_read_size = std::size_t{16} << 10U;

io::FileKind kind_of(unsigned type) {
  switch (type) {
    case AE_IFREG: return io::FileKind::regular;
    case AE_IFDIR: return io::FileKind::directory;
    case AE_IFLNK: return io::FileKind::symlink;
    case AE_IFIFO: return io::FileKind::fifo;
    case AE_IFSOCK: return io::FileKind::socket;
    case AE_IFCHR: return io::FileKind::char_device;
    case AE_IFBLK: return io::FileKind::block_device;
    default: return io::FileKind::unknown;
  }
}

}  // namespace

struct TarStream::Source {
  ByteRange range;
  std::uint64_t position = 0;
  std::vector<char> buffer;
  std::size_t chunk = k_read_size;
  int error = 0;  // errno of a failed pread

  static la_ssize_t read(struct archive* /*a*/, void* self, const void** out) {
    auto& s = *static_cast<Source*>(self);
    const std::uint64_t left = s.range.size - s.position;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, s.chunk));
    if (want == 0) {
      *out = s.buffer.data();
      return 0;
    }
    while (true) {
      const ssize_t n = ::pread(s.range.fd, s.buffer.data(), want,
                                static_cast<off_t>(s.range.offset + s.position));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        s.error = errno;
        return -1;
      }
      s.position += static_cast<std::uint64_t>(n);
      *out = s.buffer.data();
      return n;
    }
  }

  static la_int64_t skip(struct archive* /*a*/, void* self, la_int64_t request) {
    auto& s = *static_cast<Source*>(self);
    if (request <= 0) {
      return 0;
    }
    const std::uint64_t n = std::min<std::uint64_t>(static_cast<std::uint64_t>(request),
                                                     s.range.size - s.position);
    s.position += n;
    return static_cast<la_int64_t>(n);
  }
};

Result<std::unique_ptr<TarStream>> TarStream::open(ByteRange range, std::string name) {
  const io::LibArchive& lib = io::lib_archive();
  if (!lib.load_error.empty()) {
    return unexpected(make_error(ErrorCode::unsupported,
                                 fmt::format("cannot read {}: {}", name, lib.load_error)));
  }
  std::unique_ptr<TarStream> out(new TarStream());
  out->m_name = std::move(name);
  out->m_source = std::make_unique<Source>();
  out->m_source->range = range;
  out->m_source->buffer.resize(k_read_size);
  // A filter that libarchive would run as an external program answers ARCHIVE_WARN: such a
  // filter is left out (the reader is made again without it).
  using Support = int (*)(struct archive*);
  const Support filters[] = {lib.support_filter_gzip, lib.support_filter_zstd,
                             lib.support_filter_xz, lib.support_filter_bzip2};
  unsigned skip_mask = 0;
  for (int attempt = 0; attempt < 5 && out->m_archive == nullptr; ++attempt) {
    struct archive* a = lib.read_new();
    if (a == nullptr) {
      return unexpected(make_error(ErrorCode::io, fmt::format("cannot read {}: libarchive could "
                                                              "not start a reader", out->m_name)));
    }
    bool again = false;
    for (unsigned i = 0; i < 4; ++i) {
      if ((skip_mask & (1U << i)) == 0 && filters[i](a) == ARCHIVE_WARN) {
        skip_mask |= 1U << i;
        again = true;
      }
    }
    if (again) {
      lib.read_free(a);
      continue;
    }
    out->m_archive = a;
  }
  if (out->m_archive == nullptr) {
    return unexpected(make_error(ErrorCode::io, fmt::format("cannot read {}: libarchive could "
                                                            "not start a reader", out->m_name)));
  }
  struct archive* a = out->m_archive;
  (void)lib.support_format_tar(a);
  // Names in pax headers are UTF-8; others are kept as stored.
  const io::Utf8Locale locale;
  (void)lib.set_read_callback(a, &Source::read);
  (void)lib.set_skip_callback(a, &Source::skip);
  (void)lib.set_callback_data(a, out->m_source.get());
  if (lib.open1(a) != ARCHIVE_OK) {
    return unexpected(make_error(
        ErrorCode::invalid_data,
        fmt::format("cannot read {}: {}", out->m_name,
                    io::archive_message(lib, a, "not a tar archive"))));
  }
  out->m_compressed = lib.filter_count(a) > 1;
  if (!out->m_compressed) {
    out->m_source->chunk = k_header_read_size;
  }
  return out;
}

TarStream::~TarStream() {
  if (m_archive != nullptr) {
    io::lib_archive().read_free(m_archive);
  }
}

Result<bool> TarStream::next(TarEntry& out) {
  const io::LibArchive& lib = io::lib_archive();
  const io::Utf8Locale locale;
  struct archive_entry* entry = nullptr;
  const int rc = lib.next_header(m_archive, &entry);
  if (rc == ARCHIVE_EOF) {
    return false;
  }
  if (rc < ARCHIVE_WARN || entry == nullptr) {
    std::string why = io::archive_message(lib, m_archive, "unreadable tar header");
    if (m_source->error != 0) {
      why = io::describe(io::IoStatus::from_errno(m_source->error));
    }
    return unexpected(make_error(ErrorCode::invalid_data,
                                 fmt::format("cannot read {}: {}", m_name, why)));
  }
  if (rc == ARCHIVE_WARN && lib.entry_pathname(entry) == nullptr) {
    return unexpected(make_error(ErrorCode::invalid_data,
                                 fmt::format("cannot read {}: {}", m_name,
                                             io::archive_message(lib, m_archive,
                                                                 "a member name does not decode"))));
  }
  out = TarEntry{};
  const char* path = lib.entry_pathname(entry);
  out.path = path != nullptr ? path : "";
  out.kind = kind_of(lib.entry_filetype(entry));
  const la_int64_t size = lib.entry_size(entry);
  out.size = size > 0 ? static_cast<std::uint64_t>(size) : 0;
  out.mtime_ns = static_cast<std::int64_t>(lib.entry_mtime(entry)) * 1'000'000'000 +
                 lib.entry_mtime_nsec(entry);
  out.mode = lib.entry_mode(entry) & 07777U;
  if (const char* h = lib.entry_hardlink(entry); h != nullptr) {
    out.hardlink = h;
  }
  if (const char* s = lib.entry_symlink(entry); s != nullptr) {
    out.symlink = s;
  }
  out.sparse = lib.entry_sparse_count(entry) > 0;
  if (!m_compressed) {
    out.data_offset = m_source->range.offset + static_cast<std::uint64_t>(lib.filter_bytes(m_archive, 0));
  }
  return true;
}

Result<void> TarStream::read_data(const std::function<bool(const char*, std::size_t)>& consume) {
  const io::LibArchive& lib = io::lib_archive();
  std::int64_t expected = 0;
  while (true) {
    const void* block = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    const int rc = lib.read_data_block(m_archive, &block, &size, &offset);
    if (rc == ARCHIVE_EOF) {
      return {};
    }
    if (rc < ARCHIVE_WARN) {
      std::string why = io::archive_message(lib, m_archive, "unreadable member data");
      if (m_source->error != 0) {
        why = io::describe(io::IoStatus::from_errno(m_source->error));
      }
      return unexpected(make_error(ErrorCode::invalid_data,
                                   fmt::format("cannot read {}: {}", m_name, why)));
    }
    // A sparse file's holes come as gaps between blocks: zeros.
    static const std::vector<char> zeros(65536, '\0');
    while (expected < offset) {
      const auto n = static_cast<std::size_t>(
          std::min<std::int64_t>(offset - expected, static_cast<std::int64_t>(zeros.size())));
      if (!consume(zeros.data(), n)) {
        return {};
      }
      expected += static_cast<std::int64_t>(n);
    }
    if (size > 0 && !consume(static_cast<const char*>(block), size)) {
      return {};
    }
    expected = offset + static_cast<std::int64_t>(size);
  }
}

std::uint64_t TarStream::consumed() const {
  const la_int64_t n = io::lib_archive().filter_bytes(m_archive, 0);
  return n > 0 ? static_cast<std::uint64_t>(n) : 0;
}

}  // namespace mlstack::rootfs
