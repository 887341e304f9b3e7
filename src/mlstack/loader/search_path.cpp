// SPDX-License-Identifier: MIT
#include "mlstack/loader/search_path.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace mlstack::loader {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The length of token `name` at `s` (after the `$`): `ORIGIN` or `{ORIGIN}`, followed by a
// character that cannot continue a name (glibc's `is_dst`); 0 when it is not there.
std::size_t token_length(std::string_view s, std::string_view name) {
  if (!s.empty() && s.front() == '{') {
    if (s.substr(1, name.size()) == name && s.size() > name.size() + 1 &&
        s[name.size() + 1] == '}') {
      return name.size() + 2;
    }
    return 0;
  }
  if (s.substr(0, name.size()) != name) {
    return 0;
  }
  if (s.size() > name.size() && is_name_char(s[name.size()])) {
    return 0;
  }
  return name.size();
}

}  // namespace

std::optional<std::string> expand_tokens(std::string_view entry, const DstValues& values) {
  const std::array<std::pair<std::string_view, const std::string*>, 3> tokens = {{
      {"ORIGIN", &values.origin},
      {"PLATFORM", &values.platform},
      {"LIB", &values.lib},
  }};
  std::string out;
  out.reserve(entry.size());
  for (std::size_t i = 0; i < entry.size(); ++i) {
    if (entry[i] != '$') {
      out += entry[i];
      continue;
    }
    const std::string_view rest = entry.substr(i + 1);
    bool replaced = false;
    for (const auto& [name, value] : tokens) {
      const std::size_t n = token_length(rest, name);
      if (n == 0) {
        continue;
      }
      if (value->empty()) {
        return std::nullopt;
      }
      out += *value;
      i += n;
      replaced = true;
      break;
    }
    if (!replaced) {
      out += '$';
    }
  }
  return out;
}

std::vector<std::string> split_search_path(std::string_view list, const DstValues& values,
                                           bool env) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = start;
    while (end < list.size() && list[end] != ':' && !(env && list[end] == ';')) {
      ++end;
    }
    std::optional<std::string> dir = expand_tokens(list.substr(start, end - start), values);
    start = end + 1;
    if (!dir) {
      continue;
    }
    while (dir->size() > 1 && dir->back() == '/') {
      dir->pop_back();
    }
    if (dir->empty()) {
      // "." (push_back: GCC 12 at -O2 sees a false overlap in assigning a literal, -Wrestrict)
      dir->push_back('.');
    }
    if (std::find(out.begin(), out.end(), *dir) == out.end()) {
      out.push_back(std::move(*dir));
    }
  }
  return out;
}

std::string parent_folder(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) {
    return ".";
  }
  if (slash == 0) {
    return "/";
  }
  return std::string(path.substr(0, slash));
}

}  // namespace mlstack::loader
