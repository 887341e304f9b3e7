// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/error.hpp"
#include "mlstack/base/result.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

/// File access behind an interface (ninja's `DiskInterface`), so tests can fake it.
///
/// The interface is errno-level (`IoStatus`) because callers mirror Python, which treats
/// `FileNotFoundError`, `IsADirectoryError`, `PermissionError`, ... differently. The free
/// functions at the bottom wrap it into `Result`s whose errors always name the path.
namespace mlstack::io {

/// The type of a directory entry or of a stat'ed path.
enum class FileKind : std::uint8_t {
  unknown,  // d_type was DT_UNKNOWN and the caller did not ask to resolve it
  regular,
  directory,
  symlink,  // only from `list_dir(..., Follow::no)` or `stat(..., Follow::no)`
  fifo,
  socket,
  char_device,
  block_device,
  dangling,  // a symlink whose target is missing or loops (`Follow::yes` only)
};

/// Whether symbolic links are followed.
enum class Follow : std::uint8_t { no, yes };

/// What a file-system call ran into. `errno_value` is 0 on success.
struct IoStatus {
  enum class Kind : std::uint8_t {
    ok,
    not_found,          // ENOENT (Python's FileNotFoundError)
    is_directory,       // EISDIR (IsADirectoryError)
    not_directory,      // ENOTDIR (NotADirectoryError)
    permission_denied,  // EACCES, EPERM (PermissionError)
    loop,               // ELOOP (plain OSError)
    too_large,          // the file is over the caller's size cap
    not_regular,        // a FIFO, socket or device: never opened blocking, never read
    other,              // any other errno (EIO, ENAMETOOLONG, EMFILE, ...)
  };
  Kind kind = Kind::ok;
  int errno_value = 0;

  [[nodiscard]] bool ok() const noexcept { return kind == Kind::ok; }
  [[nodiscard]] static IoStatus from_errno(int errno_value) noexcept;
  friend bool operator==(const IoStatus&, const IoStatus&) = default;
};

/// `No such file or directory`, `file is larger than the limit`, ... (lowercase, no period).
[[nodiscard]] std::string describe(const IoStatus& status);

/// An `Error` such as "cannot read `/x/METADATA`: permission denied".
[[nodiscard]] Error make_io_error(const IoStatus& status, std::string_view verb,
                                  std::string_view path);

struct DirEntry {
  std::string name;
  FileKind kind = FileKind::unknown;
};

class ZipArchive;
struct ZipLimits;

/// A file's bytes as a range of an open descriptor: the whole file for a file on disk, a
/// member's data inside an uncompressed image layer (rootfs/). Owns its descriptor (closed
/// with it); move-only. ELF readers map or pread the range (`elf::ElfFile::open(fs, path)`).
class FileRegion {
 public:
  FileRegion() = default;
  /// Takes ownership of `fd`.
  FileRegion(int fd, std::uint64_t offset, std::uint64_t size) noexcept
      : m_fd(fd), m_offset(offset), m_size(size) {}
  FileRegion(const FileRegion&) = delete;
  FileRegion& operator=(const FileRegion&) = delete;
  FileRegion(FileRegion&& other) noexcept;
  FileRegion& operator=(FileRegion&& other) noexcept;
  ~FileRegion();

  [[nodiscard]] int fd() const noexcept { return m_fd; }
  [[nodiscard]] std::uint64_t offset() const noexcept { return m_offset; }
  [[nodiscard]] std::uint64_t size() const noexcept { return m_size; }
  /// The descriptor, no longer owned by this region.
  [[nodiscard]] int release() noexcept;

 private:
  int m_fd = -1;
  std::uint64_t m_offset = 0;
  std::uint64_t m_size = 0;
};

struct FileStat {
  FileKind kind = FileKind::unknown;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;  // st_mtim in nanoseconds since the epoch
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t ctime_ns = 0;  // st_ctim: any change to the file or its inode (not settable)
};

/// Read-only access to a file tree. Paths are plain strings, relative to the process's
/// working directory unless absolute. Implementations never throw.
class FileSystem {
 public:
  FileSystem() = default;
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;
  FileSystem(FileSystem&&) = delete;
  FileSystem& operator=(FileSystem&&) = delete;
  virtual ~FileSystem() = default;

  /// Appends the entries of `path` to `out` in readdir order, without `.` and `..`.
  /// With `Follow::yes` the kinds of symlinks and DT_UNKNOWN entries are resolved with
  /// stat (a dangling or looping link is `FileKind::dangling`); with `Follow::no` no stat
  /// is made for DT_* file systems and symlinks are reported as `FileKind::symlink`.
  [[nodiscard]] virtual IoStatus list_dir(const std::string& path, Follow follow,
                                          std::vector<DirEntry>& out) const = 0;

