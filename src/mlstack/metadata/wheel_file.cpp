// SPDX-License-Identifier: MIT
#include "mlstack/metadata/wheel_file.hpp"

#include "mlstack/metadata/header_section.hpp"
#include "mlstack/metadata/python_text.hpp"

#include <algorithm>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mlstack::metadata {

WheelFile parse_wheel_file(std::string_view bytes) {
  WheelFile out;
  if (const auto bad = find_utf8_error(bytes)) {
    out.decode_error = describe(*bad, bytes);
    return out;
  }
  std::string storage;
  const HeaderSection section = HeaderSection::parse(translate_newlines(bytes, storage));
  for (const std::string_view tag : section.get_all("Tag")) {
    out.tags.emplace_back(tag);
  }
  return out;
}

std::string parse_installer(std::string_view bytes) {
  if (find_utf8_error(bytes)) {
    return {};
  }
  for (const std::string_view line : python_splitlines(bytes)) {
    const std::string_view cleaned = python_strip(line);
    if (!cleaned.empty()) {
      return std::string(cleaned);
    }
  }
  return {};
}

namespace {

// The first index at or after `i` whose byte may end a RECORD field or line: a control byte
// or one of 0x80-0xFF (where every str.splitlines() break begins), or `,` when `comma`.
// RECORD files are megabytes of plain ASCII, so this is the hot loop of reading them.
std::size_t find_special(std::string_view text, std::size_t i, bool comma) noexcept {
  const std::size_t n = text.size();
  const char* p = text.data();
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i commas = _mm_set1_epi8(',');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // Signed compare: bytes 0x80-0xFF are negative, so this catches them and 0x00-0x1F.
    __m128i hit = _mm_cmplt_epi8(v, space);
    if (comma) {
      hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, commas));
    }
    if (const int mask = _mm_movemask_epi8(hit); mask != 0) {
      return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
  }
#endif
  for (; i < n; ++i) {
    const auto b = static_cast<unsigned char>(p[i]);
    if (b < 0x20 || b >= 0x80 || (comma && b == ',')) {
      return i;
    }
  }
  return n;
}

}  // namespace

// `stop` is where find_special stopped: the bytes before it are plain ASCII. When the line
// break is exactly there and ASCII, so is everything up to the break's end; otherwise bytes
// went unseen (or are not ASCII) and the caller must check the text as UTF-8.
LineBreak RecordReader::break_at(std::size_t stop) noexcept {
  const LineBreak brk = find_line_break(m_text, stop);
  if (brk.begin != stop ||
      (stop < m_text.size() && static_cast<unsigned char>(m_text[stop]) >= 0x80)) {
    m_only_ascii = false;
  }
  return brk;
}

LineBreak RecordReader::line_break_from(std::size_t i) noexcept {
  const std::size_t stop = find_special(m_text, i, false);
  // The common ends, `\n` and `\r\n`, without the general search (same result).
  if (stop < m_text.size() && m_text[stop] == '\n') {
    return {stop, stop + 1};
  }
  if (stop + 1 < m_text.size() && m_text[stop] == '\r' && m_text[stop + 1] == '\n') {
    return {stop, stop + 2};
  }
  return break_at(stop);
}

std::optional<std::string_view> RecordReader::next() {
  const std::string_view text = m_text;
  // csv.reader over str.splitlines(): each line is one record unless a quoted field spans
  // lines, which splitlines() has already cut (csv then sees the pieces separately).
  while (m_pos < text.size()) {
    const std::size_t start = m_pos;
    if (text[start] != '"') {
      const std::size_t stop = find_special(text, start, true);
      if (stop < text.size() && text[stop] == ',') {
        const LineBreak brk = line_break_from(stop + 1);
        m_pos = brk.end;
        m_row_begin = start;
        m_row_end = brk.begin;
        return text.substr(start, stop - start);
      }
      // A line break, or a byte that may begin one: fall back to the exact search.
      const LineBreak brk = break_at(stop);
      m_pos = brk.end;
      const std::string_view line = text.substr(start, brk.begin - start);
      if (line.empty()) {
        continue;
      }
      m_row_begin = start;
      m_row_end = brk.begin;
      return line.substr(0, line.find(','));
    }
    const LineBreak brk = line_break_from(start);
    const std::string_view line = text.substr(start, brk.begin - start);
    m_pos = brk.end;
    m_row_begin = start;
    m_row_end = brk.begin;
    // Quoted field: `""` is a quote; text after the closing quote up to `,` is appended
    // (csv's non-strict mode).
    m_field.clear();
    std::size_t i = 1;
    while (i < line.size()) {
      if (line[i] == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          m_field.push_back('"');
          i += 2;
          continue;
        }
        ++i;
        break;
      }
      m_field.push_back(line[i]);
      ++i;
    }
    const std::size_t comma = std::min(line.find(',', i), line.size());
    m_field.append(line.substr(i, comma - i));
    return std::string_view(m_field);
  }
  return std::nullopt;
}

std::optional<std::uint64_t> RecordReader::size() const noexcept {
  const std::string_view row = m_text.substr(m_row_begin, m_row_end - m_row_begin);
  const std::size_t comma = row.rfind(',');
  if (comma == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view digits = row.substr(comma + 1);
  if (digits.empty() || digits.size() > 19) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

std::string_view RecordReader::hash() const noexcept {
  // The last two fields never hold a comma or a quote (PEP 376: hash, size), so they are
  // found from the end even when the path is quoted.
  const std::string_view row = m_text.substr(m_row_begin, m_row_end - m_row_begin);
  const std::size_t last = row.rfind(',');
  if (last == std::string_view::npos || last == 0) {
    return {};
  }
  const std::size_t before = row.rfind(',', last - 1);
  if (before == std::string_view::npos) {
    return {};
  }
  const std::string_view field = row.substr(before + 1, last - before - 1);
  return field.find('"') == std::string_view::npos ? field : std::string_view{};
}

}  // namespace mlstack::metadata
