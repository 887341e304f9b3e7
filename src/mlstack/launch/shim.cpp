// SPDX-License-Identifier: MIT
#include "mlstack/launch/shim.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "mlstack/io/file_facts_cache.hpp"

namespace mlstack::launch {
namespace {

Error io_error(std::string_view what, const std::string& path, int error) {
  return make_error(ErrorCode::io, fmt::format("cannot {} `{}`: {}", what, path,
                                               std::strerror(error)));
}

// `path` and its parents, the last one 0700 (the others as umask says).
Result<void> make_dirs(const std::string& path) {
  for (std::size_t slash = path.find('/', 1); ; slash = path.find('/', slash + 1)) {
    const std::string part = path.substr(0, slash);
    const bool last = slash == std::string::npos;
    if (mkdir(part.c_str(), last ? 0700 : 0755) != 0 && errno != EEXIST) {
      return unexpected(io_error("create folder", part, errno));
    }
    if (last) {
      return {};
    }
  }
}

// A folder under a world-writable place must be ours and not a link, or another user could
// put Python code in front of ours.
Result<void> check_private(const std::string& dir) {
  struct stat st {};
  if (lstat(dir.c_str(), &st) != 0) {
    return unexpected(io_error("read", dir, errno));
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0022) != 0) {
    return unexpected(make_error(
        ErrorCode::io,
        fmt::format("`{}` is not a private folder of this user (a link, another owner, or "
                    "writable by others)\nhint: give another with --shim-dir",
                    dir)));
  }
  return {};
}

}  // namespace

std::string default_shim_dir() {
  const std::string name = fmt::format("shim-{:016x}", io::fingerprint(shim_source()));
  if (const std::string cache = io::default_cache_dir(); !cache.empty()) {
    return cache + "/" + name;
  }
  return fmt::format("/tmp/mlstack-{}/{}", geteuid(), name);
}

Result<void> ensure_shim(const std::string& dir) {
  const std::string path = dir + "/sitecustomize.py";
  const std::string_view text = shim_source();
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<std::size_t>(st.st_size) == text.size()) {
    return {};
  }
  if (auto ok = make_dirs(dir); !ok) {
    return ok;
  }
  if (dir.starts_with("/tmp/")) {
    const std::string top = dir.substr(0, dir.find('/', 5));
    for (const std::string& d : {top, dir}) {
      if (auto ok = check_private(d); !ok) {
        return ok;
      }
    }
  }
  const std::string temp = fmt::format("{}.{}.tmp", path, getpid());
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return unexpected(io_error("write", temp, errno));
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      const int error = errno;
      close(fd);
      unlink(temp.c_str());
      return unexpected(io_error("write", temp, error));
    }
    done += static_cast<std::size_t>(n);
  }
  if (close(fd) != 0 || rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    unlink(temp.c_str());
    return unexpected(io_error("write", path, error));
  }
  return {};
}

}  // namespace mlstack::launch
