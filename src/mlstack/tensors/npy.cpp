// SPDX-License-Identifier: MIT
#include "mlstack/tensors/npy.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/tensors/mapped_file.hpp"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

namespace mlstack::tensors {

namespace {

constexpr std::size_t k_max_header_size = 10'000;  // numpy's _MAX_HEADER_SIZE
constexpr std::size_t k_max_dims = 64;              // numpy's NPY_MAXDIMS (2.x)

// The dict literal numpy writes: { 'key': value, ... } with values a string, True/False or a
// tuple of non-negative integers. Anything else in a value is "unsupported" (a structured
// dtype's list) or a parse error.
struct Header {
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<std::vector<std::uint64_t>> shape;
  bool descr_is_list = false;
};

class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : m_text(text) {}

  Result<Header> parse() {
    Header h;
    skip_ws();
    if (!eat('{')) {
      return fail("expected `{` at the start of the header");
    }
    skip_ws();
    while (!eat('}')) {
      std::string key;
      if (auto k = string(); !k) {
        return unexpected(std::move(k).error());
      } else {
        key = std::move(*k);
      }
      skip_ws();
      if (!eat(':')) {
        return fail(fmt::format("expected `:` after `'{}'`", key));
      }
      skip_ws();
      if (key == "descr") {
        if (peek() == '[') {
          h.descr_is_list = true;
          if (!skip_brackets()) {
            return fail("unbalanced `[` in `descr`");
          }
          h.descr = "";
        } else {
          auto s = string();
          if (!s) {
            return unexpected(std::move(s).error());
          }
          h.descr = std::move(*s);
        }
      } else if (key == "fortran_order") {
        if (m_text.substr(m_pos).starts_with("True")) {
          h.fortran_order = true;
          m_pos += 4;
        } else if (m_text.substr(m_pos).starts_with("False")) {
          h.fortran_order = false;
          m_pos += 5;
        } else {
          return fail("expected `True` or `False` for `fortran_order`");
        }
      } else if (key == "shape") {
        auto s = tuple();
        if (!s) {
          return unexpected(std::move(s).error());
        }
        h.shape = std::move(*s);
      } else {
        return fail(fmt::format("unexpected key `'{}'` (numpy writes `descr`, "
                                "`fortran_order` and `shape`)",
                                text::escape_controls(key)));
      }
      skip_ws();
      if (eat(',')) {
        skip_ws();
        continue;
      }
      skip_ws();
      if (peek() != '}') {
        return fail("expected `,` or `}` after a value");
      }
    }
    skip_ws();
    if (m_pos != m_text.size()) {
      return fail("unexpected text after the header's `}`");
    }
    return h;
  }

 private:
  char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
  bool eat(char c) {
    if (peek() == c && m_pos < m_text.size()) {
      ++m_pos;
      return true;
    }
    return false;
  }
  void skip_ws() {
    while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\n' ||
                                     m_text[m_pos] == '\t' || m_text[m_pos] == '\r')) {
      ++m_pos;
    }
  }
  Unexpected<Error> fail(std::string message) const {
    return unexpected(make_error(ErrorCode::parse,
                                 fmt::format("bad .npy header: {} (at byte {} of the header)",
                                             message, m_pos)));
  }
  Result<std::string> string() {
    const char q = peek();
    if (q != '\'' && q != '"') {
      return fail("expected a quoted string");
    }
    ++m_pos;
    const auto end = m_text.find(q, m_pos);
    if (end == std::string_view::npos) {
      return fail("unterminated string");
    }
    std::string s(m_text.substr(m_pos, end - m_pos));
    if (s.find('\\') != std::string::npos) {
      return fail("backslash escapes are not part of a numpy header");
    }
    m_pos = end + 1;
    return s;
  }
  bool skip_brackets() {
    int depth = 0;
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos++];
      if (c == '[' || c == '(') {
        ++depth;
      } else if (c == ']' || c == ')') {
        if (--depth == 0) {
          return true;
        }
      }
    }
    return false;
  }
  Result<std::vector<std::uint64_t>> tuple() {
    if (!eat('(')) {
      return fail("expected a tuple for `shape`");
    }
    std::vector<std::uint64_t> dims;
    skip_ws();
    while (!eat(')')) {
      if (peek() == '-') {
        return fail("negative dimension in `shape`");
      }
      if (peek() < '0' || peek() > '9') {
        return fail("expected an integer in `shape`");
      }
      std::uint64_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (__builtin_mul_overflow(v, 10U, &v) ||
            __builtin_add_overflow(v, static_cast<unsigned>(peek() - '0'), &v)) {
          return unexpected(make_error(ErrorCode::limit, "dimension in `shape` overflows 64 bits"));
        }
        ++m_pos;
      }
      if (peek() == 'L') {  // Python 2 longs, which numpy's reader still filters out
        ++m_pos;
      }
      dims.push_back(v);
      if (dims.size() > k_max_dims) {
        return unexpected(make_error(ErrorCode::limit,
                                     fmt::format("`shape` has more than {} dimensions", k_max_dims)));
      }
      skip_ws();
      if (eat(',')) {
        skip_ws();
        continue;
      }
      if (peek() != ')') {
        return fail("expected `,` or `)` in `shape`");
      }
    }
    return dims;
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
};

