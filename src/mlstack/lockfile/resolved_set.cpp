// SPDX-License-Identifier: MIT
#include "mlstack/lockfile/resolved_set.hpp"

#include "mlstack/base/text.hpp"

#include <cstddef>

namespace mlstack::lockfile {

std::optional<std::string> wheel_tag_of(std::string_view file_name) {
  constexpr std::string_view k_suffix = ".whl";
  if (!file_name.ends_with(k_suffix)) {
    return std::nullopt;
  }
  file_name.remove_suffix(k_suffix.size());
  const std::vector<std::string_view> parts = text::split(file_name, '-');
  // name-version-py-abi-platform, or with a build tag before py.
  if (parts.size() != 5 && parts.size() != 6) {
    return std::nullopt;
  }
  for (const std::string_view p : parts) {
    if (p.empty()) {
      return std::nullopt;
    }
  }
  const std::size_t n = parts.size();
  std::string tag;
  tag.append(parts[n - 3]).append("-").append(parts[n - 2]).append("-").append(parts[n - 1]);
  return tag;
}

std::string url_file_name(std::string_view url) {
  const std::size_t end = url.find_first_of("?#");
  if (end != std::string_view::npos) {
    url = url.substr(0, end);
  }
  const std::size_t slash = url.rfind('/');
  if (slash != std::string_view::npos) {
    url = url.substr(slash + 1);
  }
  std::string out;
  out.reserve(url.size());
  for (std::size_t i = 0; i < url.size(); ++i) {
    if (url[i] == '%' && i + 2 < url.size()) {
      const int hi = text::hex_digit_value(url[i + 1]);
      const int lo = text::hex_digit_value(url[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += url[i];
  }
  return out;
}

}  // namespace mlstack::lockfile
