// SPDX-License-Identifier: MIT
#include "mlstack/io/file_system.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace mlstack::io {
namespace {

// Closes a file descriptor on scope exit.
class FdGuard {
 public:
  explicit FdGuard(int fd) noexcept : m_fd(fd) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  FdGuard(FdGuard&&) = delete;
  FdGuard& operator=(FdGuard&&) = delete;
  ~FdGuard() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  [[nodiscard]] int get() const noexcept { return m_fd; }
  [[nodiscard]] int release() noexcept { return std::exchange(m_fd, -1); }

 private:
  int m_fd;
};

// O_NONBLOCK: opening a FIFO must not wait for a writer. O_NOCTTY: never adopt a terminal.
int open_for_reading(const std::string& path) noexcept {
  return ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
}

IoStatus status_of(IoStatus::Kind kind) noexcept {
  IoStatus s;
  s.kind = kind;
  return s;
}

// A scratch buffer larger than this is freed after its file.
constexpr std::size_t k_kept_scratch = std::size_t{1} << 20;

// A per-thread read buffer that is never zero-filled (resizing a std::string would memset
// it on every file): `data` holds at least `size` bytes.
struct ScratchBuffer {
  std::unique_ptr<char[]> data;
  std::size_t size = 0;

  void reserve(std::size_t wanted) {
    if (size < wanted) {
      data = std::make_unique_for_overwrite<char[]>(wanted);
      size = wanted;
    }
  }
  // Grows to `wanted`, keeping the first `used` bytes.
  void grow(std::size_t wanted, std::size_t used) {
    auto bigger = std::make_unique_for_overwrite<char[]>(wanted);
    std::memcpy(bigger.get(), data.get(), used);
    data = std::move(bigger);
    size = wanted;
  }
};

struct DirCloser {
  void operator()(DIR* d) const noexcept { ::closedir(d); }
};

FileKind kind_from_mode(mode_t mode) noexcept {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return FileKind::regular;
    case S_IFDIR:
      return FileKind::directory;
    case S_IFLNK:
      return FileKind::symlink;
    case S_IFIFO:
      return FileKind::fifo;
    case S_IFSOCK:
      return FileKind::socket;
    case S_IFCHR:
      return FileKind::char_device;
    case S_IFBLK:
      return FileKind::block_device;
    default:
      return FileKind::unknown;
  }
}

FileKind kind_from_d_type(unsigned char d_type) noexcept {
  switch (d_type) {
    case DT_REG:
      return FileKind::regular;
    case DT_DIR:
      return FileKind::directory;
    case DT_LNK:
      return FileKind::symlink;
    case DT_FIFO:
      return FileKind::fifo;
    case DT_SOCK:
      return FileKind::socket;
    case DT_CHR:
      return FileKind::char_device;
    case DT_BLK:
      return FileKind::block_device;
    default:
      return FileKind::unknown;
  }
}

std::int64_t mtime_ns(const struct stat& st) noexcept {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
         static_cast<std::int64_t>(st.st_mtim.tv_nsec);
}

void fill_stat(const struct stat& st, FileStat& out) noexcept {
  out.kind = kind_from_mode(st.st_mode);
  out.size = static_cast<std::int64_t>(st.st_size);
  out.mtime_ns = mtime_ns(st);
  out.device = static_cast<std::uint64_t>(st.st_dev);
  out.inode = static_cast<std::uint64_t>(st.st_ino);
  out.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 +
                 static_cast<std::int64_t>(st.st_ctim.tv_nsec);
}

IoStatus last_errno() noexcept { return IoStatus::from_errno(errno); }

}  // namespace

IoStatus IoStatus::from_errno(int errno_value) noexcept {
  IoStatus s;
  s.errno_value = errno_value;
  switch (errno_value) {
    case 0:
      s.kind = Kind::ok;
      break;
    case ENOENT:
      s.kind = Kind::not_found;
      break;
    case EISDIR:
      s.kind = Kind::is_directory;
      break;
    case ENOTDIR:
      s.kind = Kind::not_directory;
      break;
    case EACCES:
    case EPERM:
      s.kind = Kind::permission_denied;
      break;
    case ELOOP:
      s.kind = Kind::loop;
      break;
    default:
      s.kind = Kind::other;
      break;
  }
  return s;
}

