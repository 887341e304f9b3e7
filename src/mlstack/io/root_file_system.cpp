// SPDX-License-Identifier: MIT
#include "mlstack/io/root_file_system.hpp"

#include "mlstack/io/zip_archive.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <utility>

namespace mlstack::io {
namespace {

// As Linux's MAXSYMLINKS.
constexpr int k_max_links = 40;

IoStatus status_of(IoStatus::Kind kind, int errno_value) noexcept {
  IoStatus s;
  s.kind = kind;
  s.errno_value = errno_value;
  return s;
}

void split_into(std::string_view path, std::deque<std::string>& out, bool front) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    const std::size_t slash = std::min(path.find('/', i), path.size());
    if (slash > i) {
      parts.emplace_back(path.substr(i, slash - i));
    }
    i = slash + 1;
  }
  if (front) {
    out.insert(out.begin(), parts.begin(), parts.end());
  } else {
    out.insert(out.end(), parts.begin(), parts.end());
  }
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

}  // namespace

RootFileSystem::RootFileSystem(std::string root) : m_root(std::move(root)) {
  while (!m_root.empty() && m_root.back() == '/') {
    m_root.pop_back();
  }
}

IoStatus RootFileSystem::resolve(const std::string& path, Follow follow, std::string& inner,
                                 std::string& host) const {
  std::deque<std::string> todo;
  split_into(path, todo, false);
  std::vector<std::string> done;
  int links = 0;
  std::string link;
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part == ".") {
      continue;
    }
    if (part == "..") {
      if (!done.empty()) {
        done.pop_back();
      }
      continue;
    }
    const bool last = todo.empty();
    done.push_back(std::move(part));
    if (last && follow == Follow::no) {
      break;
    }
    const std::string at = m_root + join(done);
    struct stat st {};
    if (::lstat(at.c_str(), &st) != 0) {
      const int err = errno;
      if (last && err == ENOENT) {
        break;  // the caller's operation reports the missing file
      }
      return IoStatus::from_errno(err);
    }
    if (S_ISLNK(st.st_mode)) {
      if (++links > k_max_links) {
        return status_of(IoStatus::Kind::loop, ELOOP);
      }
      link.resize(4096);
      const ssize_t n = ::readlink(at.c_str(), link.data(), link.size());
      if (n < 0) {
        return IoStatus::from_errno(errno);
      }
      link.resize(static_cast<std::size_t>(n));
      done.pop_back();
      if (!link.empty() && link.front() == '/') {
        done.clear();  // absolute: from the root, never from this machine's `/`
      }
      split_into(link, todo, true);
      continue;
    }
    if (!last && !S_ISDIR(st.st_mode)) {
      return status_of(IoStatus::Kind::not_directory, ENOTDIR);
    }
  }
  inner = join(done);
  host = m_root + (done.empty() ? "/" : inner);
  return {};
}

IoStatus RootFileSystem::list_dir(const std::string& path, Follow follow,
                                  std::vector<DirEntry>& out) const {
  std::string inner;
  std::string host;
  if (IoStatus s = resolve(path, Follow::yes, inner, host); !s.ok()) {
    return s;
  }
  const std::size_t first = out.size();
  if (IoStatus s = m_real.list_dir(host, Follow::no, out); !s.ok()) {
    return s;
  }
  if (follow == Follow::yes) {
    // Links are followed inside the root: the real file system would follow them on this
    // machine.
    const std::string prefix = inner == "/" ? inner : inner + "/";
    for (std::size_t i = first; i < out.size(); ++i) {
      if (out[i].kind != FileKind::symlink && out[i].kind != FileKind::unknown) {
        continue;
      }
      FileStat st;
      out[i].kind = stat(prefix + out[i].name, Follow::yes, st).ok() ? st.kind
                                                                      : FileKind::dangling;
    }
  }
  return {};
}

IoStatus RootFileSystem::read_file(const std::string& path, std::size_t max_bytes,
                                   std::string& out) const {
  std::string inner;
  std::string host;
  if (IoStatus s = resolve(path, Follow::yes, inner, host); !s.ok()) {
    out.clear();
    return s;
  }
  return m_real.read_file(host, max_bytes, out);
}

IoStatus RootFileSystem::read_pieces(const std::string& path, std::size_t max_bytes,
                                     char delimiter,
                                     const std::function<void(std::string_view)>& consume) const {
  std::string inner;
  std::string host;
  if (IoStatus s = resolve(path, Follow::yes, inner, host); !s.ok()) {
    return s;
  }
  return m_real.read_pieces(host, max_bytes, delimiter, consume);
}

IoStatus RootFileSystem::stat(const std::string& path, Follow follow, FileStat& out) const {
  std::string inner;
  std::string host;
  if (IoStatus s = resolve(path, follow, inner, host); !s.ok()) {
    return s;
  }
  return m_real.stat(host, Follow::no, out);
}

IoStatus RootFileSystem::realpath(const std::string& path, std::string& out) const {
  std::string inner;
  std::string host;
  if (IoStatus s = resolve(path, Follow::yes, inner, host); !s.ok()) {
    return s;
  }
  FileStat st;
  if (IoStatus s = m_real.stat(host, Follow::no, st); !s.ok()) {
    return s;
  }
  out = std::move(inner);
  return {};
}

IoStatus RootFileSystem::open_region(const std::string& path, FileRegion& out) const {
  std::string inner;
  std::string host;
  if (IoStatus s = resolve(path, Follow::yes, inner, host); !s.ok()) {
    return s;
  }
  return m_real.open_region(host, out);
}

Result<ZipArchive> RootFileSystem::read_zip(
    const std::string& path, const ZipLimits& limits,
    const std::function<bool(std::string_view)>& select) const {
  std::string inner;
  std::string host;
  if (IoStatus s = resolve(path, Follow::yes, inner, host); !s.ok()) {
    return unexpected(make_io_error(s, "read", path));
  }
  return m_real.read_zip(host, limits, select);
}

}  // namespace mlstack::io
