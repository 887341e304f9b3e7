// SPDX-License-Identifier: MIT
// libFuzzer target: a user's `--kb` file, as `doctor --kb FILE` reads it: the text check that
// keeps toml++ 3.3.0 from its assertion and unreachable paths (kb/toml_text.cpp), toml++,
// the rows reader (every field, expressions and templates included), and the checks that
// span files, after the embedded KB.
#include "mlstack/kb/kb.hpp"

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mlstack::kb::Kb;
  const std::string_view text = mlstack::fuzz::as_text(data, size);
  Kb kb;
  const auto added = mlstack::kb::add_kb_text(kb, "fuzz.toml", text);
  if (!added) {
    (void)mlstack::render(added.error());
    return 0;
  }
  (void)mlstack::kb::validate(kb);
  return 0;
}
