// SPDX-License-Identifier: MIT
#include "mlstack/metadata/wheel_file.hpp"

#include "mlstack/metadata/header_section.hpp"
#include "mlstack/metadata/python_text.hpp"

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

std::vector<std::string> parse_record_paths(std::string_view text) {
  std::vector<std::string> out;
  // csv.reader over str.splitlines(): each line is one record unless a quoted field spans
  // lines, which splitlines() has already cut (csv then sees the pieces separately).
  for (const std::string_view line : python_splitlines(text)) {
    if (line.empty()) {
      continue;
    }
    std::string field;
    std::size_t i = 0;
    if (line[0] == '"') {
      // Quoted field: `""` is a quote; text after the closing quote up to `,` is appended
      // (csv's non-strict mode).
      i = 1;
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
      while (i < line.size() && line[i] != ',') {
        field.push_back(line[i]);
        ++i;
      }
    } else {
      const std::size_t comma = line.find(',');
      field.assign(line.substr(0, comma));
    }
    out.push_back(std::move(field));
  }
  return out;
}

}  // namespace mlstack::metadata
