// SPDX-License-Identifier: MIT
#include "mlstack/metadata/egg_info.hpp"

#include "mlstack/metadata/python_text.hpp"
#include "mlstack/names/package_name.hpp"

#include <algorithm>

namespace mlstack::metadata {

std::vector<RequiresEntry> parse_requires_txt(std::string_view text) {
  std::vector<RequiresEntry> out;
  std::string extra;
  std::string marker;
  for (const std::string_view raw : python_splitlines(text)) {
    const std::string_view line = python_strip(raw);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    if (line.front() == '[' && line.back() == ']') {
      std::string_view inner = line;
      while (!inner.empty() && (inner.front() == '[' || inner.front() == ']')) {
        inner.remove_prefix(1);
      }
      while (!inner.empty() && (inner.back() == '[' || inner.back() == ']')) {
        inner.remove_suffix(1);
      }
      const std::size_t colon = inner.find(':');
      extra.assign(inner.substr(0, colon));
      marker.assign(colon == std::string_view::npos ? std::string_view{} : inner.substr(colon + 1));
      continue;
    }
    out.push_back({std::string(line), extra, marker});
  }
  return out;
}

std::vector<std::string> egg_info_requires_dist(const std::vector<RequiresEntry>& entries) {
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (const RequiresEntry& e : entries) {
    const std::string extra = names::canonicalize(e.extra);
    std::string marker;
    if (!extra.empty() && !e.marker.empty()) {
      marker = "(" + e.marker + ") and extra == \"" + extra + "\"";
    } else if (!extra.empty()) {
      marker = "extra == \"" + extra + "\"";
    } else {
      marker = e.marker;
    }
    out.push_back(marker.empty() ? e.requirement : e.requirement + " ; " + marker);
  }
  return out;
}

std::vector<std::string> egg_info_provides_extra(const std::vector<RequiresEntry>& entries) {
  std::vector<std::string> out;
  for (const RequiresEntry& e : entries) {
    std::string extra = names::canonicalize(e.extra);
    if (extra.empty() || std::find(out.begin(), out.end(), extra) != out.end()) {
      continue;
    }
    out.push_back(std::move(extra));
  }
  return out;
}

bool needs_egg_info_requires(const CoreMetadata& metadata) noexcept {
  return metadata.requires_dist.empty() || metadata.provides_extra.empty();
}

void add_egg_info_requires(CoreMetadata& metadata, std::string_view requires_txt) {
  if (!needs_egg_info_requires(metadata)) {
    return;
  }
  const std::vector<RequiresEntry> entries = parse_requires_txt(requires_txt);
  if (metadata.requires_dist.empty()) {
    metadata.requires_dist = egg_info_requires_dist(entries);
  }
  if (metadata.provides_extra.empty()) {
    metadata.provides_extra = egg_info_provides_extra(entries);
  }
}

}  // namespace mlstack::metadata
