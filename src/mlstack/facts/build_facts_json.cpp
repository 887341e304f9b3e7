// SPDX-License-Identifier: MIT
#include "mlstack/facts/build_facts_json.hpp"

#include <nlohmann/json.hpp>

namespace mlstack::facts {
namespace {

nlohmann::ordered_json sourced(const Sourced& s) {
  return nlohmann::ordered_json{{"value", s.value}, {"source", s.source}};
}

nlohmann::ordered_json gpu_code(const std::vector<GpuCode>& codes) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const GpuCode& c : codes) {
    out.push_back({{"path", c.path},
                   {"sass", c.sass},
                   {"ptx", c.ptx},
                   {"sass_entries", c.sass_entries},
                   {"ptx_entries", c.ptx_entries}});
  }
  return out;
}

nlohmann::ordered_json library_uses(const std::vector<LibraryUse>& uses) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const LibraryUse& u : uses) {
    out.push_back({{"library", u.library},
                   {"major", u.major},
                   {"need", sourced(u.need)},
                   {"soname", u.soname},
                   {"linked_by", u.linked_by},
                   {"how", u.how},
                   {"path", u.path},
                   {"version", sourced(u.version)},
                   {"package", u.package},
                   {"cuda_major", sourced(u.cuda_major)},
                   {"users", u.users},
                   {"fix", u.fix}});
  }
  return out;
}

}  // namespace

nlohmann::ordered_json frameworks_to_json(const BuildFacts& facts) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const FrameworkBuild& f : facts.frameworks) {
    out.push_back({{"name", f.name},
                   {"distribution", f.distribution},
                   {"version", f.version},
                   {"cuda", sourced(f.cuda)},
                   {"cudnn", sourced(f.cudnn)},
                   {"nccl", sourced(f.nccl)},
                   {"gpu_build", f.gpu_build},
                   {"archs", f.archs},
                   {"archs_source", f.archs_source},
                   {"gpu_code", gpu_code(f.gpu_code)},
                   {"linked", f.linked},
                   {"linked_by", f.linked_by},
                   {"libraries", library_uses(f.libraries)},
                   {"libraries_fix", f.libraries_fix},
                   {"cuda_install", f.cuda_install},
                   {"cuda_packages", f.cuda_packages},
                   {"evidence", f.evidence}});
  }
  return out;
}

nlohmann::ordered_json cuda_libraries_to_json(const BuildFacts& facts) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const CudaLibrary& l : facts.cuda_libraries) {
    out.push_back({{"name", l.name},
                   {"version", l.version},
                   {"version_source", l.version_source},
                   {"path", l.path},
                   {"origin", l.origin},
                   {"package", l.package}});
  }
  for (const CudaLibrary& l : facts.compat_libcuda) {
    out.push_back({{"name", l.name},
                   {"version", l.version},
                   {"version_source", l.version_source},
                   {"path", l.path},
                   {"origin", "cuda-compat (" + l.found_via + ")"},
                   {"package", l.package}});
  }
  return out;
}

}  // namespace mlstack::facts
