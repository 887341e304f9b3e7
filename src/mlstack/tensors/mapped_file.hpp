// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/tensors/tensor.hpp"

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace mlstack::tensors {

/// A regular file mapped read-only (`MAP_PRIVATE`, `PROT_READ`): the tensors' views point into
/// it, so reading a tensor costs page faults on the bytes a comparison touches, not a copy.
/// An empty file has an empty span and no mapping.
class MappedFile final : public Storage {
 public:
  /// Maps `path`; a missing file, a directory, a FIFO or device (refused without opening it
  /// blocking) or a failed mmap is an error naming `path`.
  [[nodiscard]] static Result<std::shared_ptr<const MappedFile>> open(const std::string& path);

  ~MappedFile() override;
  MappedFile(void* base, std::size_t size) noexcept : m_base(base), m_size(size) {}

  [[nodiscard]] std::span<const std::byte> bytes() const noexcept {
    return {static_cast<const std::byte*>(m_base), m_size};
  }

 private:
  void* m_base = nullptr;
  std::size_t m_size = 0;
};

}  // namespace mlstack::tensors