std::uint32_t le16(const std::byte* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8U);
}
std::uint32_t le32(const std::byte* p) {
  return le16(p) | (le16(p + 2) << 16U);
}

}  // namespace

Result<DType> parse_npy_descr(std::string_view descr, ByteOrder& order) {
  auto unsupported = [&](std::string_view what) {
    return unexpected(make_error(ErrorCode::unsupported,
                                 fmt::format("unsupported dtype `{}` ({})", text::escape_controls(descr),
                                             what)));
  };
  if (descr.size() < 2) {
    return unsupported("not a numpy type string");
  }
  const char bo = descr[0];
  if (bo == '<' || bo == '|' || bo == '=') {
    order = ByteOrder::little;  // '=' is native, and mlstack runs little-endian
  } else if (bo == '>') {
    order = ByteOrder::big;
  } else {
    return unsupported("not a numpy type string");
  }
  const char kind = descr[1];
  const std::string_view size = descr.substr(2);
  if (kind == 'O') {
    return unexpected(make_error(
        ErrorCode::unsupported,
        "object array (`|O`): its elements are pickled Python objects, which mlstack never "
        "unpickles (numpy loads them only with `allow_pickle=True`)"));
  }
  struct Known {
    char kind;
    std::string_view size;
    DType dtype;
  };
  static constexpr std::array<Known, 12> k_known{{{'f', "8", DType::f64},
                                                  {'f', "4", DType::f32},
                                                  {'f', "2", DType::f16},
                                                  {'i', "1", DType::i8},
                                                  {'i', "2", DType::i16},
                                                  {'i', "4", DType::i32},
                                                  {'i', "8", DType::i64},
                                                  {'u', "1", DType::u8},
                                                  {'u', "2", DType::u16},
                                                  {'u', "4", DType::u32},
                                                  {'u', "8", DType::u64},
                                                  {'b', "1", DType::boolean}}};
  for (const auto& k : k_known) {
    if (k.kind == kind && k.size == size) {
      return k.dtype;
    }
  }
  switch (kind) {
    case 'c': return unsupported("complex");
    case 'U':
    case 'S':
    case 'a': return unsupported("strings");
    case 'V': return unsupported("raw bytes: a structured or custom type such as bfloat16");
    case 'M':
    case 'm': return unsupported("dates and times");
    default: return unsupported("not a numeric type mlstack compares");
  }
}

