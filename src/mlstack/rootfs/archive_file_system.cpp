// SPDX-License-Identifier: MIT
#include "mlstack/rootfs/archive_file_system.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace mlstack::rootfs {
namespace {

io::IoStatus status(io::IoStatus::Kind kind, int err) {
  io::IoStatus s;
  s.kind = kind;
  s.errno_value = err;
  return s;
}

io::IoStatus pread_all(int fd, std::uint64_t offset, std::uint64_t size, std::string& out) {
  out.resize(size);
  std::uint64_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return io::IoStatus::from_errno(errno);
    }
    if (n == 0) {
      return status(io::IoStatus::Kind::other, EIO);  // the archive shrank under us
    }
    done += static_cast<std::uint64_t>(n);
  }
  return {};
}

bool pwrite_all(int fd, const char* data, std::size_t size, std::uint64_t offset) {
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

}  // namespace

std::uint64_t page_align(std::uint64_t n) { return (n + k_page - 1) / k_page * k_page; }

ArchiveFileSystem::ArchiveFileSystem(Parts parts)
    : m_parts(std::move(parts)), m_memory_size(m_parts.memory_size),
      m_layer_inflated(m_parts.layers.size() + 1, false) {
  m_parts.tree.walk([this](const std::string& /*path*/, const Node& n) {
    if (n.kind == io::FileKind::regular && n.data.where == DataRef::Where::layer) {
      m_needed.emplace(std::pair{n.data.source, n.data.offset}, n.size);
    }
  });
}

void ArchiveFileSystem::inflate_layer(std::uint32_t layer) const {
  if (layer == 0 || layer > m_parts.layers.size() || m_layer_inflated[layer] ||
      m_parts.memory_fd < 0) {
    return;
  }
  m_layer_inflated[layer] = true;
  const LayerSource& source = m_parts.layers[layer - 1];
  auto stream = TarStream::open(source.range, source.name);
  if (!stream) {
    return;
  }
  TarEntry entry;
  for (std::uint64_t i = 0;; ++i) {
    auto more = (*stream)->next(entry);
    if (!more || !*more) {
      return;
    }
    const auto need = m_needed.find(std::pair{layer, i});
    if (need == m_needed.end() || m_inflated.contains(need->first) ||
        need->second > m_parts.max_kept_file ||
        m_memory_size + need->second > m_parts.max_kept_bytes) {
      continue;  // the next header skips (inflates) the data
    }
    const std::uint64_t start = m_memory_size;
    std::uint64_t written = 0;
    bool ok = true;
    auto done = (*stream)->read_data([&](const char* data, std::size_t n) {
      if (written + n > need->second || !pwrite_all(m_parts.memory_fd, data, n, start + written)) {
        ok = false;
        return false;
      }
      written += n;
      return true;
    });
    if (!done) {
      return;
    }
    if (ok && written == need->second) {
      m_inflated.emplace(need->first, start);
      m_memory_size = page_align(start + need->second);
    }
  }
}

ArchiveFileSystem::~ArchiveFileSystem() {
  for (const int fd : m_parts.fds) {
    ::close(fd);
  }
  if (m_parts.memory_fd >= 0) {
    ::close(m_parts.memory_fd);
  }
}

std::uint64_t ArchiveFileSystem::memory_bytes() const {
  const std::lock_guard lock(m_mutex);
  return m_memory_size;
}

io::IoStatus ArchiveFileSystem::list_dir(const std::string& path, io::Follow follow,
                                         std::vector<io::DirEntry>& out) const {
  const Lookup dir = m_parts.tree.lookup(path, io::Follow::yes);
  if (!dir.status.ok()) {
    return dir.status;
  }
  const Node& d = m_parts.tree.node(dir.node);
  if (d.kind != io::FileKind::directory) {
    return status(io::IoStatus::Kind::not_directory, ENOTDIR);
  }
  for (const auto& [name, child] : d.children) {
    io::DirEntry e;
    e.name = name;
    e.kind = m_parts.tree.node(child).kind;
    if (e.kind == io::FileKind::symlink && follow == io::Follow::yes) {
      const Lookup target = m_parts.tree.lookup_from(dir.node, name, io::Follow::yes);
      e.kind = target.status.ok() ? m_parts.tree.node(target.node).kind : io::FileKind::dangling;
    }
    out.push_back(std::move(e));
  }
  return {};
}

io::IoStatus ArchiveFileSystem::stat(const std::string& path, io::Follow follow,
                                     io::FileStat& out) const {
  const Lookup l = m_parts.tree.lookup(path, follow);
  if (!l.status.ok()) {
    return l.status;
  }
  const Node& n = m_parts.tree.node(l.node);
  out = io::FileStat{};
  out.kind = n.kind;
  out.size = static_cast<std::int64_t>(n.kind == io::FileKind::symlink ? n.link.size() : n.size);
  out.mtime_ns = n.mtime_ns;
  out.ctime_ns = n.mtime_ns;
  out.device = m_parts.device;
  out.inode = n.inode;
  return {};
}

io::IoStatus ArchiveFileSystem::realpath(const std::string& path, std::string& out) const {
  const Lookup l = m_parts.tree.lookup(path, io::Follow::yes);
  if (!l.status.ok()) {
    return l.status;
  }
  out = m_parts.tree.path_of(l.node);
  return {};
}

