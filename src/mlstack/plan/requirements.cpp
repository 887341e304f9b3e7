// SPDX-License-Identifier: MIT
// The pins the frameworks share and each variant's requirements.
#include "mlstack/plan/steps.hpp"
#include "mlstack/plan/versions.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace mlstack::plan::detail {

std::string kb_ref(const kb::Entry& e) {
  std::string out = e.source;
  if (!e.grade.empty()) {
    out += " (grade " + e.grade + ")";
  }
  return out;
}

std::vector<SharedPin> plan_pins(const spec::Spec& spec,
                                 const std::vector<FrameworkChoice>& choices,
                                 const std::vector<std::vector<const kb::Pin*>>& pins,
                                 std::vector<Collision>& collisions) {
  std::vector<std::string> packages;  // in order of first mention
  for (const auto& list : pins) {
    for (const kb::Pin* p : list) {
      if (std::find(packages.begin(), packages.end(), p->package) == packages.end()) {
        packages.push_back(p->package);
      }
    }
  }
  std::vector<SharedPin> out;
  for (const std::string& package : packages) {
    SharedPin shared{package, {}, {}};
    std::vector<const pep440::SpecifierSet*> sets;
    std::vector<std::string> constraints;
    for (std::size_t i = 0; i < choices.size() && i < pins.size(); ++i) {
      bool any = false;
      for (const kb::Pin* p : pins[i]) {
        if (p->package != package) {
          continue;
        }
        any = true;
        sets.push_back(&p->required);
        const std::string req = package + p->required.to_string();
        shared.reasons.push_back(
            {choices[i].framework + " " + p->versions.to_string() + " " +
                 (p->declared ? "declares " + req : "needs " + req + " (not declared)") + ": " +
                 p->why,
             kb_ref(p->entry), p->entry.id});
        constraints.push_back(choices[i].framework + " " + p->versions.to_string() + ": " + req +
                              " (" + p->entry.id + ")");
      }
      if (!any) {
        shared.reasons.push_back({choices[i].requirement + ": no requirement on " + package +
                                      " in the knowledge base",
                                  {}, {}});
      }
    }
    const pep440::SpecifierSet both = intersect(sets);
    if (!satisfiable(both)) {
      collisions.push_back({"no " + package + " release satisfies every framework of " + spec.file,
                            std::move(constraints)});
      continue;
    }
    shared.requirement = package + both.to_string();
    out.push_back(std::move(shared));
  }
  return out;
}

std::vector<VariantPlan> plan_variants(const spec::Spec& spec,
                                       const std::vector<FrameworkChoice>& choices,
                                       const std::vector<std::vector<const kb::Pin*>>& pins) {
  // The pins are the same in every variant (the base image carries them; variants build on it).
  std::vector<const kb::Pin*> all;
  for (const auto& list : pins) {
    all.insert(all.end(), list.begin(), list.end());
  }
  std::vector<std::string> packages;
  for (const kb::Pin* p : all) {
    if (std::find(packages.begin(), packages.end(), p->package) == packages.end()) {
      packages.push_back(p->package);
    }
  }
  std::vector<Requirement> pin_requirements;
  for (const std::string& package : packages) {
    std::vector<const pep440::SpecifierSet*> sets;
    for (const kb::Pin* p : all) {
      if (p->package == package) {
        sets.push_back(&p->required);
      }
    }
    pin_requirements.push_back({package + intersect(sets).to_string(), {}, "pin"});
  }
  std::vector<VariantPlan> out;
  for (const spec::Variant& v : spec.variants) {
    VariantPlan plan{v.name, v.frameworks, {}};
    for (const std::string& fw : v.frameworks) {
      for (const FrameworkChoice& c : choices) {
        if (c.framework == fw) {
          plan.requirements.push_back({c.requirement, c.index_url, "framework"});
        }
      }
    }
    plan.requirements.insert(plan.requirements.end(), pin_requirements.begin(),
                             pin_requirements.end());
    for (const pep508::Requirement& r : spec.packages) {
      plan.requirements.push_back({r.to_string(), {}, "package"});
    }
    for (const pep508::Requirement& r : v.packages) {
      plan.requirements.push_back({r.to_string(), {}, "package"});
    }
    out.push_back(std::move(plan));
  }
  return out;
}

}  // namespace mlstack::plan::detail
