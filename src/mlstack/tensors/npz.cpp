// SPDX-License-Identifier: MIT
#include "mlstack/tensors/npz.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/tensors/mapped_file.hpp"
#include "mlstack/tensors/npy.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

namespace mlstack::tensors {

namespace {

constexpr std::uint32_t k_eocd_sig = 0x06054b50;
constexpr std::uint32_t k_zip64_locator_sig = 0x07064b50;
constexpr std::uint32_t k_zip64_eocd_sig = 0x06064b50;
constexpr std::uint32_t k_central_sig = 0x02014b50;
constexpr std::uint32_t k_local_sig = 0x04034b50;
constexpr std::size_t k_eocd_size = 22;
constexpr std::size_t k_central_size = 46;
constexpr std::size_t k_local_size = 30;

// A bounds-checked little-endian cursor over the archive.
class Reader {
 public:
  explicit Reader(std::span<const std::byte> bytes) : m_bytes(bytes) {}
  [[nodiscard]] bool has(std::uint64_t offset, std::uint64_t n) const {
    return offset <= m_bytes.size() && n <= m_bytes.size() - offset;
  }
  [[nodiscard]] std::uint64_t le(std::uint64_t offset, unsigned n) const {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) {
      v |= static_cast<std::uint64_t>(m_bytes[offset + i]) << (8U * i);
    }
    return v;
  }
  [[nodiscard]] std::string_view text(std::uint64_t offset, std::uint64_t n) const {
    return {reinterpret_cast<const char*>(m_bytes.data() + offset), static_cast<std::size_t>(n)};
  }
  [[nodiscard]] std::size_t size() const { return m_bytes.size(); }

