// SPDX-License-Identifier: MIT
#include "mlstack/rootfs/image.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/rootfs/sha256.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <map>

// The error of a `Result<void>` expression, returned from the caller.
#define ROOTFS_TRY(...)                                 \
  do {                                                  \
    auto rootfs_try_ = (__VA_ARGS__);                   \
    if (!rootfs_try_) {                                 \
      return ::mlstack::unexpected(std::move(rootfs_try_).error()); \
    }                                                   \
  } while (false)

namespace mlstack::rootfs {
namespace {

constexpr int k_max_member_links = 16;  // links among the archive's own members
constexpr std::size_t k_max_candidates = 4096;
constexpr int k_max_index_depth = 4;

// A name from the archive, safe to print (control characters escaped) and not too long.
std::string shown(std::string_view name) {
  std::string out = text::escape_controls(name.substr(0, 300));
  if (name.size() > 300) {
    out += "…";
  }
  return out;
}

class Fd {
 public:
  explicit Fd(int fd = -1) noexcept : m_fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(m_fd, o.m_fd);
    return *this;
  }
  ~Fd() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  [[nodiscard]] int get() const noexcept { return m_fd; }
  [[nodiscard]] int release() noexcept { return std::exchange(m_fd, -1); }

 private:
  int m_fd;
};

// A member of the outer archive.
struct Member {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  io::FileKind kind = io::FileKind::regular;
  std::string link;  // a symlink's target or a hard link's member (normalized), if any
  bool hardlink = false;
};

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) {
      out += '/';
    }
    out += p;
  }
  return out;
}

// The archive (a tar indexed from its headers) or the folder whose members are files.
class Container {
 public:
  Container(std::string path, const ImageLimits& limits) : m_path(std::move(path)), m_limits(limits) {}

  [[nodiscard]] Error error(std::string_view what) const {
    return make_error(ErrorCode::invalid_data,
                      fmt::format("cannot read the image `{}`: {}", m_path, what));
  }
  [[nodiscard]] Error limit(std::string_view what) const {
    return make_error(ErrorCode::limit, fmt::format("cannot read the image `{}`: {}", m_path, what));
  }
  [[nodiscard]] const std::string& path() const noexcept { return m_path; }

