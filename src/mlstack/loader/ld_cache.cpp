// SPDX-License-Identifier: MIT
#include "mlstack/loader/ld_cache.hpp"

#include "mlstack/io/file_system.hpp"

#include <bit>
#include <cstring>
#include <utility>

namespace mlstack::loader {
namespace {

constexpr std::string_view k_magic_new = "glibc-ld.so.cache1.1";
constexpr std::string_view k_magic_old = "ld.so-1.7.0";
constexpr std::size_t k_header_new = 48;
constexpr std::size_t k_entry_new = 24;
constexpr std::size_t k_header_old = 16;  // magic (11), padding, u32 nlibs
constexpr std::size_t k_entry_old = 12;
constexpr std::uint64_t k_hwcap_extension = 1ULL << 62U;

// A `T` at `at` of `bytes`, in the cache's byte order.
template <typename T>
T load(std::string_view bytes, std::size_t at, bool big_endian) {
  unsigned char raw[sizeof(T)];
  std::memcpy(raw, bytes.data() + at, sizeof raw);
  if (big_endian != (std::endian::native == std::endian::big)) {
    for (std::size_t i = 0; i < sizeof raw / 2; ++i) {
      std::swap(raw[i], raw[sizeof raw - 1 - i]);
    }
  }
  T value{};
  std::memcpy(&value, raw, sizeof value);
  return value;
}

Error bad(std::string what) { return make_error(ErrorCode::invalid_data, std::move(what)); }

// The NUL-terminated string at `offset` of `bytes`; none when it runs past the end.
std::optional<std::string> string_at(std::string_view bytes, std::uint32_t offset) {
  if (offset >= bytes.size()) {
    return std::nullopt;
  }
  const std::size_t end = bytes.find('\0', offset);
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(bytes.substr(offset, end - offset));
}

}  // namespace

std::optional<std::string> LdCache::lookup(std::string_view soname, std::int32_t flags) const {
  for (const CacheEntry& e : entries) {
    if (e.soname == soname && e.flags == flags && (e.hwcap & k_hwcap_extension) == 0) {
      return e.path;
    }
  }
  return std::nullopt;
}

Result<LdCache> parse_ld_cache(std::string_view bytes) {
  std::size_t start = 0;
  if (bytes.substr(0, k_magic_old.size()) == k_magic_old) {
    if (bytes.size() < k_header_old) {
      return unexpected(bad("the old-format header is cut short"));
    }
    const auto old_count = load<std::uint32_t>(bytes, 12, false);
    // The new part follows the old entries, 8-aligned (dl-cache.h ALIGN_CACHE).
    const std::uint64_t end = k_header_old + std::uint64_t{old_count} * k_entry_old;
    start = static_cast<std::size_t>((end + 7) & ~std::uint64_t{7});
    if (start >= bytes.size()) {
      return unexpected(bad("an old-format cache without the new format (glibc-ld.so.cache1.1)"));
    }
  }
  const std::string_view cache = bytes.substr(start);
  if (cache.substr(0, k_magic_new.size()) != k_magic_new) {
    return unexpected(bad("not an ld.so cache (no `glibc-ld.so.cache1.1` magic)"));
  }
  if (cache.size() < k_header_new) {
    return unexpected(bad("the header is cut short"));
  }
  const auto order = static_cast<unsigned char>(cache[28]);
  const bool big = order == 3;
  const auto count = load<std::uint32_t>(cache, 20, big);
  if (std::uint64_t{count} * k_entry_new > cache.size() - k_header_new) {
    return unexpected(bad("the header counts " + std::to_string(count) +
                          " entries, more than the file holds"));
  }
  LdCache out;
  out.entries.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t at = k_header_new + std::size_t{i} * k_entry_new;
    CacheEntry e;
    e.flags = load<std::int32_t>(cache, at, big);
    auto key = string_at(cache, load<std::uint32_t>(cache, at + 4, big));
    auto value = string_at(cache, load<std::uint32_t>(cache, at + 8, big));
    e.hwcap = load<std::uint64_t>(cache, at + 16, big);
    if (!key || !value) {
      return unexpected(bad("entry " + std::to_string(i) + " names a string outside the file"));
    }
    e.soname = std::move(*key);
    e.path = std::move(*value);
    out.entries.push_back(std::move(e));
  }
  return out;
}

Result<LdCache> read_ld_cache(const io::FileSystem& fs, const std::string& path) {
  std::string bytes;
  const io::IoStatus status = fs.read_file(path, std::size_t{64} << 20U, bytes);
  if (!status.ok()) {
    return unexpected(io::make_io_error(status, "read", path));
  }
  auto cache = parse_ld_cache(bytes);
  if (!cache) {
    return unexpected(
        make_error(ErrorCode::invalid_data, "cannot read `" + path + "`: " + cache.error().message));
  }
  return cache;
}

}  // namespace mlstack::loader