io::IoStatus ArchiveFileSystem::regular(const std::string& path, std::uint32_t& node) const {
  const Lookup l = m_parts.tree.lookup(path, io::Follow::yes);
  if (!l.status.ok()) {
    return l.status;
  }
  const Node& n = m_parts.tree.node(l.node);
  if (n.kind == io::FileKind::directory) {
    return status(io::IoStatus::Kind::is_directory, EISDIR);
  }
  if (n.kind != io::FileKind::regular) {
    return status(io::IoStatus::Kind::not_regular, 0);
  }
  node = l.node;
  return {};
}

io::IoStatus ArchiveFileSystem::inflate(const DataRef& ref, std::uint64_t size,
                                        std::string& out) const {
  if (ref.source == 0 || ref.source > m_parts.layers.size()) {
    return status(io::IoStatus::Kind::other, EIO);
  }
  const LayerSource& layer = m_parts.layers[ref.source - 1];
  auto stream = TarStream::open(layer.range, layer.name);
  if (!stream) {
    return status(io::IoStatus::Kind::other, EIO);
  }
  TarEntry entry;
  for (std::uint64_t i = 0;; ++i) {
    auto more = (*stream)->next(entry);
    if (!more || !*more) {
      return status(io::IoStatus::Kind::other, EIO);
    }
    if (i == ref.offset) {
      break;
    }
  }
  out.clear();
  out.reserve(size);
  bool over = false;
  auto done = (*stream)->read_data([&](const char* data, std::size_t n) {
    if (out.size() + n > size) {
      over = true;
      return false;
    }
    out.append(data, n);
    return true;
  });
  if (!done || over || out.size() != size) {
    return status(io::IoStatus::Kind::other, EIO);
  }
  return {};
}

io::IoStatus ArchiveFileSystem::locate(const Node& n, int& fd, std::uint64_t& offset,
                                       std::string* direct) const {
  switch (n.data.where) {
    case DataRef::Where::range:
      fd = m_parts.fds.at(n.data.source);
      offset = n.data.offset;
      return {};
    case DataRef::Where::memory:
    case DataRef::Where::none:
      fd = m_parts.memory_fd;
      offset = n.data.offset;
      return {};
    case DataRef::Where::layer:
      break;
  }
  const std::pair key{n.data.source, n.data.offset};
  {
    const std::lock_guard lock(m_mutex);
    if (const auto it = m_inflated.find(key); it != m_inflated.end()) {
      fd = m_parts.memory_fd;
      offset = it->second;
      return {};
    }
  }
  {
    // The first miss in a layer inflates the layer once, keeping all the tree needs of it.
    const std::lock_guard lock(m_mutex);
    inflate_layer(n.data.source);
    if (const auto it = m_inflated.find(key); it != m_inflated.end()) {
      fd = m_parts.memory_fd;
      offset = it->second;
      return {};
    }
  }
  // Past the memory file's bounds: this file alone, inflated again.
  std::string bytes;
  if (const io::IoStatus s = inflate(n.data, n.size, bytes); !s.ok()) {
    return s;
  }
  const std::lock_guard lock(m_mutex);
  if (const auto it = m_inflated.find(key); it != m_inflated.end()) {  // another thread
    fd = m_parts.memory_fd;
    offset = it->second;
    return {};
  }
  if (m_parts.memory_fd < 0 || n.size > m_parts.max_kept_file ||
      m_memory_size + n.size > m_parts.max_kept_bytes ||
      !pwrite_all(m_parts.memory_fd, bytes.data(), bytes.size(), m_memory_size)) {
    if (direct != nullptr) {
      *direct = std::move(bytes);
      fd = -1;
      return {};
    }
    return status(io::IoStatus::Kind::too_large, EFBIG);
  }
  offset = m_memory_size;
  m_memory_size = page_align(offset + n.size);
  m_inflated.emplace(key, offset);
  fd = m_parts.memory_fd;
  return {};
}

io::IoStatus ArchiveFileSystem::read_file(const std::string& path, std::size_t max_bytes,
                                          std::string& out) const {
  std::uint32_t node = 0;
  if (const io::IoStatus s = regular(path, node); !s.ok()) {
    return s;
  }
  const Node& n = m_parts.tree.node(node);
  if (n.size > max_bytes) {
    return status(io::IoStatus::Kind::too_large, EFBIG);
  }
  if (n.size == 0) {
    out.clear();
    return {};
  }
  int fd = -1;
  std::uint64_t offset = 0;
  std::string direct;
  if (const io::IoStatus s = locate(n, fd, offset, &direct); !s.ok()) {
    return s;
  }
  if (fd < 0) {
    out = std::move(direct);
    return {};
  }
  return pread_all(fd, offset, n.size, out);
}

io::IoStatus ArchiveFileSystem::open_region(const std::string& path, io::FileRegion& out) const {
  std::uint32_t node = 0;
  if (io::IoStatus s = regular(path, node); !s.ok()) {
    if (s.kind == io::IoStatus::Kind::is_directory) {
      s.kind = io::IoStatus::Kind::not_regular;
    }
    return s;
  }
  const Node& n = m_parts.tree.node(node);
  int fd = -1;
  std::uint64_t offset = 0;
  if (n.size == 0) {
    fd = m_parts.memory_fd >= 0 ? m_parts.memory_fd : m_parts.fds.empty() ? -1 : m_parts.fds[0];
  } else if (const io::IoStatus s = locate(n, fd, offset, nullptr); !s.ok()) {
    return s;
  }
  if (fd < 0) {
    return status(io::IoStatus::Kind::other, EBADF);
  }
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    return io::IoStatus::from_errno(errno);
  }
  out = io::FileRegion(copy, n.size == 0 ? 0 : offset, n.size);
  return {};
}

}  // namespace mlstack::rootfs
