// SPDX-License-Identifier: MIT
#include "mlstack/metadata/header_section.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/metadata/python_text.hpp"

namespace mlstack::metadata {
namespace {

// feedparser.headerRE: ^(From |[\041-\071\073-\176]*:|[\t ])
bool is_header_line(std::string_view line) noexcept {
  if (line.empty()) {
    return false;
  }
  if (line[0] == ' ' || line[0] == '\t' || line.starts_with("From ")) {
    return true;
  }
  for (const char c : line) {
    if (c == ':') {
      return true;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7E) {
      return false;
    }
  }
  return false;
}

}  // namespace

std::string describe(const HeaderDefect& defect) {
  std::string what;
  switch (defect.kind) {
    case HeaderDefect::Kind::first_line_is_continuation:
      what = "a continuation line with no header before it is ignored";
      break;
    case HeaderDefect::Kind::missing_header_name:
      what = "a header line without a name (`: ...`) is ignored";
      break;
    case HeaderDefect::Kind::misplaced_envelope_header:
      what = "a misplaced `From ` line is ignored";
      break;
    case HeaderDefect::Kind::missing_body_separator:
      what = "not a header line: the header section ends here without a blank line";
      break;
  }
  return "line " + std::to_string(defect.line) + ": " + what;
}

HeaderSection HeaderSection::parse(std::string_view text) {
  HeaderSection out;
  // Pass 1 (_parsegen): collect the header lines, each with its line break.
  struct Line {
    std::string_view text;  // with the trailing '\n' when there is one
    std::size_t number;
  };
  std::vector<Line> lines;
  std::size_t pos = 0;
  std::size_t number = 0;
  std::size_t body_start = text.size();
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    const std::string_view line = text.substr(pos, end - pos);
    ++number;
    if (!is_header_line(line)) {
      if (line != "\n") {
        out.m_defects.push_back({HeaderDefect::Kind::missing_body_separator, number});
        body_start = pos;
      } else {
        body_start = end;
      }
      break;
    }
    lines.push_back({line, number});
    pos = end;
  }
  out.m_body = text.substr(std::min(body_start, text.size()));

  // Pass 2 (_parse_headers): fold continuation lines into headers.
  std::string_view current_name;
  std::size_t value_begin = 0;  // offset of the current value in `text`
  std::size_t value_end = 0;
  auto flush = [&] {
    if (current_name.empty()) {
      return;
    }
    std::string_view value = text.substr(value_begin, value_end - value_begin);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
      value.remove_suffix(1);
    }
    out.m_headers.push_back({current_name, value});
    current_name = {};
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i].text;
    const auto offset = static_cast<std::size_t>(line.data() - text.data());
    if (line[0] == ' ' || line[0] == '\t') {
      if (current_name.empty()) {
        out.m_defects.push_back({HeaderDefect::Kind::first_line_is_continuation, lines[i].number});
        continue;
      }
      value_end = offset + line.size();
      continue;
    }
    flush();
    if (line.starts_with("From ")) {
      if (i == 0) {
        std::string_view from = line;
        if (!from.empty() && from.back() == '\n') {
          from.remove_suffix(1);
        }
        out.m_unixfrom = from;
        continue;
      }
      if (i == lines.size() - 1) {
        // Probably the first line of the body: push it back and stop.
        out.m_body = text.substr(offset);
        return out;
      }
      out.m_defects.push_back({HeaderDefect::Kind::misplaced_envelope_header, lines[i].number});
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == 0) {
      out.m_defects.push_back({HeaderDefect::Kind::missing_header_name, lines[i].number});
      continue;
    }
    current_name = line.substr(0, colon);
    std::size_t v = colon + 1;
    while (v < line.size() && (line[v] == ' ' || line[v] == '\t')) {
      ++v;
    }
    value_begin = offset + v;
    value_end = offset + line.size();
  }
  flush();
  return out;
}

std::optional<std::string_view> HeaderSection::get(std::string_view name) const noexcept {
  for (const Header& h : m_headers) {
    if (text::iequals(h.name, name)) {
      return h.value;
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> HeaderSection::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const Header& h : m_headers) {
    if (text::iequals(h.name, name)) {
      out.push_back(h.value);
    }
  }
  return out;
}

std::string importlib_redent(std::string_view value) {
  if (value.find('\n') == std::string_view::npos) {
    return std::string(value);
  }
  std::string indented(8, ' ');
  indented.append(value);
  return textwrap_dedent(indented);
}

}  // namespace mlstack::metadata
