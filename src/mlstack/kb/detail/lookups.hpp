// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/kb/kb.hpp"
#include "mlstack/pep440/version.hpp"

#include <cstdint>
#include <string>
#include <string_view>

/// Lookups in the knowledge base's tables that rule-language functions answer (pure).
namespace mlstack::kb::detail {

/// What a frameworks.toml release must hold for a compute capability.
enum class ArchCover {
  sass_or_ptx,  // machine code or PTX the driver can JIT-compile: the build runs
  sass,         // machine code only: the build runs without JIT compilation at start-up
};

/// A `[[release]]` of `framework` whose `archs` cover compute capability `major.minor` as
/// `cover` says: another variant of the installed release (`installed` in its `versions`)
/// when one covers it, else the newest (by the version its `versions` names; between
/// variants of one release, the first in file order). Null when none does.
[[nodiscard]] const FrameworkRelease* release_covering(const Kb& kb, std::string_view framework,
                                                       const pep440::Version* installed,
                                                       std::uint64_t major, std::uint64_t minor,
                                                       ArchCover cover);

/// A `[[release]]` of `framework` built for CUDA `cuda_major` (its `cuda` major): a variant of
/// the installed release when there is one, else the newest. Null when none is.
[[nodiscard]] const FrameworkRelease* release_for_cuda(const Kb& kb, std::string_view framework,
                                                       const pep440::Version* installed,
                                                       std::uint64_t cuda_major);

/// The requirement that installs `r`, with where it is served from:
/// `torch==2.15.* (cu126, https://download.pytorch.org/whl/cu126)`.
[[nodiscard]] std::string release_requirement(const FrameworkRelease& r);

/// The cuda.toml row for toolkit `cuda`: the newest update at or below it of the same
/// major.minor, else that minor's oldest row (`12.4` finds `12.4.0`, `12.4.1.5` finds
/// `12.4.1`). Null when the minor has no row.
[[nodiscard]] const ToolkitDriver* toolkit_row(const Kb& kb, const pep440::Version& cuda);

}  // namespace mlstack::kb::detail
