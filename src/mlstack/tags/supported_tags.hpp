// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/tags/tag.hpp"

#include <string>
#include <unordered_set>
#include <vector>

namespace mlstack::tags {

/// The wheel tags an interpreter supports: pip's `compatibility_tags.get_supported()` with no
/// arguments (pip 26.3, packaging 26.3), computed from the interpreter's facts instead of the
/// running process. pip check reports a distribution "not supported on this platform" when no
/// tag of its WHEEL file is in this set.
///
/// The tags are, best first: cpython_tags (CPython: `cp311-cp311-*`, `cp311-abi3-*`,
/// `cp311-none-*`, then `cp310-abi3-*` down to `cp32`) or generic_tags (others:
/// `pp310-pypy310_pp73-*`, `pp310-none-*`), then compatible_tags (`py311-none-*` ... `py30`,
/// `cp311-none-any`, `py311-none-any` ...), over platform_tags() (platform_tags.hpp).
///
/// **Example**
/// ```
/// MLSTACK_TRY_ASSIGN(const auto supported, SupportedTags::from_facts(python.tags));
/// supported.contains(Tag::make("cp311", "abi3", "manylinux_2_17_x86_64"));  // true on glibc 2.36
/// ```
class SupportedTags {
 public:
  /// Fails only where pip would raise: a non-CPython interpreter whose `ext_suffix` does not
  /// start with `.` (packaging's `SystemError`), or an empty `python_version`.
  [[nodiscard]] static Result<SupportedTags> from_facts(const facts::TagFacts& facts);

  /// Whether `tag` (lowercase, as from parse_tag or Tag::make) is supported.
  [[nodiscard]] bool contains(const Tag& tag) const;
  /// Whether any of `tags` is supported; false when `tags` is empty, as
  /// `frozenset().isdisjoint(supported)` makes pip report a WHEEL without `Tag:` lines.
  [[nodiscard]] bool any_supported(const std::vector<Tag>& tags) const;
  /// The tags in packaging's priority order, best first, without repeats (built on demand:
  /// pip check only asks `contains`).
  [[nodiscard]] std::vector<Tag> ordered() const;

  /// `interpreter-abi-*` over every platform tag, or `interpreter-abi-any`: the set is the
  /// union of these groups, in packaging's order. About 40 groups over about 100 platforms
  /// for CPython on Linux, so `contains` compares a few short strings and hashes the platform
  /// once, instead of building and hashing every one of the ~4,000 tags at start-up.
  struct Group {
    std::string interpreter;  // lowercase, as Tag::make stores it
    std::string abi;
    bool any_platform = false;  // the group is the single tag `interpreter-abi-any`
  };

 private:
  SupportedTags(std::vector<Group> groups, std::vector<std::string> platforms);

  std::vector<Group> m_groups;
  std::vector<std::string> m_platforms;  // platform_tags(), lowercase, best first
  std::unordered_set<std::string> m_platform_set;
};

}  // namespace mlstack::tags
