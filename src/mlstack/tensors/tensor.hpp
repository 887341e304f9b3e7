// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// Tensors as the files that frameworks write describe them: a name, an element type, a shape,
/// a byte order and a view over the bytes. The bytes are never converted or copied by the
/// readers when the file stores them as they are (`.npy`, stored `.npz` members,
/// `.safetensors`): the view points into a read-only mapping of the file, which `TensorFile`
/// keeps alive. Comparison kernels read the view in contiguous blocks, one kernel per dtype.
namespace mlstack::tensors {

/// Element types the readers accept. Each maps to one numpy dtype (`bf16` to ml_dtypes'
/// `bfloat16`, which numpy stores as raw `V2` in `.npy`); complex, string, object and 8-bit
/// float types are refused as `ErrorCode::unsupported`.
enum class DType : std::uint8_t { f64, f32, f16, bf16, i8, i16, i32, i64, u8, u16, u32, u64, boolean };

/// numpy's name: `float32`, `bfloat16`, `bool`, ...
[[nodiscard]] std::string_view dtype_name(DType t) noexcept;
/// Bytes of one element (1 for `boolean`).
[[nodiscard]] std::size_t dtype_size(DType t) noexcept;
[[nodiscard]] bool is_floating(DType t) noexcept;
[[nodiscard]] bool is_signed_integer(DType t) noexcept;

enum class ByteOrder : std::uint8_t { little, big };

/// The order of the elements in the bytes: row-major (C, the last index varies fastest) or
/// column-major (Fortran, the first index varies fastest; only `.npy` stores it).
enum class Layout : std::uint8_t { c, fortran };

/// One tensor. `data` holds exactly `element_count * dtype_size(dtype)` bytes; it is not
/// aligned to the element size (safetensors and npz members may start at any byte).
struct TensorView {
  std::string name;
  DType dtype = DType::f32;
  ByteOrder byte_order = ByteOrder::little;
  Layout layout = Layout::c;
  std::vector<std::uint64_t> shape;  // empty for a 0-d (scalar) tensor
  std::uint64_t element_count = 1;
  std::span<const std::byte> data;
};

/// Keeps the bytes views point at alive (a file mapping, or a buffer an inflated or decoded
/// tensor was written to).
class Storage {
 public:
  virtual ~Storage() = default;
  Storage() = default;
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  Storage(Storage&&) = delete;
  Storage& operator=(Storage&&) = delete;
};

/// A buffer the reader owns (an inflated `.npz` member, an ONNX tensor's decoded data).
// The buffer is not zeroed: the reader writes every byte before a view sees it.
class OwnedStorage final : public Storage {
 public:
  explicit OwnedStorage(std::size_t size)
      : m_bytes(std::make_unique_for_overwrite<std::byte[]>(size)), m_size(size) {}
  [[nodiscard]] std::span<std::byte> bytes() noexcept { return {m_bytes.get(), m_size}; }

 private:
  std::unique_ptr<std::byte[]> m_bytes;
  std::size_t m_size = 0;
};

/// The tensors of one file or folder, in the order the file lists them (npz: archive order;
/// safetensors: by data offset, the order they were written; ONNX test data: `output_0`, ...).
struct TensorFile {
  std::string path;
  std::vector<TensorView> tensors;
  std::vector<std::shared_ptr<const Storage>> storage;

  [[nodiscard]] const TensorView* find(std::string_view name) const noexcept;
};

/// The product of `shape`, or nullopt when it overflows 64 bits or its bytes (`item_size`
/// each) do.
[[nodiscard]] std::optional<std::uint64_t> element_count(std::span<const std::uint64_t> shape,
                                                         std::size_t item_size) noexcept;

/// `(2, 3)` as numpy prints a shape (`()` for 0-d, `(5,)` for 1-d).
[[nodiscard]] std::string format_shape(std::span<const std::uint64_t> shape);

/// An error about `tensor` in `path`: the context reads `path: tensor `name`` (or only the
/// path when the name is empty).
[[nodiscard]] Error tensor_error(ErrorCode code, std::string message, std::string_view path,
                                 std::string_view tensor);

}  // namespace mlstack::tensors
