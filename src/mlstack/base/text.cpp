// SPDX-License-Identifier: MIT
#include "mlstack/base/text.hpp"

#include <fmt/format.h>

#include <array>

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

}  // namespace mlstack::text
