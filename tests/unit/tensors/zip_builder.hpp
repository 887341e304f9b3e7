// SPDX-License-Identifier: MIT
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/// A small zip writer for hostile .npz tests: members stored or deflated by zlib, with every
/// header field open to tampering before `bytes()` lays the archive out.
namespace mlstack::tensors::testing {

struct ZipMember {
  std::string name;
  std::string data;  // as written (compressed when method is 8)
  std::uint16_t method = 0;
  std::uint32_t crc = 0;
  std::uint64_t uncompressed = 0;
  std::uint16_t flags = 0;
  std::int64_t local_offset_delta = 0;  // added to the central directory's local offset
};

inline ZipMember stored(std::string name, std::string_view content) {
  ZipMember m{std::move(name), std::string(content), 0, 0, content.size(), 0, 0};
  m.crc = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(content.data()), static_cast<uInt>(content.size())));
  return m;
}

inline ZipMember deflated(std::string name, std::string_view content) {
  ZipMember m = stored(std::move(name), content);
  m.method = 8;
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(content.size())) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
  zs.avail_in = static_cast<uInt>(content.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  m.data = std::move(out);
  return m;
}

inline void put(std::string& s, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) {
    s.push_back(static_cast<char>((v >> (8 * i)) & 0xFFU));
  }
}

inline std::string zip_bytes(const std::vector<ZipMember>& members) {
  std::string out;
  std::vector<std::uint64_t> offsets;
  for (const auto& m : members) {
    offsets.push_back(out.size());
    put(out, 0x04034b50, 4);
    put(out, 20, 2);
    put(out, m.flags, 2);
    put(out, m.method, 2);
    put(out, 0, 4);
    put(out, m.crc, 4);
    put(out, m.data.size(), 4);
    put(out, m.uncompressed, 4);
    put(out, m.name.size(), 2);
    put(out, 0, 2);
    out += m.name;
    out += m.data;
  }
  const std::uint64_t cd = out.size();
  for (std::size_t i = 0; i < members.size(); ++i) {
    const auto& m = members[i];
    put(out, 0x02014b50, 4);
    put(out, 20, 2);
    put(out, 20, 2);
    put(out, m.flags, 2);
    put(out, m.method, 2);
    put(out, 0, 4);
    put(out, m.crc, 4);
    put(out, m.data.size(), 4);
    put(out, m.uncompressed, 4);
    put(out, m.name.size(), 2);
    put(out, 0, 2);
    put(out, 0, 2);
    put(out, 0, 2);
    put(out, 0, 2);
    put(out, 0, 4);
    put(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(offsets[i]) + m.local_offset_delta), 4);
    out += m.name;
  }
  const std::uint64_t cd_size = out.size() - cd;
  put(out, 0x06054b50, 4);
  put(out, 0, 4);
  put(out, members.size(), 2);
  put(out, members.size(), 2);
  put(out, cd_size, 4);
  put(out, cd, 4);
  put(out, 0, 2);
  return out;
}

}  // namespace mlstack::tensors::testing
