// SPDX-License-Identifier: MIT
#include "mlstack/report/findings_view.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "mlstack/report/text_layout.hpp"

namespace mlstack::report {
namespace {

std::string_view first_subject(const rules::Finding& f) {
  return f.subjects.empty() ? std::string_view() : std::string_view(f.subjects[0]);
}

}  // namespace

std::vector<FindingGroup> group_findings(const std::vector<rules::Finding>& findings) {
  // A finding that shares its subject key with another is grouped by subject; the others by
  // fix.
  using Key =
      std::tuple<std::string_view, rules::Severity, std::string_view, std::string_view, bool>;
  const auto subject_key = [](const rules::Finding& f) {
    return Key{f.id, f.severity, f.why, first_subject(f), true};
  };
  std::map<Key, int> per_subject;
  for (const rules::Finding& f : findings) {
    ++per_subject[subject_key(f)];
  }
  std::vector<FindingGroup> groups;
  std::map<Key, std::size_t> index;
  for (const rules::Finding& f : findings) {
    Key key = subject_key(f);
    if (per_subject[key] == 1) {
      key = Key{f.id, f.severity, f.why, f.fix, false};
    }
    const auto [it, added] = index.emplace(key, groups.size());
    if (added) {
      groups.emplace_back();
    }
    groups[it->second].members.push_back(&f);
  }
  return groups;
}

std::string group_fix(const FindingGroup& g) {
  const std::string& first = g.members.front()->fix;
  if (std::all_of(g.members.begin(), g.members.end(),
                  [&first](const auto* f) { return f->fix == first; })) {
    return first;
  }
  std::vector<PipInstall> installs;
  for (const rules::Finding* f : g.members) {
    auto in = parse_pip_install(f->fix);
    if (!in) {
      return {};
    }
    installs.push_back(std::move(*in));
  }
  const std::vector<PipInstall> merged = merge_installs(installs);
  if (merged.size() != 1) {
    return {};
  }
  return fmt::format("{}", fmt::join(command_words(merged.front()), " "));
}

std::vector<std::string_view> shared_evidence(const FindingGroup& g) {
  std::vector<std::string_view> shared;
  for (const std::string& e : g.members.front()->evidence) {
    const bool everywhere = std::all_of(g.members.begin(), g.members.end(), [&e](const auto* f) {
      return std::find(f->evidence.begin(), f->evidence.end(), e) != f->evidence.end();
    });
    if (everywhere && std::find(shared.begin(), shared.end(), e) == shared.end()) {
      shared.push_back(e);
    }
  }
  return shared;
}

MergedFix merged_fix(const std::vector<rules::Finding>& findings) {
  std::vector<PipInstall> installs;
  for (const rules::Finding& f : findings) {
    if (auto in = parse_pip_install(f.fix)) {
      installs.push_back(std::move(*in));
    }
  }
  MergedFix out;
  out.installs = installs.size();
  if (!installs.empty()) {
    out.commands = merged_commands(installs);
  }
  return out;
}

}  // namespace mlstack::report
