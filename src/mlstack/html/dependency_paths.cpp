// SPDX-License-Identifier: MIT
#include "mlstack/html/html.hpp"

#include <algorithm>
#include <iterator>
#include <map>

#include "mlstack/pep440/specifier.hpp"
#include "mlstack/pep508/requirement.hpp"

namespace mlstack::html {
namespace {

// The distribution a package finding is about: the required one of a requirement finding
// (`subjects` = requirer, required[, extra]), else its first subject.
std::string focus(const rules::Finding& f) {
  const bool requirement = f.id == "PKG-MISSING" || f.id == "PKG-CONFLICT" ||
                           f.id == "PKG-EXTRA-MISSING" || f.id == "PKG-EXTRA-CONFLICT";
  if (requirement && f.subjects.size() >= 2) {
    return f.subjects[1];
  }
  return f.subjects.empty() ? std::string() : f.subjects[0];
}

struct Graph {
  std::map<std::string, const report::DistRow*> by_name;
  // Every edge, by requirer, in the order of the distributions and their requirements.
  std::vector<Edge> edges;
};

Graph graph(const report::Report& report) {
  Graph g;
  for (const report::DistRow& d : report.distributions) {
    g.by_name.emplace(d.name, &d);  // the first of a name is the one installed
  }
  for (const report::DistRow& d : report.distributions) {
    if (g.by_name[d.name] != &d) {
      continue;
    }
    for (const std::string& text : d.depends) {
      auto r = pep508::Requirement::parse(text);
      if (!r) {
        continue;
      }
      Edge e;
      e.from = d.name;
      e.from_version = d.version;
      e.requirement = text;
      e.to = r->package_name().str();
      const auto it = g.by_name.find(e.to);
      if (it != g.by_name.end()) {
        e.to_version = it->second->version;
        e.satisfied = r->url().has_value() ||
                      r->specifier().contains(e.to_version, pep440::Prereleases::allow);
      }
      g.edges.push_back(std::move(e));
    }
  }
  return g;
}

}  // namespace

std::vector<DependencyPath> dependency_paths(const report::Report& report) {
  std::vector<DependencyPath> paths;
  const Graph g = graph(report);
  for (const rules::Finding& f : report.findings) {
    if (!f.id.starts_with("PKG-") || f.id == "PKG-PATH-UNREADABLE") {
      continue;
    }
    const std::string name = focus(f);
    if (name.empty()) {
      continue;
    }
    auto it = std::find_if(paths.begin(), paths.end(),
                           [&name](const DependencyPath& p) { return p.name == name; });
    if (it == paths.end()) {
      DependencyPath p;
      p.name = name;
      if (const auto d = g.by_name.find(name); d != g.by_name.end()) {
        p.version = d->second->version;
      }
      for (const Edge& e : g.edges) {
        if (e.to == name) {
          p.required_by.push_back(e);
        }
        if (e.from == name) {
          p.requires_.push_back(e);
        }
      }
      for (const Edge& up : p.required_by) {
        if (std::any_of(p.requirers_of.begin(), p.requirers_of.end(),
                        [&up](const auto& r) { return r.first == up.from; })) {
          continue;
        }
        std::vector<std::string> above;
        for (const Edge& e : g.edges) {
          if (e.to == up.from && std::find(above.begin(), above.end(), e.from) == above.end()) {
            above.push_back(e.from);
          }
        }
        p.requirers_of.emplace_back(up.from, std::move(above));
      }
      paths.push_back(std::move(p));
      it = std::prev(paths.end());
    }
    if (std::find(it->finding_ids.begin(), it->finding_ids.end(), f.id) == it->finding_ids.end()) {
      it->finding_ids.push_back(f.id);
    }
  }
  // A path with nothing around it (an unreadable distribution nothing requires) says nothing.
  std::erase_if(
      paths, [](const DependencyPath& p) { return p.required_by.empty() && p.requires_.empty(); });
  return paths;
}

}  // namespace mlstack::html