  Result<void> open() {
    m_fd = Fd(::open(m_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (m_fd.get() < 0) {
      return unexpected(io::make_io_error(io::IoStatus::from_errno(errno), "read the image", m_path));
    }
    struct stat st {};
    if (::fstat(m_fd.get(), &st) != 0) {
      return unexpected(io::make_io_error(io::IoStatus::from_errno(errno), "read the image", m_path));
    }
    m_device = (static_cast<std::uint64_t>(st.st_dev) << 32U) ^ static_cast<std::uint64_t>(st.st_ino) ^
               (static_cast<std::uint64_t>(st.st_mtim.tv_nsec) << 16U);
    if (S_ISDIR(st.st_mode)) {
      m_folder = true;
      return {};
    }
    if (!S_ISREG(st.st_mode)) {
      io::IoStatus s;
      s.kind = io::IoStatus::Kind::not_regular;
      return unexpected(io::make_io_error(s, "read the image", m_path));
    }
    m_size = static_cast<std::uint64_t>(st.st_size);
    return index();
  }

  [[nodiscard]] bool folder() const noexcept { return m_folder; }
  [[nodiscard]] std::uint64_t device() const noexcept { return m_device; }
  [[nodiscard]] std::size_t member_count() const noexcept { return m_members.size(); }

  [[nodiscard]] bool has(const std::string& member) const {
    if (m_folder) {
      std::vector<std::string> parts;
      if (!normalize_member_path(member, parts) || parts.empty()) {
        return false;
      }
      struct stat st {};
      return ::fstatat(m_fd.get(), joined(parts).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    }
    return resolve(member).has_value();
  }

  // The bytes of a member as a range of a descriptor; in a folder, the file is opened and its
  // descriptor kept in `fds` (index `fd_index`).
  Result<ByteRange> range(const std::string& member, std::uint32_t& fd_index) {
    if (!m_folder) {
      MLSTACK_TRY_ASSIGN(const Member m, resolve(member));
      fd_index = 0;
      return ByteRange{m_fd.get(), m.offset, m.size};
    }
    std::vector<std::string> parts;
    if (!normalize_member_path(member, parts) || parts.empty() || member.starts_with('/')) {
      return unexpected(error(fmt::format("`{}` points outside the image", shown(member))));
    }
    const std::string rel = joined(parts);
    if (const auto it = m_opened.find(rel); it != m_opened.end()) {
      fd_index = it->second;
      return ByteRange{m_blob_fds[it->second].get(), 0, m_blob_sizes[it->second]};
    }
    Fd fd(::openat(m_fd.get(), rel.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW));
    if (fd.get() < 0) {
      const int err = errno;
      return unexpected(error(fmt::format("`{}`: {}", shown(member),
                                          err == ELOOP ? std::string("it is a symbolic link")
                                                       : io::describe(io::IoStatus::from_errno(err)))));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return unexpected(error(fmt::format("`{}` is not a regular file", shown(member))));
    }
    fd_index = static_cast<std::uint32_t>(m_blob_fds.size());
    m_opened[rel] = fd_index;
    m_blob_sizes.push_back(static_cast<std::uint64_t>(st.st_size));
    m_blob_fds.push_back(std::move(fd));
    return ByteRange{m_blob_fds.back().get(), 0, m_blob_sizes.back()};
  }

  // A small member's content (JSON), at most `max_json_bytes`.
  Result<std::string> read(const std::string& member) {
    std::uint32_t fd_index = 0;
    MLSTACK_TRY_ASSIGN(const ByteRange r, range(member, fd_index));
    if (r.size > m_limits.max_json_bytes) {
      return unexpected(limit(fmt::format("`{}` is larger than {} bytes", shown(member),
                                          m_limits.max_json_bytes)));
    }
    std::string out(r.size, '\0');
    std::uint64_t done = 0;
    while (done < r.size) {
      const ssize_t n = ::pread(r.fd, out.data() + done, r.size - done,
                                static_cast<off_t>(r.offset + done));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return unexpected(error(fmt::format("`{}`: {}", shown(member),
                                            n < 0 ? io::describe(io::IoStatus::from_errno(errno))
                                                  : std::string("truncated"))));
      }
      done += static_cast<std::uint64_t>(n);
    }
    return out;
  }

  // The descriptors the file system keeps: the archive's, or the folder's opened blobs.
  std::vector<int> release_fds() {
    std::vector<int> out;
    if (!m_folder) {
      out.push_back(m_fd.release());
    } else {
      for (Fd& fd : m_blob_fds) {
        out.push_back(fd.release());
      }
    }
    return out;
  }

 private:
  Result<void> index() {
    MLSTACK_TRY_ASSIGN(auto stream, TarStream::open(ByteRange{m_fd.get(), 0, m_size},
                                                    fmt::format("the image `{}`", m_path)));
    if (stream->compressed()) {
      return unexpected(error("it is compressed; decompress it first (a `docker save` or "
                              "`docker-archive:` tarball is read uncompressed, in place)"));
    }
    TarEntry e;
    std::vector<std::string> parts;
    while (true) {
      MLSTACK_TRY_ASSIGN(const bool more, stream->next(e));
      if (!more) {
        break;
      }
      if (m_members.size() >= m_limits.max_members) {
        return unexpected(limit(fmt::format("it has more than {} members", m_limits.max_members)));
      }
      if (e.path.size() > m_limits.max_path_bytes || !normalize_member_path(e.path, parts) ||
          parts.empty()) {
        continue;  // never referenced: references are normalized the same way
      }
      Member m;
      m.kind = e.kind;
      m.offset = e.data_offset;
      m.size = e.size;
      if (!e.hardlink.empty()) {
        std::vector<std::string> target;
        m.hardlink = true;
        m.link = normalize_member_path(e.hardlink, target) ? joined(target) : std::string("/");
      } else if (e.kind == io::FileKind::symlink) {
        m.link = e.symlink;
      }
      if (m.kind == io::FileKind::regular && m.link.empty() &&
          (e.sparse || m.offset + m.size > m_size || m.offset + m.size < m.offset)) {
        return unexpected(error(fmt::format("member `{}`: its data is not stored in one piece "
                                            "inside the archive", shown(e.path))));
      }
      m_members[joined(parts)] = std::move(m);
    }
    return {};
  }

  // A member by name, through the archive's own hard and symbolic links.
  [[nodiscard]] Result<Member> resolve(const std::string& name) const {
    std::vector<std::string> parts;
    if (name.starts_with('/') || !normalize_member_path(name, parts) || parts.empty()) {
      return unexpected(error(fmt::format("`{}` points outside the archive", shown(name))));
    }
    std::string key = joined(parts);
    for (int hop = 0; hop <= k_max_member_links; ++hop) {
      const auto it = m_members.find(key);
      if (it == m_members.end()) {
        return unexpected(error(fmt::format("`{}` is not in the archive", shown(name))));
      }
      const Member& m = it->second;
      if (m.hardlink) {
        if (m.link == "/") {
          return unexpected(error(fmt::format("`{}` points outside the archive", shown(name))));
        }
        key = m.link;
        continue;
      }
      if (m.kind == io::FileKind::symlink) {
        const std::size_t slash = key.rfind('/');
        const std::string base = slash == std::string::npos ? "" : key.substr(0, slash + 1);
        if (m.link.starts_with('/') || !normalize_member_path(base + m.link, parts) || parts.empty()) {
          return unexpected(error(fmt::format("`{}` points outside the archive", shown(name))));
        }
        key = joined(parts);
        continue;
      }
      if (m.kind != io::FileKind::regular) {
        return unexpected(error(fmt::format("`{}` is not a regular file", shown(name))));
      }
      return m;
    }
    return unexpected(error(fmt::format("`{}`: too many links", shown(name))));
  }

  std::string m_path;
  const ImageLimits& m_limits;
  Fd m_fd;
  bool m_folder = false;
  std::uint64_t m_size = 0;
  std::uint64_t m_device = 0;
  std::map<std::string, Member> m_members;
  std::map<std::string, std::uint32_t> m_opened;
  std::vector<Fd> m_blob_fds;
  std::vector<std::uint64_t> m_blob_sizes;
};

// One image the archive holds.
struct Candidate {
  std::vector<std::string> names;
  std::string platform;  // `os/arch[/variant]` where the index says
  std::string architecture;
  // docker-archive
  std::string config_member;
  std::vector<std::string> layer_members;
  // OCI
  Descriptor manifest;
  std::string config_digest;  // docker-archive: from the config's name, when it is a digest
};

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// The digest a docker-archive config's name carries (`<hex>.json`, `blobs/sha256/<hex>`).
std::string digest_in_name(std::string_view member) {
  const std::size_t slash = member.rfind('/');
  std::string_view base = slash == std::string_view::npos ? member : member.substr(slash + 1);
  if (base.ends_with(".json")) {
    base.remove_suffix(5);
  }
  return is_hex64(base) ? "sha256:" + std::string(base) : std::string();
}

// A reference in a comparable form: no `docker.io/library/`, `docker.io/` or `localhost/`,
// `:latest` where no tag or digest is given.
std::string canonical_ref(std::string_view ref) {
  for (const std::string_view prefix : {"docker.io/library/", "index.docker.io/library/",
                                        "docker.io/", "localhost/"}) {
    if (ref.starts_with(prefix)) {
      ref.remove_prefix(prefix.size());
      break;
    }
  }
  std::string out(ref);
  const std::size_t slash = out.rfind('/');
  const std::size_t colon = out.rfind(':');
  if (out.find('@') == std::string::npos && (colon == std::string::npos || (slash != std::string::npos && colon < slash))) {
    out += ":latest";
  }
  return out;
}

std::string host_architecture() {
  struct utsname u {};
  if (::uname(&u) != 0) {
    return {};
  }
  const std::string_view m = u.machine;
  if (m == "x86_64") {
    return "amd64";
  }
  if (m == "aarch64") {
    return "arm64";
  }
  return std::string(m);
}

std::string describe_candidate(const Candidate& c) {
  std::string out = c.names.empty() ? std::string("(unnamed)") : shown(c.names.front());
  const std::string digest = !c.manifest.digest.empty() ? c.manifest.digest : c.config_digest;
  if (!digest.empty()) {
    out += fmt::format(" ({})", digest.substr(0, 7 + 12));
  }
  if (!c.platform.empty()) {
    out += fmt::format(" [{}]", c.platform);
  }
  return out;
}

Result<const Candidate*> choose(const Container& box, const std::vector<Candidate>& all,
                                const std::string& select) {
  if (all.empty()) {
    return unexpected(box.error("it holds no image"));
  }
  std::vector<const Candidate*> matches;
  if (select.empty()) {
    for (const Candidate& c : all) {
      matches.push_back(&c);
    }
  } else {
    const bool by_digest = select.starts_with("sha256:") && select.size() >= 7 + 12;
    const std::string wanted = canonical_ref(select);
    for (const Candidate& c : all) {
      bool hit = false;
      if (by_digest) {
        hit = c.manifest.digest.starts_with(select) || c.config_digest.starts_with(select);
      }
      for (const std::string& n : c.names) {
        hit = hit || n == select || canonical_ref(n) == wanted;
      }
      if (hit) {
        matches.push_back(&c);
      }
    }
  }
  if (matches.size() > 1) {
    // Several platforms of one name: this machine's.
    const std::string arch = host_architecture();
    std::vector<const Candidate*> native;
    for (const Candidate* c : matches) {
      if (!c->architecture.empty() && c->architecture == arch) {
        native.push_back(c);
      }
    }
    if (native.size() == 1) {
      return native.front();
    }
  }
  if (matches.size() == 1) {
    return matches.front();
  }
  std::string list;
  for (const Candidate& c : all) {
    list += fmt::format("{}{}", list.empty() ? "" : ", ", describe_candidate(c));
  }
  if (matches.empty()) {
    return unexpected(box.error(fmt::format("it holds no image named `{}`; it holds {}",
                                            shown(select), list)));
  }
  return unexpected(box.error(fmt::format(
      "it holds {} images{}: {}; name one (`--image FILE:NAME`, a name or a digest)", all.size(),
      select.empty() ? "" : fmt::format(" matching `{}`", shown(select)), list)));
}

Result<std::string> read_verified(Container& box, const std::string& member,
                                  const std::string& digest, std::optional<std::uint64_t> size,
                                  std::string_view what) {
  MLSTACK_TRY_ASSIGN(std::string text, box.read(member));
  if (size && *size != text.size()) {
    return unexpected(box.error(fmt::format("{} `{}` has {} bytes, its descriptor says {}", what,
                                            shown(member), text.size(), *size)));
  }
  if (!digest.empty()) {
    const std::string actual = "sha256:" + sha256_hex(text);
    if (actual != digest) {
      return unexpected(box.error(fmt::format("{} `{}` does not match its digest: expected `{}`, "
                                              "found `{}`", what, shown(member), shown(digest),
                                              actual)));
    }
  }
  return text;
}

Result<std::vector<Candidate>> docker_candidates(Container& box) {
  MLSTACK_TRY_ASSIGN(const std::string text, box.read("manifest.json"));
  auto entries = parse_docker_manifest(text);
  if (!entries) {
    return unexpected(box.error(fmt::format("`manifest.json`: {}", entries.error().message)));
  }
  std::vector<Candidate> out;
  for (DockerManifestEntry& e : *entries) {
    Candidate c;
    c.names = std::move(e.repo_tags);
    c.config_member = std::move(e.config);
    c.layer_members = std::move(e.layers);
    c.config_digest = digest_in_name(c.config_member);
    out.push_back(std::move(c));
    if (out.size() > k_max_candidates) {
      return unexpected(box.limit(fmt::format("`manifest.json` lists more than {} images",
                                              k_max_candidates)));
    }
  }
  return out;
}

Result<void> oci_index_candidates(Container& box, const std::string& member,
                                  const std::string& digest, const std::vector<std::string>& names,
                                  int depth, std::vector<Candidate>& out) {
  MLSTACK_TRY_ASSIGN(const std::string text,
                     read_verified(box, member, digest, std::nullopt, "the index"));
  auto descriptors = parse_oci_index(text);
  if (!descriptors) {
    return unexpected(box.error(fmt::format("`{}`: {}", shown(member), descriptors.error().message)));
  }
  for (Descriptor& d : *descriptors) {
    std::vector<std::string> own = names;
    for (const char* key : {"org.opencontainers.image.ref.name", "io.containerd.image.name"}) {
      if (const auto it = d.annotations.find(key); it != d.annotations.end() &&
          std::find(own.begin(), own.end(), it->second) == own.end()) {
        own.push_back(it->second);
      }
    }
    auto path = blob_path(d.digest);
    if (!path) {
      return unexpected(box.error(fmt::format("`{}`: {}", shown(member), path.error().message)));
    }
    if (is_index_media_type(d.media_type)) {
      if (depth >= k_max_index_depth) {
        return unexpected(box.limit(fmt::format("image indexes nest more than {} deep",
                                                k_max_index_depth)));
      }
      ROOTFS_TRY(oci_index_candidates(box, *path, d.digest, own, depth + 1, out));
      continue;
    }
    Candidate c;
    c.names = std::move(own);
    c.architecture = d.architecture;
    if (!d.os.empty() || !d.architecture.empty()) {
      c.platform = d.os + "/" + d.architecture + (d.variant.empty() ? "" : "/" + d.variant);
    }
    c.manifest = std::move(d);
    out.push_back(std::move(c));
    if (out.size() > k_max_candidates) {
      return unexpected(box.limit(fmt::format("the index lists more than {} images",
                                              k_max_candidates)));
    }
  }
  return {};
}

// The layer pass: every member of one layer into the tree.
class LayerReader {
 public:
  LayerReader(const ImageOptions& options, LayerTree& tree, int memory_fd)
      : m_options(options), m_limits(options.limits), m_tree(tree), m_memory_fd(memory_fd) {}

  [[nodiscard]] std::uint64_t memory_size() const noexcept { return m_memory_size; }

  Result<void> apply(std::uint32_t layer, const std::string& name, ByteRange range,
                     std::uint32_t fd_index, LayerInfo& info) {
    MLSTACK_TRY_ASSIGN(auto stream, TarStream::open(range, name));
    info.compressed = stream->compressed();
    const auto fail = [&name](std::string_view member, std::string_view what, ErrorCode code = ErrorCode::invalid_data) {
      return make_error(code, fmt::format("cannot read {}: member `{}`: {}", name, shown(member), what));
    };
    TarEntry e;
    std::vector<std::string> parts;
    std::vector<std::string> target;
    std::uint64_t ordinal = 0;
    while (true) {
      MLSTACK_TRY_ASSIGN(const bool more, stream->next(e));
      if (!more) {
        break;
      }
      const std::uint64_t index = ordinal++;
      if (++m_members > m_limits.max_members) {
        return unexpected(make_error(ErrorCode::limit, fmt::format(
            "cannot read {}: the image has more than {} members", name, m_limits.max_members)));
      }
      if (e.path.size() > m_limits.max_path_bytes) {
        return unexpected(fail(e.path, fmt::format("its name is longer than {} bytes",
                                                   m_limits.max_path_bytes), ErrorCode::limit));
      }
      if (!normalize_member_path(e.path, parts)) {
        return unexpected(fail(e.path, "its name leaves the image root"));
      }
      if (parts.size() > m_limits.max_path_depth) {
        return unexpected(fail(e.path, fmt::format("its name has more than {} components",
                                                   m_limits.max_path_depth), ErrorCode::limit));
      }
      const bool hard = !e.hardlink.empty();
      if (hard && (e.hardlink.size() > m_limits.max_path_bytes ||
                   !normalize_member_path(e.hardlink, target))) {
        return unexpected(fail(e.path, fmt::format("it is a hard link to `{}`, outside the image",
                                                   shown(e.hardlink))));
      }
      DataRef ref;
      bool drained = false;
      if (e.kind == io::FileKind::regular && !hard && e.size > 0) {
        if (!stream->compressed() && !e.sparse) {
          if (e.data_offset + e.size > range.offset + range.size || e.data_offset + e.size < e.size) {
            return unexpected(fail(e.path, "its data runs past the end of the layer"));
          }
          ref = DataRef{DataRef::Where::range, fd_index, e.data_offset};
        } else {
          ref = DataRef{DataRef::Where::layer, layer, index};
          const std::string in_image = "/" + joined(parts);
          if (m_memory_fd >= 0 && e.size <= m_limits.max_kept_file &&
              m_memory_size + e.size <= m_limits.max_kept_bytes && m_options.keep &&
              m_options.keep(in_image, e.size)) {
            MLSTACK_TRY_ASSIGN(const bool kept, keep(*stream, e, name));
            drained = true;
            if (kept) {
              ref = DataRef{DataRef::Where::memory, 0, m_kept_offset};
            }
          }
        }
      }
      if (stream->compressed() && !drained) {
        ROOTFS_TRY(drain(*stream, name));
      }
      if (stream->compressed() && m_inflated_before + stream->consumed() > m_limits.max_inflated_bytes) {
        return unexpected(bomb(name));
      }
      auto added = m_tree.add(layer, parts, e.kind, e.size, e.mtime_ns, e.mode, e.symlink,
                              hard ? &target : nullptr, ref);
      if (!added) {
        return unexpected(fail(e.path, added.error().message));
      }
    }
    info.members = ordinal;
    if (stream->compressed()) {
      m_inflated_before += stream->consumed();
    }
    return {};
  }

 private:
  [[nodiscard]] Error bomb(const std::string& name) const {
    return make_error(ErrorCode::limit, fmt::format("cannot read {}: the compressed layers inflate "
                                                    "to more than {} bytes", name,
                                                    m_limits.max_inflated_bytes));
  }

  Result<void> drain(TarStream& stream, const std::string& name) {
    bool over = false;
    ROOTFS_TRY(stream.read_data([&](const char* /*data*/, std::size_t /*n*/) {
      over = m_inflated_before + stream.consumed() > m_limits.max_inflated_bytes;
      return !over;
    }));
    if (over) {
      return unexpected(bomb(name));
    }
    return {};
  }

  // The member's data into the memory file; false when it did not fit after all.
  Result<bool> keep(TarStream& stream, const TarEntry& e, const std::string& name) {
    const std::uint64_t start = m_memory_size;
    std::uint64_t written = 0;
    bool ok = true;
    bool over = false;
    ROOTFS_TRY(stream.read_data([&](const char* data, std::size_t n) {
      if (m_inflated_before + stream.consumed() > m_limits.max_inflated_bytes) {
        over = true;
        return false;
      }
      if (!ok || written + n > e.size) {
        ok = false;
        return true;  // read on, to the next member
      }
      std::size_t left = n;
      while (left > 0) {
        const ssize_t w = ::pwrite(m_memory_fd, data + (n - left), left,
                                   static_cast<off_t>(start + written));
        if (w < 0 && errno == EINTR) {
          continue;
        }
        if (w <= 0) {
          ok = false;  // memory ran out: the file is inflated again when read
          return true;
        }
        left -= static_cast<std::size_t>(w);
        written += static_cast<std::uint64_t>(w);
      }
      return true;
    }));
    if (over) {
      return unexpected(bomb(name));
    }
    if (!ok || written != e.size) {
      return false;
    }
    m_kept_offset = start;
    m_memory_size = page_align(start + e.size);
    return true;
  }

  const ImageOptions& m_options;
  const ImageLimits& m_limits;
  LayerTree& m_tree;
  int m_memory_fd;
  std::uint64_t m_memory_size = 0;
  std::uint64_t m_kept_offset = 0;
  std::uint64_t m_inflated_before = 0;
  std::size_t m_members = 0;
};

Result<void> verify_blob(const Container& box, ByteRange range, const std::string& member,
                         const std::string& digest) {
  Sha256 h;
  std::vector<char> buffer(std::size_t{1} << 20U);
  std::uint64_t done = 0;
  while (done < range.size) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), range.size - done));
    const ssize_t n = ::pread(range.fd, buffer.data(), want, static_cast<off_t>(range.offset + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return unexpected(box.error(fmt::format("`{}`: truncated", shown(member))));
    }
    h.update(buffer.data(), static_cast<std::size_t>(n));
    done += static_cast<std::uint64_t>(n);
  }
  const std::string actual = "sha256:" + h.hex_digest();
  if (actual != digest) {
    return unexpected(box.error(fmt::format("layer `{}` does not match its digest: expected `{}`, "
                                            "found `{}`", shown(member), shown(digest), actual)));
  }
  return {};
}

}  // namespace

