// SPDX-License-Identifier: MIT
#include "mlstack/elf/fatbin.hpp"

#include "mlstack/elf/elf_file.hpp"
#include "mlstack/elf/gpu_code.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace mlstack::elf {
namespace {

const std::string k_dir = std::string(MLSTACK_TEST_DATA_DIR) + "/elf/";

/// What cuobjdump 13.5 listed for a fixture (tools/make_fatbin_fixtures.sh): `ELF file 1:
/// x.1.sm_90a.cubin` → SASS `sm_90a`, `PTX file 1: x.1.sm_90a.ptx` → PTX `compute_90a`.
struct Listed {
  std::set<std::string> sass;
  std::set<std::string> ptx;
  std::size_t sass_entries = 0;
  std::size_t ptx_entries = 0;
};

Listed cuobjdump_listing(const std::string& name) {
  Listed out;
  std::ifstream in(k_dir + name + ".cuobjdump");
  EXPECT_TRUE(in) << name;
  std::string line;
  while (std::getline(in, line)) {
    const auto dot = line.rfind('.');
    const auto prev = line.rfind('.', dot - 1);
    const std::string arch = line.substr(prev + 1, dot - prev - 1);  // sm_90a
    if (line.starts_with("ELF file")) {
      out.sass.insert(arch);
      ++out.sass_entries;
    } else if (line.starts_with("PTX file")) {
      out.ptx.insert("compute_" + arch.substr(3));
      ++out.ptx_entries;
    }
  }
  return out;
}

TEST(FatbinIndex, EqualsCuobjdumpOnNvccBuiltFixtures) {
  for (const std::string name : {"sass_ptx.so", "arch_specific.so", "family.so", "mixed_120.so",
                                 "compressed.so", "two_fatbins.so", "relocatable.o",
                                 "host_only.so"}) {
    SCOPED_TRACE(name);
    const Listed expected = cuobjdump_listing(name.substr(0, name.rfind('.')));
    auto code = read_gpu_code(k_dir + name);
    ASSERT_TRUE(code) << render(code.error());
    EXPECT_EQ(std::set<std::string>(code->index.sass.begin(), code->index.sass.end()),
              expected.sass);
    EXPECT_EQ(std::set<std::string>(code->index.ptx.begin(), code->index.ptx.end()),
              expected.ptx);
    EXPECT_EQ(code->index.sass_entries, expected.sass_entries);
    EXPECT_EQ(code->index.ptx_entries, expected.ptx_entries);
    EXPECT_TRUE(code->index.problems.empty());
    EXPECT_EQ(code->has_fatbin, name != "host_only.so");
  }
}

TEST(FatbinIndex, SortsArchitecturesByNumber) {
  auto code = read_gpu_code(k_dir + "mixed_120.so");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->index.sass, (std::vector<std::string>{"sm_120", "sm_120a"}));
  EXPECT_EQ(arch_number("sm_90a"), 90U);
  EXPECT_EQ(arch_number("compute_120"), 120U);
  EXPECT_EQ(arch_number("x"), 0U);
}

std::vector<std::byte> section_bytes(const std::string& file, const char* name) {
  auto f = ElfFile::open(k_dir + file);
  EXPECT_TRUE(f);
  auto s = f->section(name);
  EXPECT_TRUE(s);
  return {s->bytes.begin(), s->bytes.end()};
}

// Every prefix of a real section: fewer entries or a problem, never a read past the end
// (ASan checks the reads).
TEST(FatbinIndex, TruncatedSectionsAreProblemsNotCrashes) {
  const auto bytes = section_bytes("two_fatbins.so", ".nv_fatbin");
  const FatbinIndex whole = index_fatbin(bytes);
  ASSERT_EQ(whole.sass_entries, 4U);
  ASSERT_EQ(whole.fatbins, 2U);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const std::vector<std::byte> prefix(bytes.begin(), bytes.begin() + static_cast<long>(n));
    const FatbinIndex ix = index_fatbin(prefix);
    EXPECT_LE(ix.sass_entries + ix.ptx_entries, whole.sass_entries + whole.ptx_entries);
    // A cut inside the first fatbin (past its 16-byte header) is always reported; a cut
    // between fatbins leaves bytes too short for a header, which are not one.
    if (n >= 16 && ix.fatbins == 0) {
      EXPECT_FALSE(ix.problems.empty()) << n;
    }
  }
}

