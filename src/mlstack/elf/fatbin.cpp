// SPDX-License-Identifier: MIT
#include "mlstack/elf/fatbin.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <string_view>

namespace mlstack::elf {
namespace {

constexpr std::uint32_t k_magic = 0xBA55ED50U;
constexpr std::size_t k_fatbin_header = 16;
constexpr std::size_t k_entry_min = 32;  // up to and including the SM number
constexpr std::uint16_t k_kind_ptx = 1;
constexpr std::uint16_t k_kind_cubin = 2;
constexpr std::uint64_t k_flag_arch_specific = 0x100000U;
constexpr std::uint64_t k_flag_family = 0x200000U;

// Little-endian reads: fatbins are written for the host, and CUDA hosts are little-endian
// (x86-64, aarch64, ppc64le).
template <class T>
T read(std::span<const std::byte> b, std::size_t at) {
  T v{};
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

struct ArchLess {
  bool operator()(const std::string& a, const std::string& b) const {
    const unsigned x = arch_number(a);
    const unsigned y = arch_number(b);
    return x != y ? x < y : a < b;
  }
};

}  // namespace

unsigned arch_number(std::string_view arch) noexcept {
  const auto us = arch.find('_');
  if (us == std::string_view::npos) {
    return 0;
  }
  unsigned n = 0;
  for (char c : arch.substr(us + 1)) {
    if (c < '0' || c > '9' || n > 100000) {
      break;
    }
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  return n;
}

FatbinIndex index_fatbin(std::span<const std::byte> bytes) {
  FatbinIndex out;
  std::set<std::string, ArchLess> sass;
  std::set<std::string, ArchLess> ptx;
  std::size_t pos = 0;
  while (pos + k_fatbin_header <= bytes.size()) {
    if (read<std::uint32_t>(bytes, pos) != k_magic) {
      pos += 8;  // padding between fatbins (fatbins are 8-aligned)
      continue;
    }
    const auto header = read<std::uint16_t>(bytes, pos + 6);
    const auto size = read<std::uint64_t>(bytes, pos + 8);
    if (header < k_fatbin_header || header > bytes.size() - pos ||
        size > bytes.size() - pos - header) {
      out.problems.push_back("fatbin at offset " + std::to_string(pos) +
                             " runs past the end of the section");
      break;
    }
    ++out.fatbins;
    const std::size_t end = pos + header + static_cast<std::size_t>(size);
    std::size_t e = pos + header;
    while (e < end) {
      if (end - e < k_entry_min) {
        out.problems.push_back("entry at offset " + std::to_string(e) + " is truncated");
        break;
      }
      const auto kind = read<std::uint16_t>(bytes, e);
      const auto entry_header = read<std::uint32_t>(bytes, e + 4);
      const auto payload = read<std::uint64_t>(bytes, e + 8);
      if (entry_header < k_entry_min || entry_header > end - e ||
          payload > end - e - entry_header) {
        out.problems.push_back("entry at offset " + std::to_string(e) +
                               " runs past the end of its fatbin");
        break;
      }
      const auto sm = read<std::uint32_t>(bytes, e + 28);
      const std::uint64_t flags = entry_header >= 48 ? read<std::uint64_t>(bytes, e + 40) : 0;
      const std::string number = std::to_string(sm);
      if (kind == k_kind_cubin) {
        ++out.sass_entries;
        sass.insert("sm_" + number + ((flags & k_flag_arch_specific) != 0 ? "a" : ""));
      } else if (kind == k_kind_ptx) {
        ++out.ptx_entries;
        ptx.insert("compute_" + number +
                   ((flags & k_flag_arch_specific) != 0 ? "a"
                    : (flags & k_flag_family) != 0  ? "f"
                                                    : ""));
      } else {
        ++out.other_entries;
      }
      e += entry_header + static_cast<std::size_t>(payload);
    }
    // The next fatbin starts at the next 8-aligned offset.
    pos = (end + 7) & ~std::size_t{7};
  }
  out.sass.assign(sass.begin(), sass.end());
  out.ptx.assign(ptx.begin(), ptx.end());
  return out;
}

}  // namespace mlstack::elf
