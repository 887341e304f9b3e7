// SPDX-License-Identifier: MIT
#include "mlstack/metadata/python_text.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>

namespace mlstack::metadata {
namespace {

constexpr std::string_view k_invalid_start = "invalid start byte";
constexpr std::string_view k_invalid_continuation = "invalid continuation byte";
constexpr std::string_view k_unexpected_end = "unexpected end of data";

std::uint8_t byte_at(std::string_view s, std::size_t i) noexcept {
  return static_cast<std::uint8_t>(s[i]);
}

bool is_continuation(std::uint8_t b) noexcept { return (b & 0xC0U) == 0x80U; }

constexpr std::uint64_t k_high_bits = 0x8080808080808080ULL;
constexpr std::uint64_t k_space_bytes = 0x2020202020202020ULL;

std::uint64_t load_word(const char* p) noexcept {
  std::uint64_t word = 0;
  std::memcpy(&word, p, sizeof word);
  return word;
}

// True when the `Words` * 8 bytes at `p` are all ASCII.
template <std::size_t Words>
bool is_ascii_block(const char* p) noexcept {
  std::uint64_t any = 0;
  for (std::size_t k = 0; k < Words; ++k) {
    any |= load_word(p + k * 8);
  }
  return (any & k_high_bits) == 0;
}

// True when the 8 bytes at `p` are all in 0x20-0x7F: none can be (or start) a line break
// for str.splitlines(). Without a byte under 0x20 the subtraction never borrows.
bool is_plain_word(const char* p) noexcept {
  const std::uint64_t word = load_word(p);
  return (((word - k_space_bytes) | word) & k_high_bits) == 0;
}

// Length of the UTF-8 character starting at `i`, which must be valid UTF-8.
std::size_t char_length(std::uint8_t lead) noexcept {
  if (lead < 0x80U) {
    return 1;
  }
  if (lead < 0xE0U) {
    return 2;
  }
  if (lead < 0xF0U) {
    return 3;
  }
  return 4;
}

// Decodes the code point at `i` (valid UTF-8 assumed; invalid bytes decode as themselves).
char32_t code_point_at(std::string_view s, std::size_t i, std::size_t& length) noexcept {
  const std::uint8_t lead = byte_at(s, i);
  length = char_length(lead);
  if (i + length > s.size()) {
    length = 1;
    return lead;
  }
  switch (length) {
    case 1:
      return lead;
    case 2:
      return (static_cast<char32_t>(lead & 0x1FU) << 6U) | (byte_at(s, i + 1) & 0x3FU);
    case 3:
      return (static_cast<char32_t>(lead & 0x0FU) << 12U) |
             (static_cast<char32_t>(byte_at(s, i + 1) & 0x3FU) << 6U) | (byte_at(s, i + 2) & 0x3FU);
    default:
      return (static_cast<char32_t>(lead & 0x07U) << 18U) |
             (static_cast<char32_t>(byte_at(s, i + 1) & 0x3FU) << 12U) |
             (static_cast<char32_t>(byte_at(s, i + 2) & 0x3FU) << 6U) | (byte_at(s, i + 3) & 0x3FU);
  }
}

// Python's str.isspace() for code points (Unicode White_Space plus the bidi separators).
bool is_python_space(char32_t c) noexcept {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

}  // namespace

std::optional<Utf8Error> find_utf8_error(std::string_view bytes) noexcept {
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (i < n) {
    // Fast path: ASCII, 32 bytes per test (METADATA bodies and RECORD files are megabytes
    // of it), then 8 at a time.
    while (i + 32 <= n && is_ascii_block<4>(bytes.data() + i)) {
      i += 32;
    }
    if (i >= n) {
      break;
    }
    if (i + 8 <= n && is_ascii_block<1>(bytes.data() + i)) {
      i += 8;
      continue;
    }
    const std::uint8_t lead = byte_at(bytes, i);
    if (lead < 0x80U) {
      ++i;
      continue;
    }
    std::size_t need = 0;
    std::uint8_t lo = 0x80;
    std::uint8_t hi = 0xBF;
    if (lead >= 0xC2U && lead <= 0xDFU) {
      need = 1;
    } else if (lead >= 0xE0U && lead <= 0xEFU) {
      need = 2;
      if (lead == 0xE0U) {
        lo = 0xA0;
      } else if (lead == 0xEDU) {
        hi = 0x9F;
      }
    } else if (lead >= 0xF0U && lead <= 0xF4U) {
      need = 3;
      if (lead == 0xF0U) {
        lo = 0x90;
      } else if (lead == 0xF4U) {
        hi = 0x8F;
      }
    } else {
      return Utf8Error{i, i + 1, k_invalid_start};
    }
    // CPython reports the valid prefix of the sequence as the error range.
    for (std::size_t k = 1; k <= need; ++k) {
      if (i + k >= n) {
        return Utf8Error{i, n, k_unexpected_end};
      }
      const std::uint8_t b = byte_at(bytes, i + k);
      const bool ok = k == 1 ? (b >= lo && b <= hi) : is_continuation(b);
      if (!ok) {
        return Utf8Error{i, i + k, k_invalid_continuation};
      }
    }
    i += need + 1;
  }
  return std::nullopt;
}

std::string describe(const Utf8Error& error, std::string_view bytes) {
  if (error.end - error.begin <= 1) {
    return fmt::format("'utf-8' codec can't decode byte 0x{:02x} in position {}: {}",
                       byte_at(bytes, error.begin), error.begin, error.reason);
  }
  return fmt::format("'utf-8' codec can't decode bytes in position {}-{}: {}", error.begin,
                     error.end - 1, error.reason);
}

std::string_view translate_newlines(std::string_view text, std::string& storage) {
  if (text.find('\r') == std::string_view::npos) {
    return text;
  }
  storage.clear();
  storage.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      storage.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') {
        ++i;
      }
    } else {
      storage.push_back(c);
    }
  }
  return storage;
}

