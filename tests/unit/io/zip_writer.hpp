// SPDX-License-Identifier: MIT
#pragma once

// Writes small zip archives for tests, byte by byte (APPNOTE 4.3: local headers, central
// directory, end record), so a test can make what zip writers never make: a wrong CRC, a
// repeated name, a member that inflates far past its compressed size.

#include <zlib.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::testing {

class ZipWriter {
 public:
  enum class Method : std::uint16_t { stored = 0, deflated = 8 };

  struct Options {
    Method method = Method::deflated;
    bool utf8_name = false;                // general-purpose flag bit 11
    std::optional<std::uint32_t> crc;      // a wrong CRC-32 to store
    std::uint16_t made_by_system = 3;      // 3: Unix, 0: MS-DOS

    Options& stored() {
      method = Method::stored;
      return *this;
    }
    Options& utf8() {
      utf8_name = true;
      return *this;
    }
    Options& wrong_crc(std::uint32_t value) {
      crc = value;
      return *this;
    }
    Options& made_on(std::uint16_t system) {
      made_by_system = system;
      return *this;
    }
  };

  void add(std::string_view name, std::string_view data) { add(name, data, Options{}); }

  void add(std::string_view name, std::string_view data, const Options& options) {
    Entry e;
    e.name = name;
    e.method = options.method;
    e.flags = options.utf8_name ? 0x0800 : 0;
    e.crc = options.crc.value_or(static_cast<std::uint32_t>(
        ::crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()))));
    e.size = static_cast<std::uint32_t>(data.size());
    e.made_by =
        static_cast<std::uint16_t>((static_cast<unsigned>(options.made_by_system) << 8U) | 20U);
    const std::string body = options.method == Method::deflated ? deflate(data) : std::string(data);
    e.compressed = static_cast<std::uint32_t>(body.size());
    e.offset = static_cast<std::uint32_t>(m_out.size());
    put32(m_out, 0x04034b50);
    put16(m_out, 20);
    put16(m_out, e.flags);
    put16(m_out, static_cast<std::uint16_t>(e.method));
    put16(m_out, 0);       // time
    put16(m_out, 0x21);    // date: 1980-01-01
    put32(m_out, e.crc);
    put32(m_out, e.compressed);
    put32(m_out, e.size);
    put16(m_out, static_cast<std::uint16_t>(e.name.size()));
    put16(m_out, 0);
    m_out += e.name;
    m_out += body;
    m_entries.push_back(std::move(e));
  }

  /// The archive's bytes (central directory and end record appended).
  [[nodiscard]] std::string finish() const {
    std::string out = m_out;
    const auto cd_offset = static_cast<std::uint32_t>(out.size());
    for (const Entry& e : m_entries) {
      put32(out, 0x02014b50);
      put16(out, e.made_by);
      put16(out, 20);
      put16(out, e.flags);
      put16(out, static_cast<std::uint16_t>(e.method));
      put16(out, 0);
      put16(out, 0x21);
      put32(out, e.crc);
      put32(out, e.compressed);
      put32(out, e.size);
      put16(out, static_cast<std::uint16_t>(e.name.size()));
      put16(out, 0);  // extra
      put16(out, 0);  // comment
      put16(out, 0);  // disk
      put16(out, 0);  // internal attributes
      const bool dir = !e.name.empty() && e.name.back() == '/';
      put32(out, e.made_by >> 8U == 3 ? (dir ? 0040755U : 0100644U) << 16U : (dir ? 0x10U : 0U));
      put32(out, e.offset);
      out += e.name;
    }
    const auto cd_size = static_cast<std::uint32_t>(out.size() - cd_offset);
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, static_cast<std::uint16_t>(m_entries.size()));
    put16(out, static_cast<std::uint16_t>(m_entries.size()));
    put32(out, cd_size);
    put32(out, cd_offset);
    put16(out, 0);
    return out;
  }

  /// Raw deflate (no zlib header), as zip stores it.
  [[nodiscard]] static std::string deflate(std::string_view data) {
    z_stream zs{};
    if (::deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::runtime_error("deflateInit2");
    }
    std::string out(::deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = ::deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    ::deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
      throw std::runtime_error("deflate");
    }
    return out;
  }

 private:
  struct Entry {
    std::string name;
    Method method = Method::stored;
    std::uint16_t flags = 0;
    std::uint16_t made_by = 0;
    std::uint32_t crc = 0;
    std::uint32_t size = 0;
    std::uint32_t compressed = 0;
    std::uint32_t offset = 0;
  };

  static void put16(std::string& out, std::uint32_t v) {
    out.push_back(static_cast<char>(v & 0xffU));
    out.push_back(static_cast<char>((v >> 8U) & 0xffU));
  }
  static void put32(std::string& out, std::uint32_t v) {
    put16(out, v & 0xffffU);
    put16(out, v >> 16U);
  }

  std::string m_out;
  std::vector<Entry> m_entries;
};

}  // namespace mlstack::testing
