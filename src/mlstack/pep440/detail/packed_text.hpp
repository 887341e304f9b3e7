// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/assert.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace mlstack::pep440::detail {

/// A string in 16 bytes with one byte left for its owner: up to 14 bytes inline (most version
/// texts: `2.1.0`, `0.5.3.post1`), longer ones on the heap. A `Specifier` keeps its operator and
/// flags in the spare byte, so a set of a million specifiers takes 16 MB (a `std::string` and
/// the flags took 40).
class PackedText {
 public:
  PackedText() noexcept = default;
  explicit PackedText(std::string_view text) { assign(text); }
  PackedText(const PackedText& other) {
    m_bytes[k_spare_byte] = other.m_bytes[k_spare_byte];
    assign(other.view());
  }
  PackedText(PackedText&& other) noexcept {
    std::memcpy(m_bytes, other.m_bytes, sizeof m_bytes);
    other.m_bytes[k_size_byte] = 0;  // `other` no longer owns the heap copy
  }
  PackedText& operator=(const PackedText& other) {
    if (this != &other) {
      PackedText copy(other);
      *this = static_cast<PackedText&&>(copy);
    }
    return *this;
  }
  PackedText& operator=(PackedText&& other) noexcept {
    if (this != &other) {
      release();
      std::memcpy(m_bytes, other.m_bytes, sizeof m_bytes);
      other.m_bytes[k_size_byte] = 0;
    }
    return *this;
  }
  ~PackedText() { release(); }

  [[nodiscard]] std::string_view view() const noexcept {
    if (!on_heap()) {
      return {m_bytes, static_cast<unsigned char>(m_bytes[k_size_byte])};
    }
    return {heap_pointer(), heap_size()};
  }
  /// The byte this class leaves to its owner (kept by copies and moves).
  [[nodiscard]] std::uint8_t spare() const noexcept {
    return static_cast<std::uint8_t>(m_bytes[k_spare_byte]);
  }
  void set_spare(std::uint8_t value) noexcept { m_bytes[k_spare_byte] = static_cast<char>(value); }

 private:
  static constexpr std::size_t k_inline = 14;
  static constexpr std::size_t k_size_byte = 14;   // inline size, or k_heap
  static constexpr std::size_t k_spare_byte = 15;  // the owner's
  static constexpr char k_heap = static_cast<char>(0xFF);

  [[nodiscard]] bool on_heap() const noexcept { return m_bytes[k_size_byte] == k_heap; }
  [[nodiscard]] char* heap_pointer() const noexcept {
    char* p = nullptr;
    std::memcpy(&p, m_bytes, sizeof p);
    return p;
  }
  [[nodiscard]] std::uint32_t heap_size() const noexcept {
    std::uint32_t n = 0;
    std::memcpy(&n, m_bytes + sizeof(char*), sizeof n);
    return n;
  }
  void assign(std::string_view text) {
    if (text.size() <= k_inline) {
      std::memcpy(m_bytes, text.data(), text.size());
      m_bytes[k_size_byte] = static_cast<char>(text.size());
      return;
    }
    // A specifier is one field of one line of a metadata file: the readers cap files far
    // below 4 GiB, so the size is kept in 32 bits.
    MLSTACK_ASSERT(text.size() <= UINT32_MAX);
    auto size = static_cast<std::uint32_t>(text.size());
    char* p = new char[size];
    std::memcpy(p, text.data(), size);
    std::memcpy(m_bytes, &p, sizeof p);
    std::memcpy(m_bytes + sizeof p, &size, sizeof size);
    m_bytes[k_size_byte] = k_heap;
  }
  void release() noexcept {
    if (on_heap()) {
      delete[] heap_pointer();
    }
    m_bytes[k_size_byte] = 0;
  }

  alignas(8) char m_bytes[16] = {};
};

static_assert(sizeof(PackedText) == 16);

}  // namespace mlstack::pep440::detail
