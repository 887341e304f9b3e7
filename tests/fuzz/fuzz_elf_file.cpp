// SPDX-License-Identifier: MIT
// libFuzzer target for elf::ElfFile over hostile bytes (libelf through ElfFile::from_memory):
// sections, the fatbin index, .rodata version strings, the dynamic section, symbol versions,
// symbols and the bytes at each symbol's address. Built by the `fuzz` preset (docs/fuzzing.md); seeds: the
// tests/data/elf fixtures.
#include "mlstack/elf/elf_file.hpp"
#include "mlstack/elf/embedded_versions.hpp"
#include "mlstack/elf/fatbin.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {
volatile unsigned g_sink = 0;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto file = mlstack::elf::ElfFile::from_memory(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");  // NOLINT
  if (!file) {
    return 0;
  }
  if (auto section = file->section(".nv_fatbin")) {
    (void)mlstack::elf::index_fatbin(section->bytes);
  }
  (void)mlstack::elf::read_embedded_versions(*file);
  (void)file->dynamic();
  (void)file->symbol_versions();
  // Every byte at every symbol is read (ASan checks each read).
  unsigned sum = 0;
  for (const auto& symbol : file->symbols([](std::string_view) { return true; })) {
    for (std::byte b : file->bytes_at(symbol.value, 32)) {
      sum += static_cast<unsigned>(b);
    }
  }
  g_sink = sum;  // keeps the reads
  return 0;
}
