// SPDX-License-Identifier: MIT
// libFuzzer target: a WHEEL file (its `Tag` values, as pip's `check_unsupported` reads them),
// each tag through the wheel-tag parser, and the same bytes as an INSTALLER file.
#include "mlstack/base/text.hpp"
#include "mlstack/metadata/wheel_file.hpp"
#include "mlstack/tags/tag.hpp"

#include "fuzz_check.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace md = mlstack::metadata;
  const std::string_view bytes = mlstack::fuzz::as_text(data, size);
  const md::WheelFile wheel = md::parse_wheel_file(bytes);
  MLSTACK_FUZZ_CHECK(!wheel.decode_error || wheel.tags.empty());
  for (const std::string& t : wheel.tags) {
    const auto tags = mlstack::tags::parse_tag(t);
    if (tags) {
      for (const auto& tag : *tags) {
        (void)mlstack::tags::to_string(tag);
      }
    }
  }
  (void)md::parse_installer(bytes);
  return 0;
}
