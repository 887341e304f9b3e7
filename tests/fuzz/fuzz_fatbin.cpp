// SPDX-License-Identifier: MIT
// libFuzzer target for elf::index_fatbin (pure: bytes in, index out). It must never crash,
// never read outside its input, and keep its counts consistent. Built by the `fuzz` preset
// (docs/fuzzing.md); seeds: the .nv_fatbin sections of the nvcc-built tests/data/elf fixtures.
#include "mlstack/elf/fatbin.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A heap copy of exactly `size` bytes, so that ASan sees any read past the end.
  std::vector<std::byte> copy(size);
  for (std::size_t i = 0; i < size; ++i) {
    copy[i] = static_cast<std::byte>(data[i]);
  }
  const auto ix = mlstack::elf::index_fatbin(copy);
  // Each entry takes at least 32 bytes; the sets cannot be larger than the counts.
  if (ix.sass.size() > ix.sass_entries || ix.ptx.size() > ix.ptx_entries ||
      ix.sass_entries + ix.ptx_entries + ix.other_entries > size / 32 + 1) {
    std::abort();
  }
  return 0;
}