std::string_view to_string(ImageFormat format) {
  switch (format) {
    case ImageFormat::docker_archive: return "docker-archive";
    case ImageFormat::oci_archive: return "oci-archive";
    case ImageFormat::oci_layout: return "oci";
  }
  return "?";
}

bool doctor_may_read(std::string_view path, std::uint64_t size) {
  const std::size_t slash = path.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::string_view dir = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  // Shared objects: `libx.so`, `libx.so.12`, `_C.cpython-311-x86_64-linux-gnu.so`.
  if (base.ends_with(".so") || base.find(".so.") != std::string_view::npos) {
    return true;
  }
  if (base.starts_with("python") && (dir.ends_with("/bin") || dir == "/bin")) {
    return true;
  }
  if (size > (std::uint64_t{4} << 20U)) {
    return false;
  }
  if (path.starts_with("/etc/") || path.find("-packages/") != std::string_view::npos ||
      path.find(".dist-info/") != std::string_view::npos ||
      path.find(".egg-info") != std::string_view::npos || path.find("/pyvenv.cfg") != std::string_view::npos) {
    return true;
  }
  if (base == "version.json" || base == "version.txt" ||
      (base.ends_with(".h") && base.find("version") != std::string_view::npos) ||
      base == "cudnn.h" || base == "nccl.h" || base == "cuda.h") {
    return true;
  }
  return false;
}