LineBreak find_line_break(std::string_view text, std::size_t pos) noexcept {
  const std::size_t n = text.size();
  std::size_t i = pos;
  while (i < n) {
    if (i + 8 <= n && is_plain_word(text.data() + i)) {
      i += 8;
      continue;
    }
    const auto b = byte_at(text, i);
    if (b == '\n' || b == '\v' || b == '\f' || b == 0x1C || b == 0x1D || b == 0x1E) {
      return {i, i + 1};
    }
    if (b == '\r') {
      return {i, (i + 1 < n && text[i + 1] == '\n') ? i + 2 : i + 1};
    }
    if (b == 0xC2 && i + 1 < n && byte_at(text, i + 1) == 0x85) {
      return {i, i + 2};
    }
    if (b == 0xE2 && i + 2 < n && byte_at(text, i + 1) == 0x80 &&
        (byte_at(text, i + 2) == 0xA8 || byte_at(text, i + 2) == 0xA9)) {
      return {i, i + 3};
    }
    ++i;
  }
  return {n, n};
}

std::vector<std::string_view> python_splitlines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const LineBreak brk = find_line_break(text, start);
    out.push_back(text.substr(start, brk.begin - start));
    start = brk.end;
  }
  return out;
}

std::string_view python_strip(std::string_view text) noexcept {
  // Leading.
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t len = 0;
    const char32_t c = code_point_at(text, begin, len);
    if (!is_python_space(c)) {
      break;
    }
    begin += len;
  }
  // Trailing: step back to the start of the last character each time.
  std::size_t end = text.size();
  while (end > begin) {
    std::size_t start = end - 1;
    while (start > begin && is_continuation(byte_at(text, start))) {
      --start;
    }
    std::size_t len = 0;
    const char32_t c = code_point_at(text, start, len);
    if (start + len != end || !is_python_space(c)) {
      break;
    }
    end = start;
  }
  return text.substr(begin, end - begin);
}

std::string textwrap_dedent(std::string_view text) {
  // Split into lines keeping the text between '\n's ('^' and '$' of re.MULTILINE).
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (true) {
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  auto indent_of = [](std::string_view line) {
    std::size_t k = 0;
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) {
      ++k;
    }
    return k;
  };
  std::optional<std::string_view> margin;
  for (std::string_view& line : lines) {
    const std::size_t k = indent_of(line);
    if (k == line.size()) {
      line = line.substr(0, 0);  // whitespace-only lines are blanked
      continue;
    }
    const std::string_view indent = line.substr(0, k);
    if (!margin) {
      margin = indent;
    } else if (indent.substr(0, margin->size()) == *margin) {
      // The current line is at least as deep: the margin stays.
    } else if (margin->substr(0, indent.size()) == indent) {
      margin = indent;
    } else {
      std::size_t common = 0;
      while (common < margin->size() && common < indent.size() &&
             (*margin)[common] == indent[common]) {
        ++common;
      }
      margin = margin->substr(0, common);
    }
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (margin && !margin->empty() && line.substr(0, margin->size()) == *margin) {
      line.remove_prefix(margin->size());
    }
    if (i > 0) {
      out.push_back('\n');
    }
    out.append(line);
  }
  return out;
}

}  // namespace mlstack::metadata
