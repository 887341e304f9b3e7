// SPDX-License-Identifier: MIT
#include "mlstack/rules/pip_check.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "mlstack/base/parallel.hpp"
#include "mlstack/base/text.hpp"
#include "mlstack/names/package_name.hpp"
#include "mlstack/tags/supported_tags.hpp"
#include "mlstack/tags/tag.hpp"

namespace mlstack::rules {
namespace {

// pip strips each Requires-Dist value (Python's str.strip(): ASCII whitespace here).
std::string_view strip_requirement(std::string_view raw) { return text::trim(raw); }

// Python's `str()` of the tuples pip sorts by (`sorted(missing_deps, key=str)`).
std::string missing_key(const std::string& name, const pep508::Requirement& req) {
  return fmt::format("({}, <Requirement({})>)", text::python_repr(name),
                     text::python_repr(req.to_string()));
}

std::string conflict_key(const std::string& name, const pep440::Version& version,
                         const pep508::Requirement& req) {
  return fmt::format("({}, <Version({})>, <Requirement({})>)", text::python_repr(name),
                     text::python_repr(version.to_string()), text::python_repr(req.to_string()));
}

// Release segments equal with trailing zeros ignored (packaging's `trim_release`).
bool same_release(const pep440::Version& a, const pep440::Version& b) {
  static const pep440::Number k_zero;
  const auto& x = a.release();
  const auto& y = b.release();
  for (std::size_t i = 0; i < std::max(x.size(), y.size()); ++i) {
    if ((i < x.size() ? x[i] : k_zero) != (i < y.size() ? y[i] : k_zero)) {
      return false;
    }
  }
  return true;
}

// `hash(Requirement)` hashes its canonical specifiers, which parses each version but those of
// `===` and wildcards: a number past Python's `int()` limit raises there.
bool hash_parses_long_version(const pep508::Requirement& req) {
  const auto& specs = req.specifier().specifiers();
  return std::any_of(specs.begin(), specs.end(), [](const pep440::Specifier& s) {
    return s.exceeds_int_limit() && !s.has_wildcard();
  });
}

// Whether packaging's `SpecifierSet.contains(version, prereleases=True)` parses a specifier
// version past Python's `int()` limit (and raises), following its evaluation order: `===` sets
// test the specifiers in order until one fails; others take `_fast_match` per specifier in
// order (`>=`, `<=`, `==`, `!=`, and `<`/`>` outside the version's release family; a failing
// one ends it) unless the version has a local label, then the range path, which parses every
// specifier (it may stop early at an empty intersection: not modelled).
bool contains_raises(const pep440::SpecifierSet& set, const pep440::Version& version) {
  using pep440::Operator;
  if (!set.exceeds_int_limit()) {
    return false;
  }
  const auto& specs = set.specifiers();
  const bool arbitrary = std::any_of(specs.begin(), specs.end(), [](const pep440::Specifier& s) {
    return s.op() == Operator::arbitrary;
  });
  if (arbitrary) {
    for (const pep440::Specifier& s : specs) {
      if (s.exceeds_int_limit()) {
        return true;
      }
      if (!s.contains(version, pep440::Prereleases::allow)) {
        return false;
      }
    }
    return false;
  }
  if (!version.local().empty()) {
    return true;
  }
  for (const pep440::Specifier& s : specs) {
    if (s.has_wildcard() || s.op() == Operator::compatible) {
      return true;  // no fast match: the range path
    }
    if (s.exceeds_int_limit()) {
      return true;
    }
    if (s.op() == Operator::less || s.op() == Operator::greater) {
      const pep440::Version spec = s.version().value();
      if (version.epoch() == spec.epoch() && same_release(version, spec)) {
        return true;  // V's own family: the range path
      }
    }
    if (!s.contains(version, pep440::Prereleases::allow)) {
      return false;
    }
  }
  return false;
}

std::string int_limit_error(const CheckedDist& d, const pep508::Requirement& req) {
  return fmt::format(
      "{}: requirement {}: a version number of more than {} digits (past "
      "Python's int() limit, pip stops with a ValueError)",
      d.dist->info_path, text::python_repr(req.to_string()), pep440::k_python_int_max_str_digits);
}

// `sorted(items, key=str)`; the keys (which hold whole requirements) only when there are two
// or more items to order.
template <class Item, class Key>
void sort_by_key(std::vector<Item>& items, Key key) {
  if (items.size() < 2) {
    return;
  }
  std::vector<std::pair<std::string, std::size_t>> keys;
  keys.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    keys.emplace_back(key(items[i]), i);
  }
  std::stable_sort(keys.begin(), keys.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Item> sorted;
  sorted.reserve(items.size());
  for (const auto& k : keys) {
    sorted.push_back(items[k.second]);
  }
  items = std::move(sorted);
}

// pip's `stdlib_pkgs`, skipped by `iter_installed_distributions()` in check_unsupported.
constexpr std::array<std::string_view, 3> k_stdlib_pkgs = {"python", "wsgiref", "argparse"};

}  // namespace

const CheckedDist* PackageSet::find(const std::string& canonical_name) const {
  const auto it = by_name.find(canonical_name);
  return it == by_name.end() ? nullptr : &dists[it->second];
}

namespace {

// Why a distribution is left out of the package set (see PackageSet::ParseProblem).
struct Exclusion {
  std::string message;
  bool crashes = false;
};

// One distribution's requirements, parsed and marker-evaluated into `checked`, or the
// problem that leaves it out of the package set.
std::unique_ptr<Exclusion> check_dist(const facts::InstalledDist& dist,
                                      const pep508::MarkerEnvironment& env,
                                      CheckedDist& checked) {
  const auto exclude = [](std::string message, bool crashes) {
    return std::make_unique<Exclusion>(Exclusion{std::move(message), crashes});
  };
  if (dist.read_error) {
    return exclude(*dist.read_error, dist.read_error_crashes_pip);
  }
  checked.dist = &dist;
  checked.requirements.reserve(dist.requires_dist.size());
  for (const std::string& raw : dist.requires_dist) {
    auto req = pep508::Requirement::parse(strip_requirement(raw));
    if (!req) {
      // A marker nested past packaging's recursion limit: pip does not catch RecursionError.
      return exclude(pep508::packaging_error_text(req.error()),
                     req.error().code == ErrorCode::limit);
    }
    bool is_active = true;
    if (req->marker()) {
      auto active = req->marker()->try_evaluate(env, "");
      if (!active) {
        return exclude(active.error().message, active.error().code == ErrorCode::not_found);
      }
      is_active = *active;
    }
    if (is_active) {
      checked.active.push_back(checked.requirements.size());
    }
    checked.requirements.push_back(std::move(*req));
  }
  if (!dist.version_text) {
    return exclude("invalid metadata entry `version`", false);
  }
  auto v = pep440::Version::parse(*dist.version_text);
  if (!v) {
    if (v.error().code == ErrorCode::unsupported) {
      // Python's ValueError for a number past int()'s limit.
      return exclude(v.error().message, false);
    }
    return exclude(fmt::format("Invalid version: {}", text::python_repr(*dist.version_text)),
                   false);
  }
  checked.version = std::move(*v);
  return nullptr;
}

// Below this many Requires-Dist strings a second thread costs more than it saves: on the
// 2-core bench VM the real venv (1,185 strings, ~13M instructions of parsing) was not faster
// with two threads (thread start-up and a contended second core), see bench/RESULTS.md.
constexpr std::size_t k_parallel_threshold = 4096;

}  // namespace

PackageSet build_package_set(const facts::Inventory& inventory,
                             const pep508::MarkerEnvironment& env) {
  // Parsing every Requires-Dist is most of check's work after the scan. Each distribution
  // is independent (parsing and evaluation are pure), so they are done on up to 4 threads
  // into a slot per distribution, then admitted in discovery order below: the package set
  // is exactly what one thread builds.
  // The slots become the package set in place (compacted below), so no second copy of
  // every CheckedDist exists at the peak (~8 MB at 50,000 distributions).
  const std::size_t n = inventory.dists.size();
  std::vector<CheckedDist> checked(n);
  std::vector<std::unique_ptr<Exclusion>> excluded(n);
  std::size_t requirements = 0;
  for (const facts::InstalledDist& dist : inventory.dists) {
    requirements += dist.requires_dist.size();
  }
  const std::size_t threads = requirements >= k_parallel_threshold ? default_thread_count() : 1;
  parallel_for(n, threads, [&](std::size_t i) {
    excluded[i] = check_dist(inventory.dists[i], env, checked[i]);
  });

  PackageSet set;
  set.by_name.reserve(n);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const facts::InstalledDist& dist = inventory.dists[i];
    if (excluded[i]) {
      set.problems.push_back({&dist, std::move(excluded[i]->message), excluded[i]->crashes});
      checked[i] = CheckedDist{};
      continue;
    }
    set.by_name.emplace(dist.canonical_name, kept);
    if (kept != i) {
      checked[kept] = std::move(checked[i]);
    }
    ++kept;
  }
  checked.resize(kept);
  set.dists = std::move(checked);
  return set;
}