std::string describe(const IoStatus& status) {
  switch (status.kind) {
    case IoStatus::Kind::ok:
      return "success";
    case IoStatus::Kind::too_large:
      return "file is larger than the size limit";
    case IoStatus::Kind::not_regular:
      return "not a regular file (a FIFO, socket or device)";
    default:
      break;
  }
  // strerror's text, lowercased at the first letter to match the message style.
  std::string text = std::strerror(status.errno_value);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

Error make_io_error(const IoStatus& status, std::string_view verb, std::string_view path) {
  ErrorCode code = ErrorCode::io;
  if (status.kind == IoStatus::Kind::not_found) {
    code = ErrorCode::not_found;
  }
  return make_error(code, fmt::format("cannot {} `{}`: {}", verb, path, describe(status)));
}

IoStatus RealFileSystem::list_dir(const std::string& path, Follow follow,
                                  std::vector<DirEntry>& out) const {
  const int fd =
      ::open(path.empty() ? "." : path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return last_errno();
  }
  std::unique_ptr<DIR, DirCloser> dir(::fdopendir(fd));
  if (!dir) {
    const IoStatus s = last_errno();
    ::close(fd);
    return s;
  }
  while (true) {
    errno = 0;
    const struct dirent* e = ::readdir(dir.get());
    if (e == nullptr) {
      if (errno != 0) {
        return last_errno();
      }
      break;
    }
    const char* name = e->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) {
      continue;
    }
    FileKind kind = kind_from_d_type(e->d_type);
    const bool resolve =
        kind == FileKind::unknown || (follow == Follow::yes && kind == FileKind::symlink);
    if (resolve) {
      struct stat st {};
      const int flags = follow == Follow::yes ? 0 : AT_SYMLINK_NOFOLLOW;
      if (::fstatat(fd, name, &st, flags) == 0) {
        kind = kind_from_mode(st.st_mode);
      } else {
        kind = follow == Follow::yes ? FileKind::dangling : FileKind::unknown;
      }
    }
    out.push_back(DirEntry{std::string(name), kind});
  }
  return {};
}

IoStatus RealFileSystem::read_file(const std::string& path, std::size_t max_bytes,
                                   std::string& out) const {
  const FdGuard fd(open_for_reading(path));
  if (fd.get() < 0) {
    out.clear();
    return last_errno();
  }
  // No fstat on the common path (syscalls dominate a scan): read into the buffer's
  // capacity; a short read from a regular file is its end. fstat only when the first read
  // finds nothing or would block, to tell an empty file from a FIFO, or fills the buffer, so
  // that a device (/dev/zero, /dev/urandom) is refused at once, not read up to the cap.
  const IoStatus too_large = status_of(IoStatus::Kind::too_large);
  const IoStatus not_regular = status_of(IoStatus::Kind::not_regular);
  // Reads go into the thread's scratch buffer, then the bytes read are copied out.
  constexpr std::size_t k_first_chunk = 16384;
  thread_local ScratchBuffer scratch;
  std::size_t capacity = std::min(std::max(scratch.size, k_first_chunk), max_bytes + 1);
  scratch.reserve(capacity);
  std::size_t used = 0;
  bool checked = false;  // fstat'ed once the first read filled the buffer
  while (true) {
    const ssize_t n = ::read(fd.get(), scratch.data.get() + used, capacity - used);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int err = errno;
      out.clear();
      if (err == EAGAIN) {
        return not_regular;  // a FIFO or device without data: reading would block
      }
      return IoStatus::from_errno(err);
    }
    if (n == 0) {
      if (used == 0) {
        struct stat st {};
        if (::fstat(fd.get(), &st) == 0 && !S_ISREG(st.st_mode)) {
          out.clear();
          return not_regular;
        }
      }
      break;
    }
    const bool filled = used + static_cast<std::size_t>(n) == capacity;
    used += static_cast<std::size_t>(n);
    if (filled && !checked) {
      checked = true;
      struct stat st {};
      if (::fstat(fd.get(), &st) == 0 && !S_ISREG(st.st_mode)) {
        out.clear();
        return not_regular;
      }
    }
    if (used > max_bytes) {
      out.clear();
      return too_large;
    }
    if (used < capacity) {
      break;
    }
    capacity = std::min(capacity * 2, max_bytes + 1);
    scratch.grow(capacity, used);
  }
  out.assign(scratch.data.get(), used);
  if (scratch.size > k_kept_scratch) {
    scratch = ScratchBuffer{};  // a huge file's buffer is not kept for the rest of the run
  }
  return {};
}

