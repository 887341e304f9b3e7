// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/soname_reader.hpp"

#include "mlstack/cudalibs/detail/elf_dynamic.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <libelf.h>
#include <unistd.h>

namespace mlstack::cudalibs {
namespace {

Error named(std::string message, const std::string& path) {
  return make_error(ErrorCode::invalid_data,
                    "cannot read the soname of `" + path + "`: " + std::move(message));
}

}  // namespace

Result<std::string> ElfSonameReader::soname(const std::string& path) const {
  if (elf_version(EV_CURRENT) == EV_NONE) {
    return unexpected(named("libelf is out of date", path));
  }
  // O_NONBLOCK: never hang on a FIFO named like a library.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // NOLINT(*-vararg)
  if (fd < 0) {
    return unexpected(named(std::strerror(errno), path));  // NOLINT(concurrency-mt-unsafe)
  }
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  std::string problem;
  const std::string soname = detail::soname_of(elf, problem);
  if (elf != nullptr) {
    elf_end(elf);
  }
  ::close(fd);
  if (soname.empty()) {
    return unexpected(named(problem, path));
  }
  return soname;
}

}  // namespace mlstack::cudalibs