  /// Replaces `out` with the whole content of the file at `path` (symlinks followed).
  /// Files over `max_bytes` give `too_large`; FIFOs, sockets and devices give `not_regular`
  /// without blocking; a directory gives `is_directory`.
  [[nodiscard]] virtual IoStatus read_file(const std::string& path, std::size_t max_bytes,
                                           std::string& out) const = 0;

  /// Reads the file at `path` in pieces, calling `consume` with each in order: every piece
  /// but the last ends with a `delimiter` byte, and together they are the whole file, so a
  /// caller that splits on `delimiter` never sees a record cut in two. Memory stays at about
  /// the longest run without a delimiter, however large the file. Errors are `read_file`'s;
  /// an error can come after some pieces were consumed, and the caller then drops what it
  /// gathered. The default reads the whole file and consumes it as one piece. The pieces
  /// live in a per-thread buffer: `consume` must not call `read_pieces` itself.
  [[nodiscard]] virtual IoStatus read_pieces(const std::string& path, std::size_t max_bytes,
                                             char delimiter,
                                             const std::function<void(std::string_view)>& consume) const;

  [[nodiscard]] virtual IoStatus stat(const std::string& path, Follow follow,
                                      FileStat& out) const = 0;

  /// The canonical absolute path, symlinks resolved (realpath(3)).
  [[nodiscard]] virtual IoStatus realpath(const std::string& path, std::string& out) const = 0;

  /// Reads the zip archive at `path` (zip_archive.hpp): its member names, and the content of
  /// the members `select` picks. The default reads the whole file through `read_file` (at
  /// most `limits.max_archive_size` bytes) and the archive from memory.
  [[nodiscard]] virtual Result<ZipArchive> read_zip(
      const std::string& path, const ZipLimits& limits,
      const std::function<bool(std::string_view)>& select) const;

  /// Opens the regular file at `path` (symlinks followed) as a region of a descriptor, for
  /// readers that map or pread (ELF). FIFOs, sockets and devices give `not_regular` without
  /// blocking, a directory `not_regular` too. The default answers `other` (ENOTSUP): a file
  /// system that cannot hand out descriptors.
  [[nodiscard]] virtual IoStatus open_region(const std::string& path, FileRegion& out) const;

  [[nodiscard]] bool exists(const std::string& path) const {
    FileStat st;
    return stat(path, Follow::yes, st).ok();
  }
};

/// The POSIX file system: opendir/readdir, open/read with O_NONBLOCK, fstat. No exceptions.
class RealFileSystem final : public FileSystem {
 public:
  [[nodiscard]] IoStatus list_dir(const std::string& path, Follow follow,
                                  std::vector<DirEntry>& out) const override;
  [[nodiscard]] IoStatus read_file(const std::string& path, std::size_t max_bytes,
                                   std::string& out) const override;
  [[nodiscard]] IoStatus read_pieces(const std::string& path, std::size_t max_bytes, char delimiter,
                                     const std::function<void(std::string_view)>& consume) const override;
  [[nodiscard]] IoStatus stat(const std::string& path, Follow follow, FileStat& out) const override;
  [[nodiscard]] IoStatus realpath(const std::string& path, std::string& out) const override;
  [[nodiscard]] IoStatus open_region(const std::string& path, FileRegion& out) const override;
  [[nodiscard]] Result<ZipArchive> read_zip(
      const std::string& path, const ZipLimits& limits,
      const std::function<bool(std::string_view)>& select) const override;
};

/// One process-wide RealFileSystem (it has no state), for defaults of readers' constructors.
[[nodiscard]] const FileSystem& real_file_system() noexcept;

/// The default size cap for metadata-like files: 64 MiB.
inline constexpr std::size_t k_default_max_file_size = std::size_t{64} << 20U;

/// `read_file` as a `Result`; the error names the path.
[[nodiscard]] Result<std::string> read_text(const FileSystem& fs, const std::string& path,
                                            std::size_t max_bytes = k_default_max_file_size);

/// `list_dir` as a `Result`; the error names the path.
[[nodiscard]] Result<std::vector<DirEntry>> list_directory(const FileSystem& fs,
                                                           const std::string& path,
                                                           Follow follow = Follow::no);

/// Writes `content` to `path` atomically on the real file system: a temporary dot file in the
/// same directory (`.NAME.tmp.PID.N`), then rename(2); the file's mode is 0644 less the umask.
/// Creates missing parent directories (mode 0700 for new ones). The error names the path.
[[nodiscard]] Result<void> write_file_atomic(const std::string& path, std::string_view content);

}  // namespace mlstack::io