bool PipCheckResult::healthy(const PackageSet& set) const noexcept {
  return missing.empty() && conflicts.empty() && unsupported.empty() && bad_wheels.empty() &&
         !value_error && set.problems.empty();
}

PipCheckResult pip_check(const PackageSet& set, const facts::Inventory& inventory,
                         const tags::SupportedTags* supported) {
  PipCheckResult result;
  for (std::size_t i = 0; i < set.dists.size(); ++i) {
    const CheckedDist& d = set.dists[i];
    std::vector<PipCheckResult::Missing> missing;
    std::vector<PipCheckResult::Conflict> conflicts;
    for (const std::size_t r : d.active) {
      const pep508::Requirement& req = d.requirements[r];
      const std::string name = req.package_name().str();
      const auto it = set.by_name.find(name);
      if (it == set.by_name.end()) {
        // pip evaluates the marker again with extra "" here; the dependency list already
        // holds only requirements whose marker is true for it.
        if (hash_parses_long_version(req)) {
          result.value_error = int_limit_error(d, req);  // from `missing_deps.add`
          return result;
        }
        const bool seen = std::any_of(missing.begin(), missing.end(), [&](const auto& m) {
          return m.name == name && *m.requirement == req;
        });
        if (!seen) {
          missing.push_back(PipCheckResult::Missing{i, name, &req});
        }
        continue;
      }
      const CheckedDist& installed = set.dists[it->second];
      if (contains_raises(req.specifier(), installed.version)) {
        result.value_error = int_limit_error(d, req);
        return result;
      }
      if (!req.specifier().contains(installed.version, pep440::Prereleases::allow)) {
        if (hash_parses_long_version(req)) {
          result.value_error = int_limit_error(d, req);  // from `conflicting_deps.add`
          return result;
        }
        const bool seen = std::any_of(conflicts.begin(), conflicts.end(), [&](const auto& c) {
          return c.installed == it->second && *c.requirement == req;
        });
        if (!seen) {
          conflicts.push_back(PipCheckResult::Conflict{i, it->second, &req});
        }
      }
    }
    sort_by_key(missing, [](const PipCheckResult::Missing& m) {
      return missing_key(m.name, *m.requirement);
    });
    sort_by_key(conflicts, [&](const PipCheckResult::Conflict& c) {
      return conflict_key(c.requirement->package_name().str(), set.dists[c.installed].version,
                          *c.requirement);
    });
    result.missing.insert(result.missing.end(), missing.begin(), missing.end());
    result.conflicts.insert(result.conflicts.end(), conflicts.begin(), conflicts.end());
  }

  struct TagLine {
    std::optional<std::string> error;  // parse_tag's error, rendered
    bool supported = false;
  };
  std::unordered_map<std::string, TagLine> tag_lines;
  for (const facts::InstalledDist& dist : inventory.dists) {
    if (dist.local && dist.wheel_error) {
      result.bad_wheels.emplace_back(&dist, *dist.wheel_error);  // pip: an uncaught OSError
      continue;
    }
    if (supported == nullptr || !dist.local || !dist.wheel_tags ||
        std::find(k_stdlib_pkgs.begin(), k_stdlib_pkgs.end(), dist.canonical_name) !=
            k_stdlib_pkgs.end()) {
      continue;
    }
    // pip parses every `Tag:` line (the first bad one raises), then asks whether any tag is
    // supported. Environments repeat a handful of lines (`py3-none-any`) thousands of times,
    // so each distinct line is parsed and looked up once.
    bool any = false;
    const std::string* bad = nullptr;
    for (const std::string& t : *dist.wheel_tags) {
      auto [it, inserted] = tag_lines.try_emplace(t);
      if (inserted) {
        if (auto parsed = tags::parse_tag(t)) {
          it->second.supported = supported->any_supported(*parsed);
        } else {
          it->second.error = render(parsed.error());
        }
      }
      if (it->second.error) {
        bad = &*it->second.error;
        break;
      }
      any = any || it->second.supported;
    }
    if (bad != nullptr) {
      result.bad_wheels.emplace_back(&dist, *bad);
      continue;
    }
    if (any) {
      continue;
    }
    std::string version = dist.version_text.value_or("");
    auto v = pep440::Version::parse(version);
    if (v) {
      version = v->to_string();
    }
    result.unsupported.push_back({&dist, std::move(version), v.has_value()});
  }
  return result;
}