Result<TensorView> parse_npy(std::span<const std::byte> bytes, std::string_view path,
                             std::string_view name) {
  auto error = [&](ErrorCode code, std::string message) {
    return unexpected(tensor_error(code, std::move(message), path, name));
  };
  static constexpr std::array<unsigned char, 6> k_magic{0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (bytes.size() < 10 || std::memcmp(bytes.data(), k_magic.data(), k_magic.size()) != 0) {
    return error(ErrorCode::parse, bytes.size() < 10 && bytes.size() >= 6 &&
                                           std::memcmp(bytes.data(), k_magic.data(), 6) == 0
                                       ? "truncated .npy header"
                                       : "not a .npy file (no `\\x93NUMPY` magic)");
  }
  const auto major = static_cast<unsigned>(bytes[6]);
  const auto minor = static_cast<unsigned>(bytes[7]);
  std::size_t preamble = 0;
  std::size_t header_len = 0;
  if (major == 1 && minor == 0) {
    preamble = 10;
    header_len = le16(bytes.data() + 8);
  } else if ((major == 2 || major == 3) && minor == 0) {
    preamble = 12;
    if (bytes.size() < preamble) {
      return error(ErrorCode::parse, "truncated .npy header");
    }
    header_len = le32(bytes.data() + 8);
  } else {
    return error(ErrorCode::unsupported,
                 fmt::format("unsupported .npy format version {}.{} (numpy writes 1.0, 2.0, 3.0)",
                             major, minor));
  }
  if (header_len > k_max_header_size) {
    return error(ErrorCode::limit, fmt::format("the .npy header is {} bytes, over numpy's "
                                               "limit of {}",
                                               header_len, k_max_header_size));
  }
  if (header_len > bytes.size() - preamble) {
    return error(ErrorCode::parse,
                 fmt::format("the .npy header says it is {} bytes, but the file has {} after "
                             "its preamble",
                             header_len, bytes.size() - preamble));
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + preamble), header_len);
  if (major == 3) {
    // 3.0 headers are UTF-8; 1.0 and 2.0 latin-1, where every byte is a character. Only the
    // ASCII subset can be part of a valid header, so the check is the same for both but for
    // the error: a non-ASCII byte is refused wherever the parser meets it.
    for (std::size_t i = 0; i < text.size();) {
      const auto c = text::decode_utf8(text, i);
      if (c.length == 0) {
        return error(ErrorCode::parse, "the .npy 3.0 header is not valid UTF-8");
      }
      i += c.length;
    }
  }
  auto header = HeaderParser(text).parse();
  if (!header) {
    return unexpected(tensor_error(header.error().code, header.error().message, path, name));
  }
  if (!header->descr || !header->fortran_order || !header->shape) {
    return error(ErrorCode::parse,
                 "bad .npy header: it must have `descr`, `fortran_order` and `shape`");
  }
  if (header->descr_is_list) {
    return error(ErrorCode::unsupported, "unsupported dtype: a structured array (a list `descr`)");
  }
  TensorView t;
  t.name = std::string(name);
  auto dtype = parse_npy_descr(*header->descr, t.byte_order);
  if (!dtype) {
    return unexpected(tensor_error(dtype.error().code, dtype.error().message, path, name));
  }
  t.dtype = *dtype;
  t.layout = *header->fortran_order ? Layout::fortran : Layout::c;
  t.shape = std::move(*header->shape);
  const auto item = dtype_size(t.dtype);
  const auto count = element_count(t.shape, item);
  if (!count) {
    return error(ErrorCode::limit, fmt::format("shape {} overflows: its byte size is past 2^64",
                                               format_shape(t.shape)));
  }
  t.element_count = *count;
  const std::size_t offset = preamble + header_len;
  const std::uint64_t need = *count * item;
  if (need > bytes.size() - offset) {
    return error(ErrorCode::parse,
                 fmt::format("truncated data: shape {} of {} needs {} bytes, the file has {} "
                             "after the header",
                             format_shape(t.shape), dtype_name(t.dtype), need,
                             bytes.size() - offset));
  }
  t.data = bytes.subspan(offset, static_cast<std::size_t>(need));
  return t;
}

Result<TensorFile> read_npy(const std::string& path) {
  MLSTACK_TRY_ASSIGN(auto file, MappedFile::open(path));
  TensorFile out;
  out.path = path;
  MLSTACK_TRY_ASSIGN(auto t, parse_npy(file->bytes(), path, ""));
  t.name = std::filesystem::path(path).stem().string();
  out.tensors.push_back(std::move(t));
  out.storage.push_back(std::move(file));
  return out;
}

}  // namespace mlstack::tensors
