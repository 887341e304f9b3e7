// SPDX-License-Identifier: MIT
#include "mlstack/metadata/core_metadata.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/metadata/header_section.hpp"
#include "mlstack/metadata/python_text.hpp"
#include "mlstack/names/package_name.hpp"

namespace mlstack::metadata {

ParsedMetadata parse_core_metadata(std::string_view bytes) {
  if (const auto bad = find_utf8_error(bytes)) {
    ParsedMetadata out;
    out.decode_error = describe(*bad, bytes);
    out.problems.push_back("not valid UTF-8: " + *out.decode_error);
    return out;
  }
  return parse_core_metadata_text(bytes);
}

ParsedMetadata parse_core_metadata_text(std::string_view decoded) {
  ParsedMetadata out;
  std::string storage;
  const std::string_view text = translate_newlines(decoded, storage);
  const HeaderSection section = HeaderSection::parse(text);
  for (const HeaderDefect& d : section.defects()) {
    out.problems.push_back(describe(d));
  }
  CoreMetadata& m = out.metadata;
  // One pass over the headers; `first` keeps Message.get's first-match rule.
  auto first = [](std::optional<std::string>& slot, std::string_view value) {
    if (!slot) {
      slot = importlib_redent(value);
    }
  };
  for (const Header& h : section.headers()) {
    const std::string_view n = h.name;
    if (text::iequals(n, "Requires-Dist")) {
      m.requires_dist.push_back(importlib_redent(h.value));
    } else if (text::iequals(n, "Provides-Extra")) {
      m.provides_extra.push_back(importlib_redent(h.value));
    } else if (text::iequals(n, "Name")) {
      first(m.name, h.value);
    } else if (text::iequals(n, "Version")) {
      first(m.version, h.value);
    } else if (text::iequals(n, "Metadata-Version")) {
      first(m.metadata_version, h.value);
    } else if (text::iequals(n, "Summary")) {
      first(m.summary, h.value);
    } else if (text::iequals(n, "Requires-Python")) {
      first(m.requires_python, h.value);
    }
  }
  if (!m.metadata_version) {
    out.problems.emplace_back("missing `Metadata-Version`");
  }
  if (!m.name) {
    out.problems.emplace_back("missing `Name`");
  } else if (!names::is_valid_project_name(text::trim(*m.name))) {
    out.problems.push_back("invalid `Name`: " + text::python_repr(*m.name));
  }
  if (!m.version) {
    out.problems.emplace_back("missing `Version`");
  }
  return out;
}

}  // namespace mlstack::metadata
