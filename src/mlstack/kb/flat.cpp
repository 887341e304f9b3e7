// SPDX-License-Identifier: MIT
// The serialized form of KB rows, written at build time by mlstack-kbc and read by load_kb.
// All numbers are unsigned LEB128 varints (integers zigzag-encoded first); a string is its
// length then its bytes:
//
//   file  = string(name) varint(rows) row*
//   row   = string(kind) where varint(fields) (string(key) value)*
//   where = varint(line) varint(column)
//   value = byte(kind) where payload
//           string: string(text)   boolean: byte(0|1)   integer: varint(zigzag)
//           array: varint(items) value*   other: nothing
#include "mlstack/kb/flat.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlstack::kb {
namespace {

// Deeper than toml++ nests values (TOML_MAX_NESTED_VALUES, 256): guards against a corrupt
// blob, never met by a real one.
constexpr int k_max_depth = 1024;

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(static_cast<unsigned char>(v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

void put_where(std::string& out, Where w) {
  put_varint(out, static_cast<std::uint64_t>(w.line));
  put_varint(out, static_cast<std::uint64_t>(w.column));
}

void put_value(std::string& out, const FlatValue& v) {
  out.push_back(static_cast<char>(v.kind));
  put_where(out, v.where);
  switch (v.kind) {
    case FlatValue::Kind::string:
      put_string(out, v.text);
      break;
    case FlatValue::Kind::boolean:
      out.push_back(v.integer != 0 ? '\1' : '\0');
      break;
    case FlatValue::Kind::integer: {
      const auto u = static_cast<std::uint64_t>(v.integer);
      put_varint(out, (u << 1) ^ (v.integer < 0 ? ~std::uint64_t{0} : 0));
      break;
    }
    case FlatValue::Kind::array:
      put_varint(out, v.items.size());
      for (const FlatValue& item : v.items) {
        put_value(out, item);
      }
      break;
    case FlatValue::Kind::other:
      break;
  }
}

class Reader {
 public:
  explicit Reader(std::string_view blob) : m_blob(blob) {}

  [[nodiscard]] bool at_end() const noexcept { return m_pos == m_blob.size(); }
  [[nodiscard]] bool failed() const noexcept { return m_failed; }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (m_pos == m_blob.size()) {
        return fail();
      }
      const auto byte = static_cast<unsigned char>(m_blob[m_pos++]);
      v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        return v;
      }
    }
    return fail();
  }

  // A count of things that take at least one byte each.
  std::size_t count() {
    const std::uint64_t n = varint();
    if (n > m_blob.size() - m_pos) {
      return static_cast<std::size_t>(fail());
    }
    return static_cast<std::size_t>(n);
  }

  unsigned char byte() {
    if (m_pos == m_blob.size()) {
      return static_cast<unsigned char>(fail());
    }
    return static_cast<unsigned char>(m_blob[m_pos++]);
  }

  std::string_view string() {
    const std::uint64_t n = varint();
    if (n > m_blob.size() - m_pos) {
      fail();
      return {};
    }
    const std::string_view s = m_blob.substr(m_pos, static_cast<std::size_t>(n));
    m_pos += static_cast<std::size_t>(n);
    return s;
  }

  Where where() {
    Where w;
    w.line = static_cast<long>(varint());
    w.column = static_cast<long>(varint());
    return w;
  }

  void value(FlatValue& v, int depth) {
    const unsigned char kind = byte();
    if (kind > static_cast<unsigned char>(FlatValue::Kind::other) || depth > k_max_depth) {
      fail();
      return;
    }
    v.kind = static_cast<FlatValue::Kind>(kind);
    v.where = where();
    switch (v.kind) {
      case FlatValue::Kind::string:
        v.text = string();
        break;
      case FlatValue::Kind::boolean: {
        const unsigned char b = byte();
        if (b > 1) {
          fail();
        }
        v.integer = b;
        break;
      }
      case FlatValue::Kind::integer: {
        const std::uint64_t u = varint();
        v.integer = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
        break;
      }
      case FlatValue::Kind::array: {
        const std::size_t n = count();
        v.items.resize(n);
        for (std::size_t i = 0; i < n && !m_failed; ++i) {
          value(v.items[i], depth + 1);
        }
        break;
      }
      case FlatValue::Kind::other:
        break;
    }
  }

  void row(FlatRow& r) {
    r.kind = string();
    r.where = where();
    const std::size_t n = count();
    r.fields.resize(n);
    for (std::size_t i = 0; i < n && !m_failed; ++i) {
      r.fields[i].first = string();
      value(r.fields[i].second, 0);
    }
  }

  void file(FlatFile& f) {
    f.name = string();
    const std::size_t n = count();
    f.rows.resize(n);
    for (std::size_t i = 0; i < n && !m_failed; ++i) {
      row(f.rows[i]);
    }
  }

 private:
  std::uint64_t fail() {
    m_failed = true;
    m_pos = m_blob.size();
    return 0;
  }

  std::string_view m_blob;
  std::size_t m_pos = 0;
  bool m_failed = false;
};

}  // namespace

void serialize(const FlatFile& file, std::string& out) {
  put_string(out, file.name);
  put_varint(out, file.rows.size());
  for (const FlatRow& row : file.rows) {
    put_string(out, row.kind);
    put_where(out, row.where);
    put_varint(out, row.fields.size());
    for (const auto& [key, value] : row.fields) {
      put_string(out, key);
      put_value(out, value);
    }
  }
}

Result<std::vector<FlatFile>> deserialize(std::string_view blob) {
  std::vector<FlatFile> files;
  Reader in(blob);
  while (!in.at_end()) {
    in.file(files.emplace_back());
  }
  if (in.failed()) {
    return unexpected(make_error(ErrorCode::invalid_data, "corrupt serialized KB rows"));
  }
  return files;
}

}  // namespace mlstack::kb
