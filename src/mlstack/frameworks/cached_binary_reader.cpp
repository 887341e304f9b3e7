// SPDX-License-Identifier: MIT
#include "mlstack/frameworks/cached_binary_reader.hpp"

#include <optional>
#include <string_view>

namespace mlstack::frameworks {
namespace {

// The cache kinds; the number changes with what the reader derives.
constexpr std::string_view k_gpu_code = "elf.gpu_code/1";
constexpr std::string_view k_embedded = "elf.embedded/1";
constexpr std::string_view k_jax_versions = "elf.jax_versions/1";
constexpr std::string_view k_needed = "elf.needed/1";

void put(io::BlobWriter& w, const facts::GpuCode& c) {
  w.str(c.path);
  w.strings(c.sass);
  w.strings(c.ptx);
  w.u64(c.sass_entries).u64(c.ptx_entries);
}

void get(io::BlobReader& r, facts::GpuCode& c) {
  c.path = std::string(r.str());
  c.sass = r.strings();
  c.ptx = r.strings();
  c.sass_entries = static_cast<std::size_t>(r.u64());
  c.ptx_entries = static_cast<std::size_t>(r.u64());
}

void put(io::BlobWriter& w, const std::vector<EmbeddedLibrary>& list) {
  w.u64(list.size());
  for (const EmbeddedLibrary& e : list) {
    w.str(e.library).str(e.version).str(e.cuda).str(e.evidence);
  }
}

void get(io::BlobReader& r, std::vector<EmbeddedLibrary>& list) {
  list.resize(r.count(4));
  for (EmbeddedLibrary& e : list) {
    e.library = std::string(r.str());
    e.version = std::string(r.str());
    e.cuda = std::string(r.str());
    e.evidence = std::string(r.str());
  }
}

void put(io::BlobWriter& w, const JaxBuildVersions& v) {
  w.str(v.cuda).str(v.cudnn).str(v.evidence);
}

void get(io::BlobReader& r, JaxBuildVersions& v) {
  v.cuda = std::string(r.str());
  v.cudnn = std::string(r.str());
  v.evidence = std::string(r.str());
}

void put(io::BlobWriter& w, const std::vector<std::string>& list) { w.strings(list); }

void get(io::BlobReader& r, std::vector<std::string>& list) { list = r.strings(); }

// `read(path)` through the cache: a blob is a tag (0 a value, 1 an error) and the one or the
// other.
template <class T, class Read>
Result<T> through(const io::FileSystem& fs, io::FileFactsCache& cache, std::string_view kind,
                  const std::string& path, Read&& read) {
  io::FileStat st;
  if (!cache.enabled() || !fs.stat(path, io::Follow::yes, st).ok()) {
    return read();
  }
  if (const std::optional<std::string_view> blob = cache.find(kind, path, st)) {
    io::BlobReader r(*blob);
    if (r.u64() == 0) {
      T value{};
      get(r, value);
      if (r.done()) {
        return value;
      }
    } else if (Error e = r.error(); r.done()) {
      return unexpected(std::move(e));
    }
  }
  Result<T> result = read();
  io::BlobWriter w;
  if (result) {
    w.u64(0);
    put(w, *result);
  } else {
    w.u64(1).error(result.error());
  }
  cache.store(kind, path, st, w.take());
  return result;
}

}  // namespace

Result<facts::GpuCode> CachedBinaryReader::gpu_code(const std::string& path) const {
  return through<facts::GpuCode>(m_fs, m_cache, k_gpu_code, path,
                                 [&] { return m_inner.gpu_code(path); });
}

Result<std::vector<EmbeddedLibrary>> CachedBinaryReader::embedded_libraries(
    const std::string& path) const {
  return through<std::vector<EmbeddedLibrary>>(m_fs, m_cache, k_embedded, path,
                                               [&] { return m_inner.embedded_libraries(path); });
}

Result<JaxBuildVersions> CachedBinaryReader::jax_build_versions(const std::string& path) const {
  return through<JaxBuildVersions>(m_fs, m_cache, k_jax_versions, path,
                                   [&] { return m_inner.jax_build_versions(path); });
}

Result<std::vector<std::string>> CachedBinaryReader::needed(const std::string& path) const {
  return through<std::vector<std::string>>(m_fs, m_cache, k_needed, path,
                                           [&] { return m_inner.needed(path); });
}

}  // namespace mlstack::frameworks
