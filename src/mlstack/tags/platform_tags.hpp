// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/python_facts.hpp"

#include <string>
#include <string_view>
#include <vector>

/// Platform tags, best first, as packaging.tags (26.3) derives them. Each function takes
/// explicitly what packaging reads from the running interpreter, so any machine can be modelled.
namespace mlstack::tags {

/// packaging's `_normalize_string`: `.`, `-` and ` ` become `_` (`linux-x86_64` → `linux_x86_64`).
[[nodiscard]] std::string normalize_platform(std::string_view platform);

/// packaging.tags.platform_tags() for the interpreter the facts describe, dispatched on
/// `facts.system` (`Darwin`, `iOS`, `Android`, `Linux`, `Emscripten`, else the normalized
/// `sysconfig.get_platform()`, which covers Windows).
[[nodiscard]] std::vector<std::string> platform_tags(const facts::TagFacts& facts);

/// `linux_<arch>`, then manylinux, then musllinux tags (packaging.tags._linux_platforms).
/// A `platform` that does not start with `linux-` yields itself, normalized.
[[nodiscard]] std::vector<std::string> linux_platforms(const facts::TagFacts& facts);

/// `manylinux_<glibc major>_<minor>_<arch>` from `facts.glibc_version` down to 2.17 (2.5 on
/// x86), each followed by its legacy alias (`manylinux2014_`, `manylinux2010_`, `manylinux1_`)
/// (packaging._manylinux.platform_tags). `archs` are the names after `linux_`, closest first.
[[nodiscard]] std::vector<std::string> manylinux_platforms(const std::vector<std::string>& archs,
                                                           const facts::TagFacts& facts);

/// `musllinux_<major>_<minor>_<arch>` from `facts.musl_version` down to minor 0, or nothing
/// when the interpreter is not linked against musl (packaging._musllinux.platform_tags).
[[nodiscard]] std::vector<std::string> musllinux_platforms(const std::vector<std::string>& archs,
                                                           const facts::TagFacts& facts);

/// packaging.tags.mac_platforms((major, minor), arch), such as `macosx_14_0_arm64`.
[[nodiscard]] std::vector<std::string> mac_platforms(int major, int minor, std::string_view arch);

/// packaging.tags.ios_platforms((major, minor), multiarch), such as `ios_17_2_arm64_iphoneos`.
[[nodiscard]] std::vector<std::string> ios_platforms(int major, int minor,
                                                     std::string_view multiarch);

/// packaging.tags.android_platforms(api_level, abi), such as `android_24_arm64_v8a`.
[[nodiscard]] std::vector<std::string> android_platforms(int api_level, std::string_view abi);

}  // namespace mlstack::tags
