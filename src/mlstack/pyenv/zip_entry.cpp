// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/zip_entry.hpp"

#include "mlstack/pep440/version.hpp"
#include "mlstack/tags/tag.hpp"

#include <algorithm>
#include <array>
#include <unordered_set>

namespace mlstack::pyenv::detail {
namespace {

// `_wheel_name_regex = ^[\w._]+\Z` (re.UNICODE).
bool is_wheel_name_part(std::string_view name) noexcept {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

}  // namespace

bool is_wheel_file_name(std::string_view base_name) {
  if (!base_name.ends_with(".whl")) {
    return false;
  }
  const std::string_view stem = base_name.substr(0, base_name.size() - 4);
  const auto dashes = static_cast<std::size_t>(std::count(stem.begin(), stem.end(), '-'));
  if (dashes != 4 && dashes != 5) {
    return false;
  }
  // filename.split("-", dashes - 2): the last part keeps the tag set's two `-`.
  std::vector<std::string_view> parts;
  std::string_view rest = stem;
  for (std::size_t i = 0; i < dashes - 2; ++i) {
    const std::size_t dash = rest.find('-');
    parts.push_back(rest.substr(0, dash));
    rest = rest.substr(dash + 1);
  }
  parts.push_back(rest);
  const std::string_view name = parts[0];
  if (name.find("__") != std::string_view::npos || !is_wheel_name_part(name)) {
    return false;
  }
  if (!pep440::Version::parse(parts[1])) {
    return false;
  }
  if (dashes == 5 && (parts[2].empty() || parts[2][0] < '0' || parts[2][0] > '9')) {
    return false;
  }
  return tags::parse_tag(parts.back()).has_value();
}

bool is_metadata_member(std::string_view name) {
  const std::size_t slash = name.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return false;
  }
  const std::string_view file = name.substr(slash + 1);
  static constexpr std::array<std::string_view, 5> k_files = {"METADATA", "PKG-INFO",
                                                              "requires.txt", "WHEEL", "INSTALLER"};
  return std::find(k_files.begin(), k_files.end(), file) != k_files.end();
}

std::vector<std::string> zip_children(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  std::unordered_set<std::string_view> seen;
  for (const std::string& name : names) {
    const std::string_view first = std::string_view(name).substr(0, name.find('/'));
    if (seen.insert(first).second) {
      out.emplace_back(first);
    }
  }
  return out;
}

}  // namespace mlstack::pyenv::detail