 private:
  std::span<const std::byte> m_bytes;
};

struct Member {
  std::string name;
  unsigned flags = 0;
  unsigned method = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed = 0;
  std::uint64_t uncompressed = 0;
  std::uint64_t local_offset = 0;
  std::uint64_t data_offset = 0;
};

struct Directory {
  std::uint64_t entries = 0;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

Result<Directory> find_directory(const Reader& r) {
  auto bad = [](std::string m) { return unexpected(make_error(ErrorCode::parse, std::move(m))); };
  if (r.size() < k_eocd_size) {
    return bad("not a zip archive (too short for an end of central directory record)");
  }
  // The record ends the file, followed by a comment of at most 65,535 bytes.
  std::optional<std::uint64_t> eocd;
  const std::uint64_t last = r.size() - k_eocd_size;
  const std::uint64_t first = last > 65'535 ? last - 65'535 : 0;
  for (std::uint64_t at = last + 1; at-- > first;) {
    if (r.le(at, 4) == k_eocd_sig && at + k_eocd_size + r.le(at + 20, 2) == r.size()) {
      eocd = at;
      break;
    }
  }
  if (!eocd) {
    return bad("not a zip archive (no end of central directory record)");
  }
  Directory d;
  d.entries = r.le(*eocd + 10, 2);
  d.size = r.le(*eocd + 12, 4);
  d.offset = r.le(*eocd + 16, 4);
  if (r.le(*eocd + 4, 2) != 0 || r.le(*eocd + 6, 2) != 0) {
    return unexpected(make_error(ErrorCode::unsupported, "multi-disk zip archives"));
  }
  if (d.entries == 0xFFFF || d.size == 0xFFFFFFFF || d.offset == 0xFFFFFFFF) {
    if (*eocd < 20 || r.le(*eocd - 20, 4) != k_zip64_locator_sig) {
      return bad("the end of central directory asks for ZIP64, but there is no ZIP64 locator");
    }
    const std::uint64_t at = r.le(*eocd - 20 + 8, 8);
    if (!r.has(at, 56) || r.le(at, 4) != k_zip64_eocd_sig) {
      return bad("the ZIP64 locator points past the file or at no ZIP64 record");
    }
    d.entries = r.le(at + 32, 8);
    d.size = r.le(at + 40, 8);
    d.offset = r.le(at + 48, 8);
  }
  if (!r.has(d.offset, d.size)) {
    return bad(fmt::format("the central directory ({} bytes at {}) lies past the end of the "
                           "file ({} bytes)",
                           d.size, d.offset, r.size()));
  }
  return d;
}

// The ZIP64 extended information extra field (id 1) holds, in this order, the 64-bit values
// of the 32-bit fields that are 0xFFFFFFFF.
bool apply_zip64_extra(const Reader& r, std::uint64_t at, std::uint64_t n, Member& m) {
  const std::uint64_t end = at + n;
  while (at + 4 <= end) {
    const auto id = r.le(at, 2);
    const auto len = r.le(at + 2, 2);
    const std::uint64_t body = at + 4;
    if (body + len > end) {
      return false;
    }
    if (id == 1) {
      std::uint64_t p = body;
      for (std::uint64_t* field : {&m.uncompressed, &m.compressed, &m.local_offset}) {
        if (*field == 0xFFFFFFFF) {
          if (p + 8 > body + len) {
            return false;
          }
          *field = r.le(p, 8);
          p += 8;
        }
      }
    }
    at = body + len;
  }
  return true;
}

bool ends_with_npy(std::string_view name) { return name.ends_with(".npy"); }

Result<void> inflate_member(std::span<const std::byte> in, std::span<std::byte> out,
                            std::uint32_t expected_crc) {
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
    return unexpected(make_error(ErrorCode::io, "zlib could not start inflating"));
  }
  constexpr std::size_t k_chunk = std::size_t{1} << 30U;
  std::size_t in_pos = 0;
  std::size_t out_pos = 0;
  int rc = Z_OK;
  std::string problem;
  while (true) {
    const std::size_t in_n = std::min(k_chunk, in.size() - in_pos);
    const std::size_t out_n = std::min(k_chunk, out.size() - out_pos);
    // zlib does not write through next_in; its API is not const-correct.
    zs.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(in.data() + in_pos));
    zs.avail_in = static_cast<uInt>(in_n);
    std::byte spare{};
    zs.next_out = reinterpret_cast<Bytef*>(out_n > 0 ? out.data() + out_pos : &spare);
    zs.avail_out = static_cast<uInt>(out_n > 0 ? out_n : 1);
    rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t used_in = in_n - zs.avail_in;
    const std::size_t wrote = (out_n > 0 ? out_n : 1) - zs.avail_out;
    in_pos += used_in;
    if (out_n == 0 && wrote > 0) {
      problem = "inflates past the size the central directory declares";
      break;
    }
    out_pos += wrote;
    if (rc == Z_STREAM_END) {
      if (out_pos != out.size()) {
        problem = fmt::format("inflates to {} bytes, the central directory declares {}", out_pos,
                              out.size());
      }
      break;
    }
    if (rc == Z_BUF_ERROR && used_in == 0 && wrote == 0) {
      problem = "compressed data ends early (truncated member)";
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      problem = fmt::format("corrupt compressed data ({})", zs.msg != nullptr ? zs.msg : "zlib");
      break;
    }
  }
  inflateEnd(&zs);
  if (!problem.empty()) {
    return unexpected(make_error(ErrorCode::parse, std::move(problem)));
  }
  uLong crc = crc32_z(0, nullptr, 0);
  crc = crc32_z(crc, reinterpret_cast<const Bytef*>(out.data()), out.size());
  if (crc != expected_crc) {
    return unexpected(make_error(ErrorCode::parse, "CRC-32 mismatch: the member is corrupt"));
  }
  return {};
}

}  // namespace

