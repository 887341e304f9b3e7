// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/error.hpp"
#include "mlstack/base/result.hpp"
#include "mlstack/io/file_system.hpp"

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <unordered_map>

/// A cache of facts derived from files, each valid for one file as `stat` saw it: a RECORD's
/// summary, a binary's fatbin index, its DT_NEEDED or DT_SONAME. A warm `doctor` stats each
/// file it would read and, when the file's identity is the one stored, takes the stored
/// facts instead of reading it (one `stat` instead of an `mmap` of a 1 GB library and
/// thousands of page faults, or a read of a 3 MB RECORD).
///
/// The cache knows nothing of what it stores: each user encodes its own facts into a blob
/// (`BlobWriter`) under a `kind` that names the derivation (`elf.gpu_code`). One file holds
/// the entries of one environment (the caller names it); it is read whole when the cache is
/// opened and written again, atomically, only when the run stored an entry or did not ask for
/// one it holds (entries of files no longer read are dropped, so the file does not grow).
///
/// Validity: an entry is used only when the file's size, mtime, ctime, inode and device are
/// the ones stored, and only by the program that wrote it (`writer`: mlstack's version and
/// its executable's identity, so a new build never reads what an older one derived). A file
/// modified within a second before the cache was opened is not stored: a second change in the
/// same clock tick could keep its mtime and size (git's "racily clean" entries). A missing,
/// unreadable, corrupt or foreign cache file is an empty cache; a read-only cache folder only
/// costs speed. Thread-safe.
namespace mlstack::io {

/// Appends integers (LEB128: 7 bits a byte) and length-prefixed strings: the blob encoding.
class BlobWriter {
 public:
  BlobWriter& u64(std::uint64_t v);
  BlobWriter& str(std::string_view s);
  /// A count, then each string.
  BlobWriter& strings(const std::vector<std::string>& list);
  /// An `Error` whole: code, message, context and span.
  BlobWriter& error(const Error& e);
  [[nodiscard]] std::string take() noexcept { return std::move(m_out); }

 private:
  std::string m_out;
};

/// Reads what `BlobWriter` wrote. A read past the end gives zero or empty and clears `ok()`,
/// so a damaged blob is detected once, by the caller, after decoding.
class BlobReader {
 public:
  explicit BlobReader(std::string_view bytes) noexcept : m_in(bytes) {}
  std::uint64_t u64() noexcept;
  std::string_view str() noexcept;
  /// What `BlobWriter::strings` wrote (empty, and not ok, when damaged).
  std::vector<std::string> strings();
  Error error();
  /// A count of items each at least `min_item_bytes` long (1 or more): 0 (and not ok) when
  /// the rest of the blob cannot hold that many, so a damaged count never reserves gigabytes.
  std::size_t count(std::size_t min_item_bytes) noexcept;
  /// Marks the blob damaged: the caller found a value it cannot be.
  void fail() noexcept { m_ok = false; }
  [[nodiscard]] bool ok() const noexcept { return m_ok; }
  /// Everything read and nothing left over.
  [[nodiscard]] bool done() const noexcept { return m_ok && m_in.empty(); }

 private:
  std::string_view m_in;
  bool m_ok = true;
};

/// FNV-1a, 64 bits: a stable fingerprint for cache file names and checksums (not a
/// cryptographic hash).
[[nodiscard]] std::uint64_t fingerprint(std::string_view bytes) noexcept;

/// The cache folder: `$XDG_CACHE_HOME/mlstack` (when absolute), else `$HOME/.cache/mlstack`;
/// empty when neither is set.
[[nodiscard]] std::string default_cache_dir();

/// Whether `MLSTACK_NO_CACHE` turns the caches off (set, not empty and not `0`).
[[nodiscard]] bool cache_disabled_by_environment();

class FileFactsCache {
 public:
  /// A disabled cache: finds nothing, stores nothing, saves nothing.
  FileFactsCache() = default;
  /// Loads `file` (an absent or bad one is an empty cache). Entries written by another
  /// `writer` are ignored.
  FileFactsCache(std::string file, std::string writer);

  [[nodiscard]] bool enabled() const noexcept { return !m_file.empty(); }
  [[nodiscard]] const std::string& file() const noexcept { return m_file; }

  /// The blob stored for `kind` of `path` when `st` is still the identity it was stored
  /// with. The view stays valid while the cache lives.
  [[nodiscard]] std::optional<std::string_view> find(std::string_view kind, std::string_view path,
                                                     const FileStat& st) const;

  /// Stores `blob` for `kind` of `path` as `st` saw it (taken before the file was read, so a
  /// change during the read makes the next run miss), replacing what the key held (views of
  /// it from `find` end). Not stored: a file that is not regular or changed too recently.
  void store(std::string_view kind, std::string_view path, const FileStat& st, std::string blob);

  /// An entry that is not one file's facts (what several files give together): `blob`
  /// carries its own validators, which the caller checks.
  [[nodiscard]] std::optional<std::string_view> find_entry(std::string_view kind,
                                                           std::string_view name) const;
  void store_entry(std::string_view kind, std::string_view name, std::string blob);

  /// Whether facts derived from a file as `st` saw it may be stored: a regular file not
  /// modified in the second before the cache was opened.
  [[nodiscard]] bool storable(const FileStat& st) const noexcept;

  /// Writes the cache file when this run changed it. Best effort: the error is returned for
  /// tests; callers may ignore it.
  Result<void> save() const;

  struct Counts {
    std::size_t hits = 0;
    std::size_t misses = 0;  // `find` found nothing valid
    std::size_t stored = 0;
  };
  [[nodiscard]] Counts counts() const;

 private:
  struct Entry {
    FileStat identity;
    std::string_view blob;  // into m_image (loaded) or `owned` (stored)
    std::string owned;
    bool used = false;
  };
  [[nodiscard]] static std::string key(std::string_view kind, std::string_view path);
  [[nodiscard]] std::optional<std::string_view> lookup(std::string_view kind, std::string_view path,
                                                       const FileStat* st) const;
  void insert(std::string_view kind, std::string_view path, const FileStat& st, std::string blob);

  std::string m_file;
  std::string m_writer;
  std::string m_image;  // the file as read; loaded blobs point into it
  std::int64_t m_opened_ns = 0;
  mutable std::mutex m_mutex;
  mutable std::unordered_map<std::string, Entry> m_entries;
  mutable Counts m_counts;
  std::size_t m_loaded = 0;
};

}  // namespace mlstack::io
