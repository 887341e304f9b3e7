// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"

#include <compare>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::tags {

/// One wheel compatibility tag (PEP 425), such as `cp311-abi3-manylinux_2_17_x86_64`.
/// The parts are lowercase, as packaging.tags.Tag stores them.
struct Tag {
  std::string interpreter;  // `cp311`, `py3`, `pp310`
  std::string abi;          // `cp311`, `abi3`, `none`
  std::string platform;     // `manylinux_2_17_x86_64`, `win_amd64`, `any`

  /// Lowercases each part, as packaging.tags.Tag's constructor does.
  [[nodiscard]] static Tag make(std::string_view interpreter, std::string_view abi,
                                std::string_view platform);

  friend auto operator<=>(const Tag&, const Tag&) = default;
  friend bool operator==(const Tag&, const Tag&) = default;
};

/// `interpreter-abi-platform`, as `str(Tag)`.
[[nodiscard]] std::string to_string(const Tag& tag);

/// Hash over all three parts, for `std::unordered_set<Tag, TagHash>`.
struct TagHash {
  [[nodiscard]] std::size_t operator()(const Tag& tag) const noexcept;
};

/// packaging.tags.parse_tag: one tag or a compressed tag set, such as `py2.py3-none-any`,
/// expanded to the tags it stands for (interpreters × abis × platforms, in that order, without
/// repeats; packaging returns a frozenset).
///
/// Fails, as packaging raises InvalidTag, when a component or a `.`-separated member is empty,
/// when there are not exactly three `-`-separated components, or when an interpreter is not a
/// Python identifier. Non-ASCII bytes count as identifier characters (Python checks Unicode
/// XID classes; wheel tags are ASCII in practice).
///
/// **Example**
/// ```
/// parse_tag("py2.py3-none-any")  // {py2-none-any, py3-none-any}
/// parse_tag("py3-none")          // error:
///   expected 3 `-`-separated components (interpreter-abi-platform) in wheel tag, found 2
///       py3-none
///       ^^^^^^^^
/// ```
[[nodiscard]] Result<std::vector<Tag>> parse_tag(std::string_view text);

}  // namespace mlstack::tags
