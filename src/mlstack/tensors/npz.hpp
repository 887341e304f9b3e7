// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/tensors/tensor.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

/// numpy's `.npz` (`numpy.savez`, `savez_compressed`): a zip archive of `.npy` members, one per
/// array, named `<key>.npy`. The zip structure (end of central directory, ZIP64 records, the
/// central directory, local headers; PKWARE APPNOTE 6.3.10 sections 4.3 and 4.5.3) is read
/// here; member data is never inflated by hand:
///
/// - a stored member (`savez`) is a view into the mapped file, its CRC-32 checked with zlib;
/// - a deflated member (`savez_compressed`) is inflated by zlib, once, into a buffer of the
///   size the central directory declares; it must inflate to exactly that size and CRC.
///
/// Bounds against zip bombs (`NpzLimits`): the member count, each member's and all members'
/// inflated bytes, the ratio of inflated to compressed bytes (deflate cannot pass 1032:1, so a
/// higher declared ratio is a lie), and members whose bytes overlap (one deflate stream reused
/// by many entries) are refused. Encrypted members and other compression methods are
/// unsupported. As numpy's `NpzFile` does, a member is an array when its bytes start with the
/// `.npy` magic; its key is its name without `.npy`.
namespace mlstack::tensors {

struct NpzLimits {
  std::size_t max_members = 65'536;
  std::uint64_t max_inflated_member = std::uint64_t{4} << 30U;  // one deflated member
  std::uint64_t max_inflated_total = std::uint64_t{8} << 30U;   // all deflated members
  std::uint64_t max_ratio = 1'100;                              // inflated / compressed bytes
};

/// The arrays of the archive in `bytes`; stored members are views into `bytes` (kept alive by
/// `keep`, added to the result's storage), inflated ones own their buffer. Errors name `path`
/// and the member.
[[nodiscard]] Result<TensorFile> parse_npz(std::span<const std::byte> bytes, std::string_view path,
                                           const NpzLimits& limits,
                                           std::shared_ptr<const Storage> keep);

/// A `.npz` file, mapped.
[[nodiscard]] Result<TensorFile> read_npz(const std::string& path, const NpzLimits& limits = {});

}  // namespace mlstack::tensors
