// SPDX-License-Identifier: MIT
#include "mlstack/facts/build_facts_json.hpp"

#include <nlohmann/json.hpp>

namespace mlstack::facts {
namespace {

nlohmann::ordered_json sourced(const Sourced& s) {
  return nlohmann::ordered_json{{"value", s.value}, {"source", s.source}};
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
  return out;
}

}  // namespace mlstack::facts
