// SPDX-License-Identifier: MIT
#include "mlstack/loader/ld_so_help.hpp"

#include <cstddef>

namespace mlstack::loader {
namespace {

enum class Section { other, search_path, hwcaps, legacy };

// "  NAME (details)" → NAME; the details in `details`.
std::string_view entry_name(std::string_view line, std::string_view& details) {
  const std::size_t start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    return {};
  }
  line.remove_prefix(start);
  const std::size_t space = line.find(' ');
  details = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  return line.substr(0, space);
}

}  // namespace

LdSoSearch parse_ld_so_help(std::string_view text) {
  LdSoSearch out;
  std::vector<std::string> hwcaps;
  std::vector<std::string> legacy;
  bool tls = false;
  Section section = Section::other;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty() || line.front() != ' ') {
      section = line.rfind("Shared library search path", 0) == 0       ? Section::search_path
                : line.rfind("Subdirectories of glibc-hwcaps", 0) == 0 ? Section::hwcaps
                : line.rfind("Legacy HWCAP subdirectories", 0) == 0    ? Section::legacy
                                                                       : Section::other;
      continue;
    }
    std::string_view details;
    const std::string_view name = entry_name(line, details);
    const bool searched = details.find("searched") != std::string_view::npos;
    if (section == Section::search_path && details == "(system search path)") {
      out.default_dirs.emplace_back(name);
    } else if (section == Section::hwcaps && searched) {
      hwcaps.push_back("glibc-hwcaps/" + std::string(name));
    } else if (section == Section::legacy && searched) {
      if (name == "tls") {
        tls = true;
      } else {
        legacy.emplace_back(name);
      }
    }
  }
  out.subdirs = hwcaps;
  if (legacy.size() > 16) {
    legacy.resize(16);  // 2^16 combinations is far past any real loader's
  }
  const std::size_t n = legacy.size();
  for (const bool with_tls : {true, false}) {
    if (with_tls && !tls) {
      continue;
    }
    for (std::size_t mask = (std::size_t{1} << n); mask-- > 0;) {
      std::string dir = with_tls ? "tls" : "";
      for (std::size_t i = 0; i < n; ++i) {
        if ((mask & (std::size_t{1} << (n - 1 - i))) != 0) {
          dir += (dir.empty() ? "" : "/") + legacy[i];
        }
      }
      if (!dir.empty()) {
        out.subdirs.push_back(std::move(dir));
      }
    }
  }
  return out;
}

}  // namespace mlstack::loader
