// SPDX-License-Identifier: MIT
#include "mlstack/base/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <numeric>

namespace mlstack::text {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = ascii_lower(c);
  }
  return out;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ascii_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_ascii_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) {
      return false;
    }
  }
  return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string python_repr(std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

std::vector<std::string_view> split_lines(std::string_view s) {
  // One table lookup per byte: RECORD files and CUDA headers are megabytes.
  static constexpr auto k_break = [] {
    std::array<bool, 256> t{};
    for (const char c : {'\n', '\r', '\v', '\f', '\x1c', '\x1d', '\x1e'}) {
      t[static_cast<unsigned char>(c)] = true;
    }
    return t;
  }();
  std::vector<std::string_view> out;
  std::size_t start = 0;
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!k_break[c]) {
      continue;
    }
    out.push_back(s.substr(start, i - start));
    if (c == '\r' && i + 1 < n && s[i + 1] == '\n') {
      ++i;
    }
    start = i + 1;
  }
  if (start < n) {
    out.push_back(s.substr(start));
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic-programming table: two back (transpositions), previous, current.
  std::vector<std::size_t> before(b.size() + 1);
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string_view closest(std::string_view word, const std::vector<std::string_view>& candidates,
                         std::size_t max_distance) {
  std::string_view best;
  std::size_t best_distance = max_distance + 1;
  for (const std::string_view c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string escape_controls(std::string_view s) {
  const auto needs_escape = [](std::string_view t, std::size_t i) {
    const auto u = static_cast<unsigned char>(t[i]);
    if (u < 0x20) {
      return t[i] != '\n' && t[i] != '\t';
    }
    if (u == 0x7f) {
      return true;
    }
    return u == 0xc2 && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) >= 0x80 &&
           static_cast<unsigned char>(t[i + 1]) <= 0x9f;
  };
  std::size_t i = 0;
  while (i < s.size() && !needs_escape(s, i)) {
    ++i;
  }
  if (i == s.size()) {
    return std::string(s);
  }
  std::string out(s.substr(0, i));
  for (; i < s.size(); ++i) {
    if (!needs_escape(s, i)) {
      out += s[i];
      continue;
    }
    const auto u = static_cast<unsigned char>(s[i]);
    if (s[i] == '\r') {
      out += "\\r";
    } else if (u == 0xc2) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i + 1]));
      ++i;
    } else {
      out += fmt::format("\\x{:02x}", u);
    }
  }
  return out;
}

std::string strip_controls_as_rich(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    if (c != '\a' && c != '\b' && c != '\v' && c != '\f' && c != '\r') {
      out += c;
    }
  }
  return out;
}

Utf8Char decode_utf8(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80U) {
    return {b0, 1};
  }
  std::size_t n = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0U) == 0xC0U) {
    n = 2;
    cp = b0 & 0x1FU;
    min = 0x80;
  } else if ((b0 & 0xF0U) == 0xE0U) {
    n = 3;
    cp = b0 & 0x0FU;
    min = 0x800;
  } else if ((b0 & 0xF8U) == 0xF0U) {
    n = 4;
    cp = b0 & 0x07U;
    min = 0x10000;
  } else {
    return {};
  }
  if (i + n > s.size()) {
    return {};
  }
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(k) & 0xC0U) != 0x80U) {
      return {};
    }
    cp = (cp << 6U) | (byte(k) & 0x3FU);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return {};
  }
  return {cp, n};
}

}  // namespace mlstack::text
