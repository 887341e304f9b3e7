// SPDX-License-Identifier: MIT
#include "mlstack/kb/detail/lookups.hpp"

#include "mlstack/kb/detail/gpu_arch.hpp"

#include <optional>

namespace mlstack::kb::detail {
namespace {

std::uint64_t release_part(const pep440::Version& v, std::size_t i) { return v.release_part(i); }

// The row of `framework` that `wanted` accepts: a variant of the installed release first, else
// the newest (by the version its `versions` names; file order between variants).
template <class Wanted>
const FrameworkRelease* installed_or_newest(const Kb& kb, std::string_view framework,
                                            const pep440::Version* installed, Wanted wanted) {
  const FrameworkRelease* best = nullptr;
  std::optional<pep440::Version> best_version;
  for (const FrameworkRelease& r : kb.releases) {
    if (r.framework != framework || !wanted(r)) {
      continue;
    }
    if (installed != nullptr && r.versions.contains(*installed, pep440::Prereleases::allow)) {
      return &r;
    }
    std::optional<pep440::Version> v;
    if (!r.versions.specifiers().empty()) {
      v = r.versions.specifiers().front().version();
    }
    if (best == nullptr || (v && (!best_version || *best_version < *v))) {
      best = &r;
      best_version = v;
    }
  }
  return best;
}

}  // namespace

const FrameworkRelease* release_covering(const Kb& kb, std::string_view framework,
                                         const pep440::Version* installed, std::uint64_t major,
                                         std::uint64_t minor, ArchCover cover) {
  return installed_or_newest(kb, framework, installed, [&](const FrameworkRelease& r) {
    return has_sass(r.archs, major, minor) ||
           (cover == ArchCover::sass_or_ptx && has_ptx(r.archs, major, minor));
  });
}

const FrameworkRelease* release_for_cuda(const Kb& kb, std::string_view framework,
                                         const pep440::Version* installed,
                                         std::uint64_t cuda_major) {
  return installed_or_newest(kb, framework, installed, [&](const FrameworkRelease& r) {
    const auto cuda = pep440::Version::parse(r.cuda.substr(0, r.cuda.find('.')));
    return cuda && release_part(*cuda, 0) == cuda_major;
  });
}

std::string release_requirement(const FrameworkRelease& r) {
  std::string out = r.framework + r.versions.to_string();
  std::string where = r.variant;
  if (!r.index_url.empty()) {
    where += (where.empty() ? "" : ", ") + r.index_url;
  }
  return where.empty() ? out : out + " (" + where + ")";
}

const ToolkitDriver* toolkit_row(const Kb& kb, const pep440::Version& cuda) {
  const ToolkitDriver* best = nullptr;
  const ToolkitDriver* first_of_minor = nullptr;
  for (const ToolkitDriver& row : kb.toolkits) {
    if (release_part(row.toolkit.version, 0) != release_part(cuda, 0) ||
        release_part(row.toolkit.version, 1) != release_part(cuda, 1)) {
      continue;
    }
    if (first_of_minor == nullptr || row.toolkit.version < first_of_minor->toolkit.version) {
      first_of_minor = &row;
    }
    if (row.toolkit.version <= cuda &&
        (best == nullptr || best->toolkit.version < row.toolkit.version)) {
      best = &row;
    }
  }
  return best != nullptr ? best : first_of_minor;
}

}  // namespace mlstack::kb::detail
