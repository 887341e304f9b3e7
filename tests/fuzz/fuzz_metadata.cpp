// SPDX-License-Identifier: MIT
// libFuzzer target: METADATA / PKG-INFO as importlib reads them (strict UTF-8, universal
// newlines, compat32 headers, importlib's re-indentation), then every Requires-Dist through
// the PEP 508 parser as `check` does, and the header section alone. The parse never fails;
// an undecodable file has no fields.
#include "mlstack/base/text.hpp"
#include "mlstack/metadata/core_metadata.hpp"
#include "mlstack/metadata/header_section.hpp"
#include "mlstack/metadata/python_text.hpp"
#include "mlstack/pep440/version.hpp"
#include "mlstack/pep508/requirement.hpp"

#include "fuzz_check.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace md = mlstack::metadata;
  const std::string_view bytes = mlstack::fuzz::as_text(data, size);
  const md::ParsedMetadata parsed = md::parse_core_metadata(bytes);
  if (parsed.decode_error) {
    MLSTACK_FUZZ_CHECK(parsed.metadata.requires_dist.empty() && !parsed.metadata.name);
    return 0;
  }
  for (const std::string& raw : parsed.metadata.requires_dist) {
    (void)mlstack::pep508::Requirement::parse(mlstack::text::trim(raw));
  }
  if (parsed.metadata.version) {
    (void)mlstack::pep440::Version::parse(*parsed.metadata.version);
  }
  std::string storage;
  const std::string_view text = md::translate_newlines(bytes, storage);
  const md::HeaderSection section = md::HeaderSection::parse(text);
  for (const md::Header& h : section.headers()) {
    (void)md::importlib_redent(h.value);
  }
  for (const md::HeaderDefect& d : section.defects()) {
    (void)md::describe(d);
  }
  (void)section.get_all("Requires-Dist");
  return 0;
}
