// SPDX-License-Identifier: MIT
// libFuzzer target: an egg-info `requires.txt` as pip reads it (sections `[extra:marker]`),
// turned into Requires-Dist strings, each parsed as `check` parses it. A `[:(((...)))]`
// section nested past packaging's recursion limit must stop with ErrorCode::limit, not
// overflow the stack.
#include "mlstack/metadata/core_metadata.hpp"
#include "mlstack/metadata/egg_info.hpp"
#include "mlstack/pep508/requirement.hpp"

#include "fuzz_check.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace md = mlstack::metadata;
  const std::string_view text = mlstack::fuzz::as_text(data, size);
  const auto entries = md::parse_requires_txt(text);
  const auto requires_dist = md::egg_info_requires_dist(entries);
  MLSTACK_FUZZ_CHECK(requires_dist.size() == entries.size());
  for (const std::string& r : requires_dist) {
    (void)mlstack::pep508::Requirement::parse(r);
  }
  (void)md::egg_info_provides_extra(entries);
  md::CoreMetadata metadata;
  md::add_egg_info_requires(metadata, text);
  MLSTACK_FUZZ_CHECK(metadata.requires_dist == requires_dist);
  return 0;
}
