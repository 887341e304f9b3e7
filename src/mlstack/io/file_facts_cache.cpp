// SPDX-License-Identifier: MIT
#include "mlstack/io/file_facts_cache.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <time.h>
#include <vector>

namespace mlstack::io {
namespace {

// The first line of a cache file; the number changes with the file layout.
constexpr std::string_view k_magic = "mlstack-file-facts 1\n";
constexpr std::size_t k_max_file = std::size_t{256} << 20U;
// A file changed this close to the cache's opening is not stored (see the header).
constexpr std::int64_t k_racy_ns = 1'000'000'000;
// The fewest bytes an entry takes: 5 integers and 2 string lengths, a byte each at least.
constexpr std::size_t k_entry_min = 7;

// The checksum at the end of the file: 8 bytes, little-endian.
void append_le64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>(v & 0xFFU));
    v >>= 8U;
  }
}

std::uint64_t read_le64(std::string_view in) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 8; i-- > 0;) {
    v = (v << 8U) | static_cast<unsigned char>(in[i]);
  }
  return v;
}

bool same_identity(const FileStat& a, const FileStat& b) noexcept {
  return a.size == b.size && a.mtime_ns == b.mtime_ns && a.ctime_ns == b.ctime_ns &&
         a.inode == b.inode && a.device == b.device;
}

std::int64_t now_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

BlobWriter& BlobWriter::u64(std::uint64_t v) {
  // LEB128: seven bits a byte, low first; the high bit says another byte follows.
  while (v >= 0x80U) {
    m_out.push_back(static_cast<char>((v & 0x7FU) | 0x80U));
    v >>= 7U;
  }
  m_out.push_back(static_cast<char>(v));
  return *this;
}

BlobWriter& BlobWriter::str(std::string_view s) {
  u64(s.size());
  m_out.append(s);
  return *this;
}

BlobWriter& BlobWriter::strings(const std::vector<std::string>& list) {
  u64(list.size());
  for (const std::string& s : list) {
    str(s);
  }
  return *this;
}

BlobWriter& BlobWriter::error(const Error& e) {
  u64(static_cast<std::uint64_t>(e.code)).str(e.message).u64(e.context.size());
  for (const std::string& c : e.context) {
    str(c);
  }
  u64(e.span ? 1 : 0);
  if (e.span) {
    str(e.span->input).u64(e.span->begin).u64(e.span->length);
  }
  return *this;
}

Error BlobReader::error() {
  Error e;
  const std::uint64_t code = u64();
  if (code > static_cast<std::uint64_t>(ErrorCode::timeout)) {
    m_ok = false;
  }
  e.code = static_cast<ErrorCode>(code);
  e.message = std::string(str());
  e.context.resize(count(1));
  for (std::string& c : e.context) {
    c = std::string(str());
  }
  if (u64() != 0) {
    SourceSpan span;
    span.input = std::string(str());
    const std::uint64_t begin = u64();
    const std::uint64_t length = u64();
    // A span is within its input (a damaged length would make render() allocate wildly).
    if (begin > span.input.size() || length > span.input.size() + 1 - begin) {
      m_ok = false;
      return e;
    }
    span.begin = static_cast<std::size_t>(begin);
    span.length = static_cast<std::size_t>(length);
    e.span = std::move(span);
  }
  return e;
}

std::uint64_t BlobReader::u64() noexcept {
  std::uint64_t v = 0;
  for (unsigned shift = 0; m_ok; shift += 7) {
    if (m_in.empty() || shift > 63) {
      m_ok = false;
      break;
    }
    const auto byte = static_cast<unsigned char>(m_in.front());
    m_in.remove_prefix(1);
    v |= static_cast<std::uint64_t>(byte & 0x7FU) << shift;
    if ((byte & 0x80U) == 0) {
      return v;
    }
  }
  return 0;
}

std::string_view BlobReader::str() noexcept {
  const std::uint64_t n = u64();
  if (!m_ok || n > m_in.size()) {
    m_ok = false;
    return {};
  }
  const std::string_view out = m_in.substr(0, static_cast<std::size_t>(n));
  m_in.remove_prefix(static_cast<std::size_t>(n));
  return out;
}

std::vector<std::string> BlobReader::strings() {
  std::vector<std::string> out(count(1));
  for (std::string& s : out) {
    s = std::string(str());
  }
  return out;
}

std::size_t BlobReader::count(std::size_t min_item_bytes) noexcept {
  const std::uint64_t n = u64();
  if (!m_ok || (min_item_bytes > 0 && n > m_in.size() / min_item_bytes)) {
    m_ok = false;
    return 0;
  }
  return static_cast<std::size_t>(n);
}

std::uint64_t fingerprint(std::string_view bytes) noexcept {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::string default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/mlstack";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    return std::string(home) + "/.cache/mlstack";
  }
  return {};
}

bool cache_disabled_by_environment() {
  const char* v = std::getenv("MLSTACK_NO_CACHE");
  return v != nullptr && v[0] != '\0' && std::string_view(v) != "0";
}

std::string FileFactsCache::key(std::string_view kind, std::string_view path) {
  std::string k;
  k.reserve(kind.size() + 1 + path.size());
  k.append(kind);
  k.push_back('\0');
  k.append(path);
  return k;
}