IoStatus FileSystem::read_pieces(const std::string& path, std::size_t max_bytes, char delimiter,
                                const std::function<void(std::string_view)>& consume) const {
  (void)delimiter;
  std::string content;
  const IoStatus s = read_file(path, max_bytes, content);
  if (s.ok() && !content.empty()) {
    consume(content);
  }
  return s;
}

IoStatus RealFileSystem::read_pieces(const std::string& path, std::size_t max_bytes,
                                     char delimiter,
                                     const std::function<void(std::string_view)>& consume) const {
  const FdGuard fd(open_for_reading(path));
  if (fd.get() < 0) {
    return last_errno();
  }
  const IoStatus too_large = status_of(IoStatus::Kind::too_large);
  const IoStatus not_regular = status_of(IoStatus::Kind::not_regular);
  // A per-thread buffer of 64 KiB (more only while one run without a delimiter is longer):
  // a multi-megabyte file is read through memory that stays in cache and is faulted in once.
  constexpr std::size_t k_piece = 65536;
  thread_local ScratchBuffer buffer;
  buffer.reserve(k_piece);
  std::size_t used = 0;   // bytes in the buffer not consumed yet
  std::size_t total = 0;  // bytes read from the file
  bool checked = false;   // fstat'ed once a read filled the buffer
  while (true) {
    if (used == buffer.size) {
      buffer.grow(buffer.size * 2, used);
    }
    const std::size_t wanted = buffer.size - used;
    const ssize_t n = ::read(fd.get(), buffer.data.get() + used, wanted);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int err = errno;
      return err == EAGAIN ? not_regular : IoStatus::from_errno(err);
    }
    if (n == 0) {
      if (total == 0) {
        struct stat st {};
        if (::fstat(fd.get(), &st) == 0 && !S_ISREG(st.st_mode)) {
          return not_regular;
        }
      }
      break;
    }
    const auto got = static_cast<std::size_t>(n);
    total += got;
    if (got == wanted && !checked) {
      checked = true;  // as in read_file: a device is refused at its first full read
      struct stat st {};
      if (::fstat(fd.get(), &st) == 0 && !S_ISREG(st.st_mode)) {
        return not_regular;
      }
    }
    if (total > max_bytes) {
      return too_large;
    }
    char* const begin = buffer.data.get();
    const void* last = ::memrchr(begin + used, delimiter, got);
    used += got;
    if (last != nullptr) {
      const auto cut = static_cast<std::size_t>(static_cast<const char*>(last) - begin) + 1;
      consume(std::string_view(begin, cut));
      std::memmove(begin, begin + cut, used - cut);
      used -= cut;
    }
    if (got < wanted) {
      break;  // a short read from a regular file is its end (as in read_file)
    }
  }
  if (used > 0) {
    consume(std::string_view(buffer.data.get(), used));
  }
  return {};
}

IoStatus RealFileSystem::stat(const std::string& path, Follow follow, FileStat& out) const {
  struct stat st {};
  const int rc = follow == Follow::yes ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
  if (rc != 0) {
    return last_errno();
  }
  fill_stat(st, out);
  return {};
}