TEST(FatbinIndex, CorruptHeadersAreProblemsNotCrashes) {
  const auto bytes = section_bytes("two_fatbins.so", ".nv_fatbin");
  std::mt19937 rng(20261206);
  for (int i = 0; i < 2000; ++i) {
    auto copy = bytes;
    for (int k = 0; k < 4; ++k) {
      // Mostly header bytes: the first 16 of a fatbin and the first 64 of its entries.
      const std::size_t at = rng() % std::min<std::size_t>(copy.size(), 256);
      copy[at] = static_cast<std::byte>(rng() & 0xFFU);
    }
    const FatbinIndex ix = index_fatbin(copy);
    EXPECT_LE(ix.sass_entries + ix.ptx_entries + ix.other_entries, copy.size() / 32);
  }
}

// The reader form (pread on the file) gives the index the bytes give, and reads only around
// the headers.
TEST(FatbinIndex, ThroughAReaderAsFromTheBytes) {
  for (const std::string name : {"sass_ptx.so", "arch_specific.so", "family.so", "mixed_120.so",
                                 "compressed.so", "two_fatbins.so"}) {
    SCOPED_TRACE(name);
    const auto bytes = section_bytes(name, ".nv_fatbin");
    const FatbinIndex direct = index_fatbin(bytes);
    std::size_t reads = 0;
    const FatbinIndex read = index_fatbin(
        bytes.size(), [&](std::uint64_t offset, std::span<std::byte> out) {
          ++reads;
          EXPECT_LE(offset + out.size(), bytes.size());
          std::memcpy(out.data(), bytes.data() + offset, out.size());
          return true;
        });
    EXPECT_EQ(read.sass, direct.sass);
    EXPECT_EQ(read.ptx, direct.ptx);
    EXPECT_EQ(read.sass_entries, direct.sass_entries);
    EXPECT_EQ(read.ptx_entries, direct.ptx_entries);
    EXPECT_EQ(read.other_entries, direct.other_entries);
    EXPECT_EQ(read.fatbins, direct.fatbins);
    EXPECT_EQ(read.problems, direct.problems);
    // One read per entry header at most, and one per fatbin header (the padding between
    // fatbins is read with the header before it).
    EXPECT_LE(reads, direct.sass_entries + direct.ptx_entries + direct.other_entries +
                         2 * direct.fatbins);
  }
}

TEST(FatbinIndex, UnreadableBytesEndTheIndexWithAProblem) {
  const auto bytes = section_bytes("two_fatbins.so", ".nv_fatbin");
  const FatbinIndex whole = index_fatbin(bytes);
  ASSERT_EQ(whole.fatbins, 2U);
  int failures = 0;
  for (std::size_t cut = 0; cut < bytes.size(); cut += 8) {
    const FatbinIndex ix = index_fatbin(
        bytes.size(), [&](std::uint64_t offset, std::span<std::byte> out) {
          if (offset + out.size() > cut) {
            return false;  // an I/O error from here on
          }
          std::memcpy(out.data(), bytes.data() + offset, out.size());
          return true;
        });
    // Either every header was read before the cut (the whole index), or the index stops
    // with one problem saying where.
    if (ix.problems.empty()) {
      EXPECT_EQ(ix.sass_entries + ix.ptx_entries, whole.sass_entries + whole.ptx_entries) << cut;
      EXPECT_EQ(ix.fatbins, whole.fatbins) << cut;
    } else {
      ASSERT_EQ(ix.problems.size(), 1U) << cut;
      EXPECT_TRUE(ix.problems[0].starts_with("cannot read the section at offset ")) << cut;
      EXPECT_LE(ix.sass_entries + ix.ptx_entries, whole.sass_entries + whole.ptx_entries);
    }
    failures += ix.problems.empty() ? 0 : 1;
  }
  EXPECT_GT(failures, 100);
}

TEST(FatbinIndex, SizesThatOverflowAreRefused) {
  std::vector<std::byte> b(64);
  const std::uint32_t magic = 0xBA55ED50U;
  const std::uint16_t version = 1;
  const std::uint16_t header = 16;
  const std::uint64_t huge = ~std::uint64_t{0} - 8;
  std::memcpy(b.data(), &magic, 4);
  std::memcpy(b.data() + 4, &version, 2);
  std::memcpy(b.data() + 6, &header, 2);
  std::memcpy(b.data() + 8, &huge, 8);
  const FatbinIndex ix = index_fatbin(b);
  EXPECT_EQ(ix.problems, (std::vector<std::string>{
                             "fatbin at offset 0 runs past the end of the section"}));
  EXPECT_TRUE(index_fatbin({}).problems.empty());
}

}  // namespace
}  // namespace mlstack::elf
