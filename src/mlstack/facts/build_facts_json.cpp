// SPDX-License-Identifier: MIT
#include "mlstack/facts/build_facts_json.hpp"

#include <nlohmann/json.hpp>

#include "mlstack/facts/detail/json_values.hpp"

namespace mlstack::facts {
namespace {

using nlohmann::ordered_json;
using detail::sourced;
using detail::string_or_null;

// The compiled architectures: a list when read (empty when the build says it has none, as
// CuPy, which compiles at run time), `null` when unknown (a CPU build, an unreadable binary).
ordered_json archs(const FrameworkBuild& f) {
  if (f.archs.empty() && f.archs_source.empty()) {
    return nullptr;
  }
  return f.archs;
}

ordered_json gpu_code(const std::vector<GpuCode>& codes) {
  ordered_json out = ordered_json::array();
  for (const GpuCode& c : codes) {
    out.push_back({{"path", c.path},
                   {"sass", c.sass},
                   {"ptx", c.ptx},
                   {"sass_entries", c.sass_entries},
                   {"ptx_entries", c.ptx_entries}});
  }
  return out;
}

ordered_json library_uses(const std::vector<LibraryUse>& uses) {
  ordered_json out = ordered_json::array();
  for (const LibraryUse& u : uses) {
    out.push_back({{"library", u.library},
                   {"major", string_or_null(u.major)},
                   {"need", sourced(u.need)},
                   {"soname", string_or_null(u.soname)},
                   {"linked_by", string_or_null(u.linked_by)},
                   {"how", u.how},
                   {"path", string_or_null(u.path)},
                   {"version", sourced(u.version)},
                   {"package", string_or_null(u.package)},
                   {"cuda_major", sourced(u.cuda_major)},
                   {"users", u.users},
                   {"fix", string_or_null(u.fix)}});
  }
  return out;
}

}  // namespace

ordered_json frameworks_to_json(const BuildFacts& facts) {
  ordered_json out = ordered_json::array();
  for (const FrameworkBuild& f : facts.frameworks) {
    std::vector<std::string> distributions = f.distributions;
    if (distributions.empty() && !f.distribution.empty()) {
      distributions.push_back(f.distribution);
    }
    out.push_back({{"name", f.name},
                   {"distributions", distributions},
                   {"version", string_or_null(f.version)},
                   {"cuda", sourced(f.cuda)},
                   {"cudnn", sourced(f.cudnn)},
                   {"nccl", sourced(f.nccl)},
                   {"gpu_build", f.gpu_build},
                   {"archs", archs(f)},
                   {"archs_source", string_or_null(f.archs_source)},
                   {"gpu_code", gpu_code(f.gpu_code)},
                   {"linked", f.linked_by.empty() ? ordered_json(nullptr) : ordered_json(f.linked)},
                   {"linked_by", string_or_null(f.linked_by)},
                   {"libraries", library_uses(f.libraries)},
                   {"libraries_fix", string_or_null(f.libraries_fix)},
                   {"cuda_install", string_or_null(f.cuda_install)},
                   {"cuda_packages", f.cuda_packages},
                   {"evidence", f.evidence}});
  }
  return out;
}

ordered_json cuda_libraries_to_json(const BuildFacts& facts) {
  ordered_json out = ordered_json::array();
  for (const CudaLibrary& l : facts.cuda_libraries) {
    out.push_back({{"name", l.name},
                   {"version", string_or_null(l.version)},
                   {"version_source", string_or_null(l.version_source)},
                   {"path", l.path},
                   {"origin", l.origin},
                   {"package", string_or_null(l.package)}});
  }
  for (const CudaLibrary& l : facts.compat_libcuda) {
    out.push_back({{"name", l.name},
                   {"version", string_or_null(l.version)},
                   {"version_source", string_or_null(l.version_source)},
                   {"path", l.path},
                   {"origin", "cuda-compat (" + l.found_via + ")"},
                   {"package", string_or_null(l.package)}});
  }
  return out;
}

}  // namespace mlstack::facts