std::optional<std::string> pip_crash(const PackageSet& set, const PipCheckResult& result) {
  for (const auto& p : set.problems) {
    if (p.pip_crashes) {
      return fmt::format("{}: {}", p.dist->info_path, p.message);
    }
  }
  if (result.value_error) {
    return result.value_error;
  }
  if (!result.bad_wheels.empty()) {
    return fmt::format("{}/WHEEL: {}", result.bad_wheels.front().first->info_path,
                       result.bad_wheels.front().second);
  }
  for (const auto& u : result.unsupported) {
    if (!u.version_valid) {
      return fmt::format("{}: invalid version {}", u.dist->info_path, text::python_repr(u.version));
    }
  }
  return std::nullopt;
}

std::vector<std::string> pip_check_lines(const PackageSet& set, const PipCheckResult& result) {
  std::vector<std::string> lines;
  // pip stops before printing anything on these three.
  if (result.value_error || !result.bad_wheels.empty() ||
      std::any_of(set.problems.begin(), set.problems.end(),
                  [](const auto& p) { return p.pip_crashes; })) {
    return lines;
  }
  for (const auto& m : result.missing) {
    const CheckedDist& d = set.dists[m.dependent];
    lines.push_back(fmt::format("{} {} requires {}, which is not installed.",
                                d.dist->canonical_name, d.version.to_string(), m.name));
  }
  for (const auto& c : result.conflicts) {
    const CheckedDist& d = set.dists[c.dependent];
    const CheckedDist& have = set.dists[c.installed];
    // Appended rather than formatted: the requirement may hold a million specifiers, and
    // fmt's growing buffer would hold it twice more.
    const std::string requirement = c.requirement->to_string();
    const std::string head = fmt::format("{} {} has requirement ", d.dist->canonical_name,
                                         d.version.to_string());
    const std::string tail = fmt::format(", but you have {} {}.", have.dist->canonical_name,
                                         have.version.to_string());
    std::string line;
    line.reserve(head.size() + requirement.size() + tail.size());
    line += head;
    line += requirement;
    line += tail;
    lines.push_back(std::move(line));
  }
  for (const auto& u : result.unsupported) {
    if (!u.version_valid) {
      return lines;  // pip's traceback comes here
    }
    lines.push_back(
        fmt::format("{} {} is not supported on this platform", u.dist->raw_name, u.version));
  }
  if (result.healthy(set)) {
    lines.emplace_back("No broken requirements found.");
  }
  return lines;
}

std::vector<std::string> pip_check_warnings(const PackageSet& set,
                                            const facts::Inventory& inventory) {
  std::vector<std::string> out;
  for (const std::string& s : inventory.skipped) {
    out.push_back(s);
  }
  for (const auto& p : set.problems) {
    if (p.pip_crashes) {
      break;  // pip stops at this distribution with a traceback
    }
    out.push_back(
        fmt::format("Error parsing dependencies of {}: {}", p.dist->canonical_name, p.message));
  }
  return out;
}

}  // namespace mlstack::rules
