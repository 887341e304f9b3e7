// SPDX-License-Identifier: MIT
#include "mlstack/elf/fatbin.hpp"

#include <algorithm>
#include <array>
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

// The section as read so far: one window of bytes at a time, refilled where a read falls
// outside it (a fatbin header, an entry header and the padding after are one window each).
class Window {
 public:
  Window(std::uint64_t size, const SectionReader& read) : m_size(size), m_read(read) {}

  // Little-endian reads: fatbins are written for the host, and CUDA hosts are little-endian
  // (x86-64, aarch64, ppc64le). `at + sizeof(T)` must be within the section; false when
  // the bytes cannot be read.
  template <class T>
  bool load(std::uint64_t at, T& v) {
    if (at < m_start || at + sizeof v > m_start + m_length) {
      m_start = at;
      m_length = static_cast<std::size_t>(std::min<std::uint64_t>(k_size, m_size - at));
      if (!m_read(at, std::span<std::byte>(m_bytes.data(), m_length))) {
        m_length = 0;
        return false;
      }
    }
    std::memcpy(&v, m_bytes.data() + (at - m_start), sizeof v);
    return true;
  }

 private:
  static constexpr std::size_t k_size = 256;  // an entry header and some padding after it
  std::uint64_t m_size;
  const SectionReader& m_read;
  std::array<std::byte, k_size> m_bytes{};
  std::uint64_t m_start = 0;
  std::size_t m_length = 0;
};

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
  return index_fatbin(bytes.size(), [bytes](std::uint64_t offset, std::span<std::byte> out) {
    if (offset > bytes.size() || out.size() > bytes.size() - offset) {
      return false;
    }
    std::memcpy(out.data(), bytes.data() + offset, out.size());
    return true;
  });
}

FatbinIndex index_fatbin(std::uint64_t size, const SectionReader& read) {
  FatbinIndex out;
  std::set<std::string, ArchLess> sass;
  std::set<std::string, ArchLess> ptx;
  Window bytes(size, read);
  auto unreadable = [&out](std::uint64_t at) {
    out.problems.push_back("cannot read the section at offset " + std::to_string(at));
  };
  std::uint64_t pos = 0;
  while (pos + k_fatbin_header <= size) {
    std::uint32_t magic = 0;
    if (!bytes.load(pos, magic)) {
      unreadable(pos);
      break;
    }
    if (magic != k_magic) {
      pos += 8;  // padding between fatbins (fatbins are 8-aligned)
      continue;
    }
    std::uint16_t header = 0;
    std::uint64_t fatbin_size = 0;
    if (!bytes.load(pos + 6, header) || !bytes.load(pos + 8, fatbin_size)) {
      unreadable(pos);
      break;
    }
    if (header < k_fatbin_header || header > size - pos || fatbin_size > size - pos - header) {
      out.problems.push_back("fatbin at offset " + std::to_string(pos) +
                             " runs past the end of the section");
      break;
    }
    ++out.fatbins;
    const std::uint64_t end = pos + header + fatbin_size;
    std::uint64_t e = pos + header;
    bool failed = false;
    while (e < end) {
      if (end - e < k_entry_min) {
        out.problems.push_back("entry at offset " + std::to_string(e) + " is truncated");
        break;
      }
      std::uint16_t kind = 0;
      std::uint32_t entry_header = 0;
      std::uint64_t payload = 0;
      std::uint32_t sm = 0;
      if (!bytes.load(e, kind) || !bytes.load(e + 4, entry_header) ||
          !bytes.load(e + 8, payload) || !bytes.load(e + 28, sm)) {
        unreadable(e);
        failed = true;
        break;
      }
      if (entry_header < k_entry_min || entry_header > end - e ||
          payload > end - e - entry_header) {
        out.problems.push_back("entry at offset " + std::to_string(e) +
                               " runs past the end of its fatbin");
        break;
      }
      std::uint64_t flags = 0;
      if (entry_header >= 48 && !bytes.load(e + 40, flags)) {
        unreadable(e);
        failed = true;
        break;
      }
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
      e += entry_header + payload;
    }
    if (failed) {
      break;
    }
    // The next fatbin starts at the next 8-aligned offset.
    pos = (end + 7) & ~std::uint64_t{7};
  }
  out.sass.assign(sass.begin(), sass.end());
  out.ptx.assign(ptx.begin(), ptx.end());
  return out;
}

}  // namespace mlstack::elf
