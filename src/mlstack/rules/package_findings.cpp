// SPDX-License-Identifier: MIT
#include "mlstack/rules/package_findings.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"
#include "mlstack/names/package_name.hpp"
#include "mlstack/pep440/specifier.hpp"

namespace mlstack::rules {
namespace {

std::string python_cmd(const facts::PythonFacts& py) {
  return py.executable.empty() ? std::string("python") : py.executable;
}

// `name[extras]specifier` without the marker: what to hand to `pip install`.
std::string install_spec(const pep508::Requirement& req) {
  std::string out = req.name();
  if (!req.extras().empty()) {
    std::vector<std::string> extras(req.extras().begin(), req.extras().end());
    std::sort(extras.begin(), extras.end());
    out += fmt::format("[{}]", fmt::join(extras, ","));
  }
  if (req.url()) {
    return out + " @ " + *req.url();
  }
  return out + req.specifier().to_string();
}

std::string dist_label(const CheckedDist& d) {
  return fmt::format("{} {}", d.dist->canonical_name, d.version.to_string());
}

std::string evidence_of(const facts::InstalledDist& d) { return d.info_path; }

void add_pip_findings(const PackageContext& ctx, std::vector<Finding>& out) {
  const std::string py = python_cmd(ctx.python);
  for (const auto& m : ctx.pip.missing) {
    const CheckedDist& d = ctx.set.dists[m.dependent];
    Finding f;
    f.id = "PKG-MISSING";
    f.severity = Severity::error;
    f.title = fmt::format("{} requires {}, which is not installed", dist_label(d), m.name);
    f.subjects = {d.dist->canonical_name, m.name};
    f.evidence = {fmt::format("Requires-Dist: {}", m.requirement->to_string()),
                  evidence_of(*d.dist)};
    f.fix = fmt::format("{} -m pip install '{}'", py, install_spec(*m.requirement));
    out.push_back(std::move(f));
  }
  for (const auto& c : ctx.pip.conflicts) {
    const CheckedDist& d = ctx.set.dists[c.dependent];
    const CheckedDist& have = ctx.set.dists[c.installed];
    Finding f;
    f.id = "PKG-CONFLICT";
    f.severity = Severity::error;
    f.title = fmt::format("{} requires {}, but {} is installed", dist_label(d),
                          c.requirement->to_string(), dist_label(have));
    f.subjects = {d.dist->canonical_name, have.dist->canonical_name};
    f.evidence = {fmt::format("Requires-Dist: {}", c.requirement->to_string()),
                  evidence_of(*d.dist), evidence_of(*have.dist)};
    f.fix = fmt::format("{} -m pip install '{}'", py, install_spec(*c.requirement));
    out.push_back(std::move(f));
  }
  for (const auto& u : ctx.pip.unsupported) {
    Finding f;
    f.id = "PKG-PLATFORM";
    f.severity = Severity::error;
    f.title = fmt::format("{} {} is not supported on this platform", u.dist->raw_name, u.version);
    f.subjects = {u.dist->canonical_name};
    for (const std::string& t : *u.dist->wheel_tags) {
      f.evidence.push_back("WHEEL Tag: " + t);
    }
    f.evidence.push_back(evidence_of(*u.dist));
    f.why = "none of the wheel's tags is supported by the target interpreter, so its compiled "
            "parts were built for another Python or platform";
    f.fix = fmt::format("{} -m pip install --force-reinstall '{}=={}'", py, u.dist->raw_name,
                        u.version);
    out.push_back(std::move(f));
  }
}

// Requirements of `target` that only the extra `extra` turns on.
std::vector<const pep508::Requirement*> extra_requirements(const CheckedDist& target,
                                                           const std::string& extra,
                                                           const pep508::MarkerEnvironment& env) {
  std::vector<const pep508::Requirement*> out;
  for (const pep508::Requirement& q : target.requirements) {
    if (q.marker() && q.marker()->mentions_extra() && q.marker()->evaluate(env, extra) &&
        !q.marker()->evaluate(env, "")) {
      out.push_back(&q);
    }
  }
  return out;
}

void add_extra_findings(const PackageContext& ctx, std::vector<Finding>& out) {
  const std::string py = python_cmd(ctx.python);
  std::set<std::pair<std::string, std::string>> reported;  // (dependent, requirement)
  for (const CheckedDist& d : ctx.set.dists) {
    for (const std::size_t r : d.active) {
      const pep508::Requirement& root = d.requirements[r];
      if (root.extras().empty()) {
        continue;
      }
      // Walk extras transitively: a[x] may require b[y].
      std::vector<std::pair<std::string, std::string>> work;  // (canonical name, extra)
      std::set<std::pair<std::string, std::string>> seen;
      for (const std::string& e : root.extras()) {
        work.emplace_back(root.package_name().str(), names::canonicalize(e));
      }
      while (!work.empty()) {
        auto [name, extra] = work.back();
        work.pop_back();
        if (!seen.insert({name, extra}).second) {
          continue;
        }
        const CheckedDist* target = ctx.set.find(name);
        if (target == nullptr) {
          continue;  // PKG-MISSING (or a parse problem) already says so
        }
        for (const pep508::Requirement* q : extra_requirements(*target, extra, ctx.env)) {
          const std::string qname = q->package_name().str();
          const CheckedDist* have = ctx.set.find(qname);
          const std::string via = fmt::format("{}[{}]", target->dist->canonical_name, extra);
          if (have != nullptr && q->specifier().contains(have->version, pep440::Prereleases::allow)) {
            for (const std::string& e : q->extras()) {
              work.emplace_back(qname, names::canonicalize(e));
            }
            continue;
          }
          if (!reported.insert({d.dist->canonical_name, via + q->to_string()}).second) {
            continue;
          }
          Finding f;
          f.severity = Severity::warning;
          f.subjects = {d.dist->canonical_name, target->dist->canonical_name, qname};
          f.evidence = {fmt::format("{}: Requires-Dist: {}", d.dist->canonical_name,
                                    root.to_string()),
                        fmt::format("{}: Requires-Dist: {}", target->dist->canonical_name,
                                    q->to_string())};
          f.why = "pip check does not look at extras (pypa/pip#4086); the feature the "
                  "dependent asked for fails at run time";
          f.fix = fmt::format("{} -m pip install '{}'", py, install_spec(*q));
          if (have == nullptr) {
            f.id = "PKG-EXTRA-MISSING";
            f.title = fmt::format("{} requires {}, whose requirement {} is not installed",
                                  dist_label(d), via, install_spec(*q));
          } else {
            f.id = "PKG-EXTRA-CONFLICT";
            f.title = fmt::format("{} requires {}, whose requirement {} is not met by {}",
                                  dist_label(d), via, install_spec(*q), dist_label(*have));
          }
          out.push_back(std::move(f));
        }
      }
    }
  }
}

void add_duplicate_findings(const PackageContext& ctx, std::vector<Finding>& out) {
  std::unordered_map<std::string, const facts::InstalledDist*> winners;
  for (const facts::InstalledDist& d : ctx.inventory.dists) {
    winners.emplace(d.canonical_name, &d);
  }
  for (const facts::InstalledDist& s : ctx.inventory.shadowed) {
    const auto it = winners.find(s.canonical_name);
    Finding f;
    f.id = "PKG-DUPLICATE";
    f.severity = Severity::warning;
    f.subjects = {s.canonical_name};
    const std::string sv = s.version_text.value_or("?");
    if (it != winners.end()) {
      const facts::InstalledDist& w = *it->second;
      f.title = fmt::format("{}: {} in {} shadows {} in {}", s.canonical_name,
                            w.version_text.value_or("?"), w.location, sv, s.location);
      f.evidence = {w.info_path, s.info_path};
    } else {
      f.title = fmt::format("{}: {} in {} is shadowed", s.canonical_name, sv, s.location);
      f.evidence = {s.info_path};
    }
    f.why = "only the first distribution on sys.path is seen by importlib.metadata and pip; "
            "files of both may be mixed, and uninstalling removes only one";
    f.fix = fmt::format("remove the stale copy: {}", s.info_path);
    out.push_back(std::move(f));
  }
}

// sys.version_info[:3] as pip passes it to check_requires_python.
std::string python_release(const facts::PythonFacts& py) {
  std::string v;
  int parts = 0;
  for (const std::string_view p : text::split(py.version, '.')) {
    std::string digits;
    for (const char c : p) {
      if (!text::is_ascii_digit(c)) {
        break;
      }
      digits += c;
    }
    if (digits.empty() || parts == 3) {
      break;
    }
    v += (parts == 0 ? "" : ".") + digits;
    ++parts;
  }
  return v;
}

void add_requires_python_findings(const PackageContext& ctx, std::vector<Finding>& out) {
  const std::string release = python_release(ctx.python);
  const auto pyver = pep440::Version::parse(release);
  if (!pyver) {
    return;
  }
  for (const CheckedDist& d : ctx.set.dists) {
    if (!d.dist->requires_python) {
      continue;
    }
    const auto spec = pep440::SpecifierSet::parse(text::trim(*d.dist->requires_python));
    if (!spec) {
      Finding f;
      f.id = "PKG-BAD-METADATA";
      f.severity = Severity::warning;
      f.title = fmt::format("{} has an invalid Requires-Python", dist_label(d));
      f.subjects = {d.dist->canonical_name};
      f.evidence = {fmt::format("Requires-Python: {}", *d.dist->requires_python),
                    render(spec.error()), evidence_of(*d.dist)};
      f.fix = fmt::format("{} -m pip install --force-reinstall '{}'", python_cmd(ctx.python),
                          d.dist->raw_name);
      out.push_back(std::move(f));
      continue;
    }
    if (spec->contains(*pyver)) {
      continue;
    }
    Finding f;
    f.id = "PKG-REQUIRES-PYTHON";
    f.severity = Severity::error;
    f.title = fmt::format("{} requires Python {} but the interpreter is {}", dist_label(d),
                          spec->to_string(), ctx.python.version);
    f.subjects = {d.dist->canonical_name};
    f.evidence = {fmt::format("Requires-Python: {}", *d.dist->requires_python),
                  evidence_of(*d.dist)};
    f.why = "it was installed for another interpreter and may use syntax or C-API this one "
            "lacks";
    f.fix = fmt::format("{} -m pip install --force-reinstall '{}'", python_cmd(ctx.python),
                        d.dist->raw_name);
    out.push_back(std::move(f));
  }
}

// `nvidia-cudnn-cu12` and `nvidia-cudnn-cu13`: one library's wheels for two CUDA majors, which
// install the same file names (nvidia/cudnn/lib/libcudnn.so.9) into one folder.
bool cuda_major_twins(std::string_view a, std::string_view b) {
  auto base = [](std::string_view n) {
    const auto dash = n.rfind("-cu");
    const bool suffix = dash != std::string_view::npos && dash + 3 < n.size() &&
                        std::all_of(n.begin() + static_cast<std::ptrdiff_t>(dash + 3), n.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
    return suffix ? n.substr(0, dash) : std::string_view{};
  };
  return a.starts_with("nvidia-") && !base(a).empty() && base(a) == base(b) && a != b;
}

void add_file_clash_findings(const PackageContext& ctx, std::vector<Finding>& out) {
  const auto& dists = ctx.inventory.dists;
  const std::string py = python_cmd(ctx.python);
  for (const facts::FileClash& clash : ctx.inventory.file_clashes) {
    if (clash.first >= dists.size() || clash.second >= dists.size() || clash.paths.empty()) {
      continue;
    }
    const std::vector<std::string>& paths = clash.paths;
    const facts::InstalledDist& a = dists[clash.first];
    const facts::InstalledDist& b = dists[clash.second];
    Finding f;
    f.id = "PKG-FILE-CLASH";
    f.severity = clash.same_content ? Severity::info : Severity::warning;
    f.title = fmt::format("{} and {} both own {} file{}, e.g. {}", a.canonical_name,
                          b.canonical_name, paths.size(), paths.size() == 1 ? "" : "s",
                          paths.front());
    f.subjects = {a.canonical_name, b.canonical_name};
    for (std::size_t k = 0; k < paths.size() && k < 5; ++k) {
      f.evidence.emplace_back(paths[k]);
    }
    f.evidence.push_back(a.info_path + "/RECORD");
    f.evidence.push_back(b.info_path + "/RECORD");
    if (clash.on_disk && clash.on_disk_path && *clash.on_disk_path < paths.size()) {
      const facts::InstalledDist& kept = dists[*clash.on_disk];
      f.evidence.push_back(fmt::format("on disk: {}'s copy (the size of {} matches its RECORD)",
                                       kept.canonical_name, paths[*clash.on_disk_path]));
    }
    if (clash.same_content) {
      f.evidence.emplace_back("both RECORDs give every shared file the same hash");
      f.why = "the two copies are the same bytes, so installing or upgrading one leaves the "
              "other working; removing either one deletes the shared files the other lists";
      f.fix = fmt::format("nothing is required; after uninstalling one, reinstall the other: "
                          "{} -m pip install --force-reinstall --no-deps {}",
                          py, b.raw_name);
    } else if (cuda_major_twins(a.canonical_name, b.canonical_name)) {
      f.why = "the wheels of one NVIDIA library for two CUDA majors install the same file names "
              "into one folder: only the copy installed last is on disk, and every framework "
              "loads that one";
      f.fix = "keep the copy the frameworks need: FW-LIB-CUDA-MISMATCH and FW-CUDA-LIBS-MISSING "
              "name who loads which and the one command that serves them (uninstalling either "
              "wheel deletes the file for every framework)";
    } else {
      f.why = "installing, upgrading or removing one overwrites or deletes the other's files";
      f.fix = fmt::format("{0} -m pip uninstall {1} {2} && {0} -m pip install {2}", py,
                          a.raw_name, b.raw_name);
    }
    out.push_back(std::move(f));
  }
}

void add_bad_metadata_findings(const PackageContext& ctx, std::vector<Finding>& out) {
  const std::string py = python_cmd(ctx.python);
  for (const auto& p : ctx.set.problems) {
    Finding f;
    f.id = "PKG-BAD-METADATA";
    f.severity = Severity::error;
    f.title = fmt::format("error parsing dependencies of {}", p.dist->canonical_name);
    f.subjects = {p.dist->canonical_name};
    f.evidence = {p.message, evidence_of(*p.dist)};
    f.why = p.pip_crashes ? "pip check stops with a traceback on it"
                          : "pip leaves this distribution out of its checks, so what depends on "
                            "it is reported as missing";
    f.fix = fmt::format("{} -m pip install --force-reinstall '{}'", py, p.dist->raw_name);
    out.push_back(std::move(f));
  }
  for (const auto& [dist, message] : ctx.pip.bad_wheels) {
    Finding f;
    f.id = "PKG-BAD-METADATA";
    f.severity = Severity::error;
    f.title = fmt::format("{} has an invalid WHEEL tag", dist->canonical_name);
    f.subjects = {dist->canonical_name};
    f.evidence = {message, dist->info_path + "/WHEEL"};
    f.why = "pip check stops with a traceback on it";
    f.fix = fmt::format("{} -m pip install --force-reinstall '{}'", py, dist->raw_name);
    out.push_back(std::move(f));
  }
  for (const std::string& s : ctx.inventory.skipped) {
    Finding f;
    f.id = "PKG-BAD-METADATA";
    f.severity = Severity::warning;
    f.title = s;
    f.evidence = {s};
    f.why = "pip and importlib.metadata ignore it; it is usually left over from an "
            "interrupted install";
    f.fix = "delete the leftover folder";
    out.push_back(std::move(f));
  }
  for (const std::string& p : ctx.inventory.problems) {
    Finding f;
    f.id = "PKG-PATH-UNREADABLE";
    f.severity = Severity::warning;
    f.title = p;
    f.evidence = {p};
    f.why = "Python and pip pass over this sys.path entry in silence, so nothing in it can be "
            "imported or is checked";
    f.fix = "replace the file with a valid zip archive, or remove it from sys.path (a .pth "
            "file or PYTHONPATH names it)";
    out.push_back(std::move(f));
  }
  for (const facts::InstalledDist& d : ctx.inventory.dists) {
    if (d.problems.empty()) {
      continue;
    }
    Finding f;
    f.id = "PKG-BAD-METADATA";
    f.severity = Severity::warning;
    f.title = fmt::format("{} has malformed metadata", d.canonical_name);
    f.subjects = {d.canonical_name};
    f.evidence = d.problems;
    f.evidence.push_back(d.info_path);
    f.fix = fmt::format("{} -m pip install --force-reinstall '{}'", py, d.raw_name);
    out.push_back(std::move(f));
  }
}

}  // namespace

std::vector<Finding> package_findings(const PackageContext& ctx) {
  std::vector<Finding> out;
  add_pip_findings(ctx, out);
  add_extra_findings(ctx, out);
  add_duplicate_findings(ctx, out);
  add_requires_python_findings(ctx, out);
  add_file_clash_findings(ctx, out);
  add_bad_metadata_findings(ctx, out);
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.severity, a.id) < std::tie(b.severity, b.id);
  });
  return out;
}

}  // namespace mlstack::rules