Result<TensorFile> parse_npz(std::span<const std::byte> bytes, std::string_view path,
                             const NpzLimits& limits, std::shared_ptr<const Storage> keep) {
  const Reader r(bytes);
  auto where = [&](Error e) { return unexpected(with_context(std::move(e), std::string(path))); };
  auto dir = find_directory(r);
  if (!dir) {
    return where(std::move(dir).error());
  }
  if (dir->entries > limits.max_members || dir->entries > dir->size / k_central_size) {
    return where(make_error(dir->entries > limits.max_members ? ErrorCode::limit : ErrorCode::parse,
                            fmt::format("the archive declares {} members{}", dir->entries,
                                        dir->entries > limits.max_members
                                            ? fmt::format(", over the limit of {}",
                                                          limits.max_members)
                                            : ", more than its central directory can hold")));
  }
  std::vector<Member> members;
  std::uint64_t at = dir->offset;
  const std::uint64_t end = dir->offset + dir->size;
  for (std::uint64_t i = 0; i < dir->entries; ++i) {
    if (at + k_central_size > end || r.le(at, 4) != k_central_sig) {
      return where(make_error(ErrorCode::parse,
                              fmt::format("central directory entry {} is missing or corrupt", i)));
    }
    Member m;
    m.flags = static_cast<unsigned>(r.le(at + 8, 2));
    m.method = static_cast<unsigned>(r.le(at + 10, 2));
    m.crc = static_cast<std::uint32_t>(r.le(at + 16, 4));
    m.compressed = r.le(at + 20, 4);
    m.uncompressed = r.le(at + 24, 4);
    const auto name_len = r.le(at + 28, 2);
    const auto extra_len = r.le(at + 30, 2);
    const auto comment_len = r.le(at + 32, 2);
    m.local_offset = r.le(at + 42, 4);
    const std::uint64_t next = at + k_central_size + name_len + extra_len + comment_len;
    if (next > end) {
      return where(make_error(ErrorCode::parse,
                              fmt::format("central directory entry {} runs past the directory", i)));
    }
    m.name = std::string(r.text(at + k_central_size, name_len));
    if (!apply_zip64_extra(r, at + k_central_size + name_len, extra_len, m)) {
      return where(with_context(make_error(ErrorCode::parse, "corrupt ZIP64 extra field"),
                                fmt::format("member `{}`", text::escape_controls(m.name))));
    }
    at = next;
    if (m.name.ends_with('/')) {
      continue;  // a directory
    }
    members.push_back(std::move(m));
  }

  // Local headers, and no two members' bytes may overlap.
  for (auto& m : members) {
    auto member_error = [&](ErrorCode code, std::string message) {
      return where(with_context(make_error(code, std::move(message)),
                                fmt::format("member `{}`", text::escape_controls(m.name))));
    };
    if (!r.has(m.local_offset, k_local_size) || r.le(m.local_offset, 4) != k_local_sig) {
      return member_error(ErrorCode::parse, "the local header is missing or past the end of the file");
    }
    const auto n = r.le(m.local_offset + 26, 2);
    const auto e = r.le(m.local_offset + 28, 2);
    m.data_offset = m.local_offset + k_local_size + n + e;
    if (!r.has(m.data_offset, m.compressed)) {
      return member_error(ErrorCode::parse,
                          fmt::format("truncated: its {} bytes of data at {} lie past the end of "
                                      "the file ({} bytes)",
                                      m.compressed, m.data_offset, r.size()));
    }
    if ((m.flags & 1U) != 0) {
      return member_error(ErrorCode::unsupported, "encrypted member");
    }
  }
  std::vector<const Member*> by_offset;
  by_offset.reserve(members.size());
  for (const auto& m : members) {
    by_offset.push_back(&m);
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Member* a, const Member* b) { return a->local_offset < b->local_offset; });
  for (std::size_t i = 1; i < by_offset.size(); ++i) {
    const Member& prev = *by_offset[i - 1];
    if (prev.data_offset + prev.compressed > by_offset[i]->local_offset) {
      return where(with_context(
          make_error(ErrorCode::parse, fmt::format("its bytes overlap those of member `{}` (a "
                                                   "zip bomb's shape)",
                                                   text::escape_controls(prev.name))),
          fmt::format("member `{}`", text::escape_controls(by_offset[i]->name))));
    }
  }

  TensorFile out;
  out.path = std::string(path);
  out.storage.push_back(std::move(keep));
  std::uint64_t inflated_total = 0;
  for (const auto& m : members) {
    const std::string key =
        ends_with_npy(m.name) ? m.name.substr(0, m.name.size() - 4) : m.name;
    auto member_error = [&](ErrorCode code, std::string message) {
      return where(with_context(make_error(code, std::move(message)),
                                fmt::format("member `{}`", text::escape_controls(m.name))));
    };
    if (out.find(key) != nullptr) {
      return member_error(ErrorCode::parse, "a second member of this name");
    }
    std::span<const std::byte> data;
    const auto compressed = bytes.subspan(static_cast<std::size_t>(m.data_offset),
                                          static_cast<std::size_t>(m.compressed));
    if (m.method == 0) {
      if (m.compressed != m.uncompressed) {
        return member_error(ErrorCode::parse,
                            fmt::format("stored member with {} bytes declared {} uncompressed",
                                        m.compressed, m.uncompressed));
      }
      uLong crc = crc32_z(0, nullptr, 0);
      crc = crc32_z(crc, reinterpret_cast<const Bytef*>(compressed.data()), compressed.size());
      if (crc != m.crc) {
        return member_error(ErrorCode::parse, "CRC-32 mismatch: the member is corrupt");
      }
      data = compressed;
    } else if (m.method == 8) {
      if (m.uncompressed > limits.max_inflated_member ||
          m.uncompressed > limits.max_inflated_total - std::min(inflated_total,
                                                                limits.max_inflated_total)) {
        return member_error(ErrorCode::limit,
                            fmt::format("inflates to {} bytes, over the limit of {} per member "
                                        "and {} in all",
                                        m.uncompressed, limits.max_inflated_member,
                                        limits.max_inflated_total));
      }
      if (m.uncompressed / std::max<std::uint64_t>(m.compressed, 1) > limits.max_ratio) {
        return member_error(ErrorCode::limit,
                            fmt::format("declares {} bytes from {} compressed, a ratio over {}:1 "
                                        "(deflate cannot pass 1032:1)",
                                        m.uncompressed, m.compressed, limits.max_ratio));
      }
      inflated_total += m.uncompressed;
      auto buffer = std::make_shared<OwnedStorage>(static_cast<std::size_t>(m.uncompressed));
      if (auto ok = inflate_member(compressed, buffer->bytes(), m.crc); !ok) {
        return where(with_context(std::move(ok).error(), fmt::format("member `{}`",
                                                                      text::escape_controls(m.name))));
      }
      data = buffer->bytes();
      out.storage.push_back(std::move(buffer));
    } else {
      return member_error(ErrorCode::unsupported,
                          fmt::format("compression method {} (numpy writes 0, stored, or 8, "
                                      "deflated)",
                                      m.method));
    }
    static constexpr std::string_view k_magic = "\x93NUMPY";
    if (data.size() < k_magic.size() || std::memcmp(data.data(), k_magic.data(), k_magic.size()) != 0) {
      return member_error(ErrorCode::unsupported, "the member is not a .npy array");
    }
    auto t = parse_npy(data, path, key);
    if (!t) {
      return unexpected(std::move(t).error());
    }
    out.tensors.push_back(std::move(*t));
  }
  return out;
}

Result<TensorFile> read_npz(const std::string& path, const NpzLimits& limits) {
  MLSTACK_TRY_ASSIGN(auto file, MappedFile::open(path));
  const auto bytes = file->bytes();
  return parse_npz(bytes, path, limits, std::move(file));
}

}  // namespace mlstack::tensors
