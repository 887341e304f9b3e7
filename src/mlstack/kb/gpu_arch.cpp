// SPDX-License-Identifier: MIT
#include "mlstack/kb/detail/gpu_arch.hpp"

#include "mlstack/base/text.hpp"

#include <algorithm>

namespace mlstack::kb::detail {

std::optional<Arch> parse_arch(std::string_view s) {
  Arch a;
  std::string_view digits;
  if (s.starts_with("sm_")) {
    a.sass = true;
    digits = s.substr(3);
  } else if (s.starts_with("compute_")) {
    a.ptx = true;
    digits = s.substr(8);
  } else {
    const std::size_t plus = s.find('+');
    std::string_view num = s.substr(0, plus);
    a.sass = true;
    a.ptx = plus != std::string_view::npos && text::iequals(s.substr(plus + 1), "PTX");
    const std::size_t dot = num.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= num.size() || num.size() > 8) {
      return std::nullopt;
    }
    for (char c : num) {
      if (!text::is_ascii_digit(c) && c != '.') {
        return std::nullopt;
      }
    }
    a.major = std::stoull(std::string(num.substr(0, dot)));
    a.minor = std::stoull(std::string(num.substr(dot + 1)));
    return a;
  }
  if (!digits.empty() && (digits.back() == 'a' || digits.back() == 'f')) {
    a.exact = digits.back() == 'a';
    a.family = digits.back() == 'f';
    digits.remove_suffix(1);
  }
  if (digits.size() < 2 || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), text::is_ascii_digit)) {
    return std::nullopt;
  }
  a.major = std::stoull(std::string(digits.substr(0, digits.size() - 1)));
  a.minor = static_cast<std::uint64_t>(digits.back() - '0');
  return a;
}

namespace {

// Words of a GPU name, upper case, split on space, `-` and `_`.
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == '-' || c == '_') {
      if (!cur.empty()) {
        out.push_back(std::move(cur));
        cur.clear();
      }
    } else {
      cur += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
  }
  if (!cur.empty()) {
    out.push_back(std::move(cur));
  }
  return out;
}

}  // namespace

bool matches_words(std::string_view name, std::string_view pattern) {
  const auto n = words(name);
  const auto p = words(pattern);
  if (p.empty() || p.size() > n.size()) {
    return false;
  }
  for (std::size_t i = 0; i + p.size() <= n.size(); ++i) {
    if (std::equal(p.begin(), p.end(), n.begin() + static_cast<std::ptrdiff_t>(i))) {
      return true;
    }
  }
  return false;
}


bool has_sass(const std::vector<std::string>& archs, std::uint64_t major, std::uint64_t minor) {
  return std::any_of(archs.begin(), archs.end(), [&](const std::string& s) {
    const auto a = parse_arch(s);
    return a && a->sass && a->major == major && (a->exact ? a->minor == minor : a->minor <= minor);
  });
}

bool has_ptx(const std::vector<std::string>& archs, std::uint64_t major, std::uint64_t minor) {
  return std::any_of(archs.begin(), archs.end(), [&](const std::string& s) {
    const auto a = parse_arch(s);
    if (!a || !a->ptx) {
      return false;
    }
    if (a->exact) {
      return a->major == major && a->minor == minor;
    }
    if (a->family) {
      return a->major == major && a->minor <= minor;
    }
    return a->major < major || (a->major == major && a->minor <= minor);
  });
}

}  // namespace mlstack::kb::detail
