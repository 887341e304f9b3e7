// SPDX-License-Identifier: MIT
// libFuzzer target for elf::ElfFile over hostile bytes (libelf through ElfFile::from_memory):
// sections, the fatbin index, .rodata version strings, the dynamic section, symbols and the
// bytes at each symbol's address. Not wired into CMake yet (no `fuzz` preset); by hand:
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Ibuild/dev/src \
//     tests/fuzz/fuzz_elf_file.cpp src/mlstack/elf/{elf_file,fatbin,embedded_versions}.cpp \
//     src/mlstack/base/error.cpp -lelf -o build/fuzz_elf_file
//   mkdir -p build/fuzz-elf && cp tests/data/elf/*.so build/fuzz-elf/
//   build/fuzz_elf_file -max_total_time=150 -max_len=20000 build/fuzz-elf
//
// 2026-12-06: 5.96M runs in 150 s from the tests/data/elf fixtures, no finding.
#include "mlstack/elf/elf_file.hpp"
#include "mlstack/elf/embedded_versions.hpp"
#include "mlstack/elf/fatbin.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

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
  for (const auto& symbol : file->symbols([](std::string_view) { return true; })) {
    volatile std::byte sink{};
    for (std::byte b : file->bytes_at(symbol.value, 32)) {
      sink = b;
    }
  }
  return 0;
}
