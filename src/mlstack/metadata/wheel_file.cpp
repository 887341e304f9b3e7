// SPDX-License-Identifier: MIT
#include "mlstack/metadata/wheel_file.hpp"

#include "mlstack/metadata/header_section.hpp"
#include "mlstack/metadata/python_text.hpp"

#include <algorithm>

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

std::vector<std::string> parse_record_paths(std::string_view text, std::string_view relative_to) {
  std::vector<std::string> out;
  const bool add_slash = !relative_to.empty() && relative_to.back() != '/';
  // One allocation per path: the prefix for relative paths is written first.
  auto start_path = [&](std::string& path, std::string_view first, std::size_t reserve) {
    if (relative_to.empty() || first.starts_with('/')) {
      path.reserve(reserve);
      return;
    }
    path.reserve(relative_to.size() + 1 + reserve);
    path.append(relative_to);
    if (add_slash) {
      path.push_back('/');
    }
  };
  // csv.reader over str.splitlines(): each line is one record unless a quoted field spans
  // lines, which splitlines() has already cut (csv then sees the pieces separately).
  for (std::size_t pos = 0; pos < text.size();) {
    const LineBreak brk = find_line_break(text, pos);
    const std::string_view line = text.substr(pos, brk.begin - pos);
    pos = brk.end;
    if (line.empty()) {
      continue;
    }
    if (line[0] != '"') {
      const std::string_view field = line.substr(0, line.find(','));
      std::string& path = out.emplace_back();
      start_path(path, field, field.size());
      path.append(field);
      continue;
    }
    // Quoted field: `""` is a quote; text after the closing quote up to `,` is appended
    // (csv's non-strict mode).
    std::string field;
    field.reserve(line.size());
    std::size_t i = 1;
    while (i < line.size()) {
      if (line[i] == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field.push_back('"');
          i += 2;
          continue;
        }
        ++i;
        break;
      }
      field.push_back(line[i]);
      ++i;
    }
    const std::size_t comma = std::min(line.find(',', i), line.size());
    field.append(line.substr(i, comma - i));
    std::string& path = out.emplace_back();
    start_path(path, field, field.size());
    path.append(field);
  }
  return out;
}

}  // namespace mlstack::metadata
