// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mlstack::rootfs {

/// SHA-256 (FIPS 180-4), for the digests that name an image's blobs. Pure.
class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  /// The digest as 64 lowercase hex digits; the object is spent afterwards.
  [[nodiscard]] std::string hex_digest();

 private:
  void block(const std::uint8_t* p);
  std::array<std::uint32_t, 8> m_state{};
  std::array<std::uint8_t, 64> m_buffer{};
  std::size_t m_buffered = 0;
  std::uint64_t m_length = 0;
};

/// `sha256_hex(bytes)`: the hex digest of `bytes`.
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

}  // namespace mlstack::rootfs