Result<Image> open_image(const std::string& path, const ImageOptions& options) {
  const ImageLimits& limits = options.limits;
  Container box(path, limits);
  ROOTFS_TRY(box.open());
  Image image;
  image.archive = path;
  std::vector<Candidate> candidates;
  if (box.has("manifest.json")) {
    image.format = ImageFormat::docker_archive;
    MLSTACK_TRY_ASSIGN(candidates, docker_candidates(box));
  } else if (box.has("index.json")) {
    image.format = box.folder() ? ImageFormat::oci_layout : ImageFormat::oci_archive;
    if (!box.has("oci-layout")) {
      return unexpected(box.error("it has `index.json` but no `oci-layout`"));
    }
    ROOTFS_TRY(oci_index_candidates(box, "index.json", "", {}, 0, candidates));
  } else {
    return unexpected(box.error("it is neither a docker-archive (no `manifest.json`) nor an OCI "
                                "archive or layout (no `index.json`)"));
  }
  MLSTACK_TRY_ASSIGN(const Candidate* chosen, choose(box, candidates, options.select));
  image.names = chosen->names;

  // The config and the layers' blobs.
  std::string config_text;
  std::vector<std::pair<std::string, Descriptor>> layers;  // member, descriptor (OCI)
  if (image.format == ImageFormat::docker_archive) {
    MLSTACK_TRY_ASSIGN(config_text, read_verified(box, chosen->config_member, chosen->config_digest,
                                                  std::nullopt, "the config"));
    image.config_digest = "sha256:" + sha256_hex(config_text);
    for (const std::string& l : chosen->layer_members) {
      layers.emplace_back(l, Descriptor{});
    }
  } else {
    image.manifest_digest = chosen->manifest.digest;
    auto manifest_path = blob_path(chosen->manifest.digest);
    if (!manifest_path) {
      return unexpected(box.error(manifest_path.error().message));
    }
    MLSTACK_TRY_ASSIGN(const std::string manifest_text,
                       read_verified(box, *manifest_path, chosen->manifest.digest,
                                     chosen->manifest.size, "the manifest"));
    auto manifest = parse_oci_manifest(manifest_text);
    if (!manifest) {
      return unexpected(box.error(fmt::format("the manifest `{}`: {}", *manifest_path,
                                              manifest.error().message)));
    }
    auto config_path = blob_path(manifest->config.digest);
    if (!config_path) {
      return unexpected(box.error(fmt::format("the manifest `{}`: {}", *manifest_path,
                                              config_path.error().message)));
    }
    MLSTACK_TRY_ASSIGN(config_text, read_verified(box, *config_path, manifest->config.digest,
                                                  manifest->config.size, "the config"));
    image.config_digest = manifest->config.digest;
    for (Descriptor& d : manifest->layers) {
      auto p = blob_path(d.digest);
      if (!p) {
        return unexpected(box.error(fmt::format("the manifest `{}`: {}", *manifest_path,
                                                p.error().message)));
      }
      if (d.media_type.find("encrypted") != std::string::npos) {
        return unexpected(make_error(ErrorCode::unsupported, fmt::format(
            "cannot read the image `{}`: layer `{}` is encrypted ({})", path, *p, shown(d.media_type))));
      }
      layers.emplace_back(*p, std::move(d));
    }
  }
  auto config = parse_image_config(config_text);
  if (!config) {
    return unexpected(box.error(fmt::format("the config: {}", config.error().message)));
  }
  image.config = std::move(*config);
  if (!image.config.diff_ids.empty() && image.config.diff_ids.size() != layers.size()) {
    return unexpected(box.error(fmt::format("the config lists {} layers, the manifest {}",
                                            image.config.diff_ids.size(), layers.size())));
  }

  // The layers, lowest first, into one tree.
  const int memory_fd = ::memfd_create("mlstack-image", MFD_CLOEXEC);
  Fd memory(memory_fd);
  ArchiveFileSystem::Parts parts;
  LayerReader reader(options, parts.tree, memory_fd);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& [member, descriptor] = layers[i];
    std::uint32_t fd_index = 0;
    MLSTACK_TRY_ASSIGN(const ByteRange range, box.range(member, fd_index));
    LayerInfo info;
    info.member = member;
    info.media_type = descriptor.media_type;
    info.digest = !descriptor.digest.empty() ? descriptor.digest
                  : i < image.config.diff_ids.size() ? image.config.diff_ids[i] : std::string();
    info.size = range.size;
    if (!descriptor.digest.empty() && descriptor.size != range.size) {
      return unexpected(box.error(fmt::format("layer `{}` has {} bytes, its descriptor says {}",
                                              shown(member), range.size, descriptor.size)));
    }
    if (limits.verify_layers && !descriptor.digest.empty()) {
      ROOTFS_TRY(verify_blob(box, range, member, descriptor.digest));
    }
    const auto layer = static_cast<std::uint32_t>(i + 1);
    std::string name = fmt::format("layer {} (`{}`) of `{}`", layer, shown(member), path);
    ROOTFS_TRY(reader.apply(layer, name, range, fd_index, info));
    if (limits.verify_layers && descriptor.digest.empty() && !info.compressed && !info.digest.empty()) {
      ROOTFS_TRY(verify_blob(box, range, member, info.digest));
    }
    parts.layers.push_back(LayerSource{range, std::move(name)});
    image.layers.push_back(std::move(info));
  }
  parts.fds = box.release_fds();
  // The layer sources point at the descriptors now owned by `parts.fds` (same numbers).
  parts.memory_fd = memory.release();
  parts.memory_size = reader.memory_size();
  parts.device = box.device();
  parts.max_kept_bytes = limits.max_kept_bytes;
  parts.max_kept_file = limits.max_kept_file;
  image.fs = std::make_unique<ArchiveFileSystem>(std::move(parts));
  return image;
}

std::pair<std::string, std::string> split_image_argument(
    std::string_view arg, const std::function<bool(const std::string&)>& exists) {
  const std::string whole(arg);
  if (exists(whole)) {
    return {whole, ""};
  }
  for (std::size_t colon = arg.rfind(':'); colon != std::string_view::npos && colon > 0;
       colon = arg.rfind(':', colon - 1)) {
    std::string file(arg.substr(0, colon));
    if (exists(file)) {
      return {std::move(file), std::string(arg.substr(colon + 1))};
    }
  }
  return {whole, ""};
}

}  // namespace mlstack::rootfs