FileFactsCache::FileFactsCache(std::string file, std::string writer)
    : m_file(std::move(file)), m_writer(std::move(writer)), m_opened_ns(now_ns()) {
  if (m_file.empty()) {
    return;
  }
  const RealFileSystem fs;
  std::string image;
  if (!fs.read_file(m_file, k_max_file, image).ok() || image.size() < k_magic.size() + 8 ||
      !std::string_view(image).starts_with(k_magic)) {
    return;
  }
  // The last 8 bytes are a checksum of the rest: a truncated or damaged file is ignored.
  const std::string_view body = std::string_view(image).substr(0, image.size() - 8);
  if (read_le64(std::string_view(image).substr(image.size() - 8)) != fingerprint(body)) {
    return;
  }
  m_image = std::move(image);
  BlobReader in(std::string_view(m_image).substr(k_magic.size(), body.size() - k_magic.size()));
  if (in.str() != m_writer) {
    m_image.clear();
    return;
  }
  const std::size_t n = in.count(k_entry_min);
  std::unordered_map<std::string, Entry> entries;
  entries.reserve(n);
  for (std::size_t i = 0; i < n && in.ok(); ++i) {
    const std::string_view k = in.str();
    Entry e;
    e.identity.size = static_cast<std::int64_t>(in.u64());
    e.identity.mtime_ns = static_cast<std::int64_t>(in.u64());
    e.identity.ctime_ns = static_cast<std::int64_t>(in.u64());
    e.identity.inode = in.u64();
    e.identity.device = in.u64();
    e.identity.kind = FileKind::regular;
    e.blob = in.str();
    if (in.ok()) {
      entries.try_emplace(std::string(k), std::move(e));
    }
  }
  if (!in.done()) {
    m_image.clear();
    return;
  }
  m_entries = std::move(entries);
  m_loaded = m_entries.size();
}

std::optional<std::string_view> FileFactsCache::find(std::string_view kind, std::string_view path,
                                                     const FileStat& st) const {
  return lookup(kind, path, &st);
}

std::optional<std::string_view> FileFactsCache::find_entry(std::string_view kind,
                                                           std::string_view name) const {
  return lookup(kind, name, nullptr);
}

std::optional<std::string_view> FileFactsCache::lookup(std::string_view kind, std::string_view path,
                                                       const FileStat* st) const {
  if (!enabled()) {
    return std::nullopt;
  }
  const std::string k = key(kind, path);
  const std::lock_guard<std::mutex> lock(m_mutex);
  const auto it = m_entries.find(k);
  if (it == m_entries.end() || (st != nullptr && (st->kind != FileKind::regular ||
                                                  !same_identity(it->second.identity, *st)))) {
    ++m_counts.misses;
    return std::nullopt;
  }
  it->second.used = true;
  ++m_counts.hits;
  return it->second.blob;
}

bool FileFactsCache::storable(const FileStat& st) const noexcept {
  // mtime only: a later change of the content sets it to the time of that change, so a file
  // whose mtime is older than the clock's tick cannot change without the next stat seeing it.
  // (ctime, in the identity, catches an mtime set back with utime.)
  return enabled() && st.kind == FileKind::regular && st.mtime_ns <= m_opened_ns - k_racy_ns;
}

void FileFactsCache::store(std::string_view kind, std::string_view path, const FileStat& st,
                           std::string blob) {
  if (storable(st)) {
    insert(kind, path, st, std::move(blob));
  }
}

void FileFactsCache::store_entry(std::string_view kind, std::string_view name, std::string blob) {
  if (enabled()) {
    FileStat none;
    none.kind = FileKind::regular;
    insert(kind, name, none, std::move(blob));
  }
}

void FileFactsCache::insert(std::string_view kind, std::string_view path, const FileStat& st,
                            std::string blob) {
  std::string k = key(kind, path);
  const std::lock_guard<std::mutex> lock(m_mutex);
  Entry& e = m_entries[std::move(k)];  // nodes do not move: `blob` may point into `owned`
  e.identity = st;
  e.owned = std::move(blob);
  e.blob = e.owned;
  e.used = true;
  ++m_counts.stored;
}

FileFactsCache::Counts FileFactsCache::counts() const {
  const std::lock_guard<std::mutex> lock(m_mutex);
  return m_counts;
}

Result<void> FileFactsCache::save() const {
  if (!enabled()) {
    return {};
  }
  BlobWriter out;
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    std::size_t used = 0;
    for (const auto& [k, e] : m_entries) {
      used += e.used ? 1 : 0;
    }
    if (m_counts.stored == 0 && used == m_loaded && used == m_entries.size()) {
      return {};  // nothing changed
    }
    // Sorted keys: the same facts give the same file.
    std::vector<const std::pair<const std::string, Entry>*> kept;
    kept.reserve(used);
    for (const auto& kv : m_entries) {
      if (kv.second.used) {
        kept.push_back(&kv);
      }
    }
    std::sort(kept.begin(), kept.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    out.str(m_writer).u64(kept.size());
    for (const auto* kv : kept) {
      const FileStat& id = kv->second.identity;
      out.str(kv->first)
          .u64(static_cast<std::uint64_t>(id.size))
          .u64(static_cast<std::uint64_t>(id.mtime_ns))
          .u64(static_cast<std::uint64_t>(id.ctime_ns))
          .u64(id.inode)
          .u64(id.device)
          .str(kv->second.blob);
    }
  }
  std::string image(k_magic);
  image += out.take();
  append_le64(image, fingerprint(image));
  return write_file_atomic(m_file, image);
}

}  // namespace mlstack::io
