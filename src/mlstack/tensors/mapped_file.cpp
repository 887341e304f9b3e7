// SPDX-License-Identifier: MIT
#include "mlstack/tensors/mapped_file.hpp"

#include "mlstack/io/file_system.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace mlstack::tensors {

namespace {

Error io_error(const std::string& path, const io::IoStatus& status) {
  return with_context(make_error(status.kind == io::IoStatus::Kind::not_found
                                     ? ErrorCode::not_found
                                     : ErrorCode::io,
                                 io::describe(status)),
                      path);
}

}  // namespace

Result<std::shared_ptr<const MappedFile>> MappedFile::open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return unexpected(io_error(path, io::IoStatus::from_errno(errno)));
  }
  if (S_ISDIR(st.st_mode)) {
    return unexpected(io_error(path, io::IoStatus{io::IoStatus::Kind::is_directory, EISDIR}));
  }
  if (!S_ISREG(st.st_mode)) {
    return unexpected(io_error(path, io::IoStatus{io::IoStatus::Kind::not_regular, 0}));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return unexpected(io_error(path, io::IoStatus::from_errno(errno)));
  }
  struct stat fst {};
  if (::fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
    const int err = errno;
    ::close(fd);
    return unexpected(io_error(path, io::IoStatus::from_errno(err == 0 ? EINVAL : err)));
  }
  const auto size = static_cast<std::size_t>(fst.st_size);
  if (size == 0) {
    ::close(fd);
    return std::shared_ptr<const MappedFile>(std::make_shared<MappedFile>(nullptr, 0));
  }
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);
  if (base == MAP_FAILED) {
    return unexpected(io_error(path, io::IoStatus::from_errno(err)));
  }
  return std::shared_ptr<const MappedFile>(std::make_shared<MappedFile>(base, size));
}

MappedFile::~MappedFile() {
  if (m_base != nullptr) {
    ::munmap(m_base, m_size);
  }
}

}  // namespace mlstack::tensors