IoStatus RealFileSystem::realpath(const std::string& path, std::string& out) const {
  std::unique_ptr<char, decltype(&std::free)> resolved(
      ::realpath(path.empty() ? "." : path.c_str(), nullptr), &std::free);
  if (!resolved) {
    return last_errno();
  }
  out.assign(resolved.get());
  return {};
}

IoStatus RealFileSystem::open_region(const std::string& path, FileRegion& out) const {
  FdGuard fd(open_for_reading(path));
  if (fd.get() < 0) {
    return last_errno();
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return last_errno();
  }
  if (!S_ISREG(st.st_mode)) {
    return status_of(IoStatus::Kind::not_regular);
  }
  out = FileRegion(fd.release(), 0, static_cast<std::uint64_t>(st.st_size));
  return {};
}

IoStatus FileSystem::open_region(const std::string& /*path*/, FileRegion& /*out*/) const {
  return IoStatus::from_errno(ENOTSUP);
}

FileRegion::FileRegion(FileRegion&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_offset(other.m_offset), m_size(other.m_size) {}

FileRegion& FileRegion::operator=(FileRegion&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = std::exchange(other.m_fd, -1);
    m_offset = other.m_offset;
    m_size = other.m_size;
  }
  return *this;
}

FileRegion::~FileRegion() {
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

int FileRegion::release() noexcept { return std::exchange(m_fd, -1); }

const FileSystem& real_file_system() noexcept {
  static const RealFileSystem k_fs;
  return k_fs;
}

Result<std::string> read_text(const FileSystem& fs, const std::string& path,
                              std::size_t max_bytes) {
  std::string content;
  const IoStatus s = fs.read_file(path, max_bytes, content);
  if (!s.ok()) {
    return unexpected(make_io_error(s, "read", path));
  }
  return content;
}

Result<std::vector<DirEntry>> list_directory(const FileSystem& fs, const std::string& path,
                                             Follow follow) {
  std::vector<DirEntry> entries;
  const IoStatus s = fs.list_dir(path, follow, entries);
  if (!s.ok()) {
    return unexpected(make_io_error(s, "list directory", path));
  }
  return entries;
}

namespace {

// mkdir -p with mode 0700 for the directories it creates.
IoStatus make_directories(const std::string& dir) {
  if (dir.empty()) {
    return {};
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    return S_ISDIR(st.st_mode) ? IoStatus{} : IoStatus::from_errno(ENOTDIR);
  }
  const std::size_t slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    const IoStatus parent = make_directories(dir.substr(0, slash));
    if (!parent.ok()) {
      return parent;
    }
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return last_errno();
  }
  return {};
}

}  // namespace

Result<void> write_file_atomic(const std::string& path, std::string_view content) {
  const std::size_t slash = path.find_last_of('/');
  if (slash != std::string::npos) {
    const IoStatus s = make_directories(path.substr(0, slash));
    if (!s.ok()) {
      return unexpected(make_io_error(s, "create the directory of", path));
    }
  }
  static std::atomic<unsigned> counter{0};
  // A dot file beside the target: readers that scan the folder pass over dot files (NFD's
  // features.d, and node-exporter's textfile collector reads only `*.prom`), so none of them
  // sees a half-written file. 0644 less the umask, as a plain file gets.
  const std::size_t base = slash == std::string::npos ? 0 : slash + 1;
  const std::string tmp = fmt::format("{}.{}.tmp.{}.{}", path.substr(0, base), path.substr(base),
                                      ::getpid(), counter++);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return unexpected(make_io_error(last_errno(), "write", tmp));
  }
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const IoStatus s = last_errno();
      ::close(fd);
      ::unlink(tmp.c_str());
      return unexpected(make_io_error(s, "write", tmp));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    const IoStatus s = last_errno();
    ::unlink(tmp.c_str());
    return unexpected(make_io_error(s, "write", tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const IoStatus s = last_errno();
    ::unlink(tmp.c_str());
    return unexpected(make_io_error(s, "rename a temporary file to", path));
  }
  return {};
}

}  // namespace mlstack::io
