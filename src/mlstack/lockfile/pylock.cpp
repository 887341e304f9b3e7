// SPDX-License-Identifier: MIT
// The lock reader: the only file of this module that includes toml++ (header-only,
// TOML_EXCEPTIONS=0, as kb/toml_loader.cpp; see CMakeLists.txt).
#include "mlstack/lockfile/pylock.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/base/toml_text.hpp"
#include "mlstack/names/package_name.hpp"
#include "mlstack/pep440/version.hpp"
#include "mlstack/tags/supported_tags.hpp"
#include "mlstack/tags/tag.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <map>
#include <utility>

namespace mlstack::lockfile {
namespace {

struct Reader {
  std::string_view path;

  [[nodiscard]] Error at(const toml::node& n, std::string_view message) const {
    const auto& b = n.source().begin;
    return make_error(ErrorCode::invalid_data,
                      fmt::format("{}:{}:{}: {}", path, b.line, b.column, message));
  }

  // A string value, when `key` is there; an error when it is not a string.
  [[nodiscard]] Result<std::optional<std::string>> string(const toml::table& t,
                                                          std::string_view key) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      return std::optional<std::string>();
    }
    const auto* s = n->as_string();
    if (s == nullptr) {
      return unexpected(at(*n, fmt::format("expected a string for `{}`", key)));
    }
    return std::optional<std::string>(s->get());
  }

  [[nodiscard]] Result<std::optional<pep440::SpecifierSet>> specifier(const toml::table& t,
                                                                      std::string_view key) const {
    MLSTACK_TRY_ASSIGN(std::optional<std::string> text, string(t, key));
    if (!text) {
      return std::optional<pep440::SpecifierSet>();
    }
    auto set = pep440::SpecifierSet::parse(*text);
    if (!set) {
      return unexpected(
          at(*t.get(key), fmt::format("invalid `{}` `{}`: {}", key, text::escape_controls(*text),
                                      set.error().message)));
    }
    return std::optional<pep440::SpecifierSet>(std::move(*set));
  }

  [[nodiscard]] Result<pep508::Marker> marker(const toml::node& n) const {
    const auto* s = n.as_string();
    if (s == nullptr) {
      return unexpected(at(n, "expected a marker string"));
    }
    auto m = pep508::Marker::parse(s->get());
    if (!m) {
      return unexpected(at(n, fmt::format("invalid marker `{}`: {}",
                                          text::escape_controls(s->get()), m.error().message)));
    }
    return std::move(*m);
  }

  // A file's `hashes = { sha256 = "..." }` as `algorithm:hex` (what `--hash=` takes); entries
  // that are not strings are left out.
  [[nodiscard]] static std::vector<std::string> hashes_of(const toml::table& file) {
    std::vector<std::string> out;
    if (const toml::table* h = file["hashes"].as_table()) {
      for (const auto& entry : *h) {
        if (const auto* value = entry.second.as_string()) {
          out.push_back(std::string(entry.first.str()) + ":" + value->get());
        }
      }
    }
    return out;
  }

  [[nodiscard]] Result<LockWheel> wheel(const toml::node& n) const {
    const toml::table* t = n.as_table();
    if (t == nullptr) {
      return unexpected(at(n, "expected a table in `wheels`"));
    }
    LockWheel w;
    for (std::string_view key : {"name", "url", "path"}) {
      MLSTACK_TRY_ASSIGN(std::optional<std::string> v, string(*t, key));
      if (v && w.file_name.empty()) {
        w.file_name = key == "name" ? *v : url_file_name(*v);
      }
    }
    if (w.file_name.empty()) {
      return unexpected(at(n, "expected `name`, `url` or `path` in a wheel"));
    }
    w.tag = wheel_tag_of(w.file_name);
    w.hashes = hashes_of(*t);
    return w;
  }

  [[nodiscard]] Result<LockPackage> package(const toml::table& t) const {
    LockPackage p;
    p.line = t.source().begin.line;
    MLSTACK_TRY_ASSIGN(std::optional<std::string> name, string(t, "name"));
    if (!name) {
      return unexpected(at(t, "expected key `name` in `[[packages]]`"));
    }
    p.name = *name;
    p.canonical_name = names::canonicalize(*name);
    MLSTACK_TRY_ASSIGN(p.version, string(t, "version"));
    if (p.version && !pep440::Version::parse(*p.version)) {
      return unexpected(at(*t.get("version"),
                           fmt::format("invalid version `{}`", text::escape_controls(*p.version))));
    }
    if (const toml::node* m = t.get("marker")) {
      MLSTACK_TRY_ASSIGN(pep508::Marker parsed, marker(*m));
      p.marker = std::move(parsed);
    }
    MLSTACK_TRY_ASSIGN(p.requires_python, specifier(t, "requires-python"));
    if (const toml::node* deps = t.get("dependencies")) {
      const toml::array* a = deps->as_array();
      if (a == nullptr) {
        return unexpected(at(*deps, "expected an array of tables for `dependencies`"));
      }
      for (const toml::node& d : *a) {
        const toml::table* dt = d.as_table();
        if (dt == nullptr) {
          return unexpected(at(d, "expected a table in `dependencies`"));
        }
        MLSTACK_TRY_ASSIGN(std::optional<std::string> dep_name, string(*dt, "name"));
        if (!dep_name) {
          // PEP 751: enough keys to identify the entry; without a name it is a url/path one.
          continue;
        }
        LockDependency dep{names::canonicalize(*dep_name), std::nullopt};
        MLSTACK_TRY_ASSIGN(dep.version, string(*dt, "version"));
        p.dependencies.push_back(std::move(dep));
      }
    }
    if (const toml::node* wheels = t.get("wheels")) {
      const toml::array* a = wheels->as_array();
      if (a == nullptr) {
        return unexpected(at(*wheels, "expected an array of tables for `wheels`"));
      }
      for (const toml::node& w : *a) {
        MLSTACK_TRY_ASSIGN(LockWheel parsed, wheel(w));
        p.wheels.push_back(std::move(parsed));
      }
    }
    for (std::string_view key : {"sdist", "vcs", "directory", "archive"}) {
      p.has_source = p.has_source || t.contains(key);
    }
    if (const toml::table* sdist = t["sdist"].as_table()) {
      p.sdist_hashes = hashes_of(*sdist);
    }
    return p;
  }
};

std::string python_of(const pep508::MarkerEnvironment& env) {
  return std::string(env.get("python_full_version").value_or(""));
}

std::string versioned(const LockPackage& p) {
  return p.version ? fmt::format("{} {}", p.name, *p.version) : p.name;
}

}  // namespace

Result<Pylock> read_pylock(std::string_view text, std::string_view path) {
  if (auto ok = text::check_toml_text(path, text); !ok) {
    return unexpected(std::move(ok).error());
  }
  toml::parse_result parsed = toml::parse(text, std::string(path));
  if (!parsed) {
    const toml::parse_error& err = parsed.error();
    return unexpected(
        make_error(ErrorCode::parse, fmt::format("{}:{}:{}: {}", path, err.source().begin.line,
                                                 err.source().begin.column, err.description())));
  }
  const Reader r{path};
  const toml::table& root = parsed.table();
  Pylock lock;
  MLSTACK_TRY_ASSIGN(std::optional<std::string> lock_version, r.string(root, "lock-version"));
  if (!lock_version) {
    return unexpected(make_error(ErrorCode::invalid_data,
                                 fmt::format("{}: expected key `lock-version` (a PEP 751 lock "
                                             "file)",
                                             path)));
  }
  if (*lock_version != "1" && !lock_version->starts_with("1.")) {
    return unexpected(
        r.at(*root.get("lock-version"), fmt::format("expected `lock-version` 1.x, found `{}`",
                                                    text::escape_controls(*lock_version))));
  }
  lock.lock_version = *lock_version;
  MLSTACK_TRY_ASSIGN(std::optional<std::string> created_by, r.string(root, "created-by"));
  if (!created_by) {
    return unexpected(
        make_error(ErrorCode::invalid_data, fmt::format("{}: expected key `created-by`", path)));
  }
  lock.created_by = *created_by;
  MLSTACK_TRY_ASSIGN(lock.requires_python, r.specifier(root, "requires-python"));
  if (const toml::node* envs = root.get("environments")) {
    const toml::array* a = envs->as_array();
    if (a == nullptr) {
      return unexpected(r.at(*envs, "expected an array of markers for `environments`"));
    }
    for (const toml::node& e : *a) {
      MLSTACK_TRY_ASSIGN(pep508::Marker m, r.marker(e));
      lock.environments.push_back(std::move(m));
    }
  }
  const toml::node* packages = root.get("packages");
  if (packages == nullptr) {
    return unexpected(
        make_error(ErrorCode::invalid_data, fmt::format("{}: expected `[[packages]]`", path)));
  }
  const toml::array* a = packages->as_array();
  if (a == nullptr || (!a->empty() && !a->is_array_of_tables())) {
    return unexpected(r.at(*packages, "expected `[[packages]]` tables"));
  }
  for (const toml::node& n : *a) {
    MLSTACK_TRY_ASSIGN(LockPackage p, r.package(*n.as_table()));
    lock.packages.push_back(std::move(p));
  }
  return lock;
}

LockCheck check_lock(const Pylock& lock, const pep508::MarkerEnvironment& environment,
                     const tags::SupportedTags* supported) {
  LockCheck check;
  const std::string python = python_of(environment);
  if (lock.requires_python && !python.empty() && !lock.requires_python->contains(python)) {
    check.problems.push_back(fmt::format("The lock requires Python {}, the target is {}.",
                                         lock.requires_python->to_string(), python));
  }
  if (!lock.environments.empty()) {
    bool any = false;
    for (const pep508::Marker& m : lock.environments) {
      any = any || m.evaluate(environment, "");
    }
    if (!any) {
      std::string list;
      for (const pep508::Marker& m : lock.environments) {
        list += fmt::format("{}`{}`", list.empty() ? "" : ", ", m.to_string());
      }
      check.problems.push_back(
          fmt::format("No environment of the lock matches the target: {}.", list));
    }
  }
  std::map<std::string, std::size_t> by_name;  // installed packages by canonical name
  for (std::size_t i = 0; i < lock.packages.size(); ++i) {
    const LockPackage& p = lock.packages[i];
    if (p.marker) {
      const Result<bool> on = p.marker->try_evaluate(environment, "");
      if (!on) {
        check.notes.push_back(fmt::format(
            "{} (line {}) is left out: its marker `{}` cannot be evaluated without a request "
            "({})",
            versioned(p), p.line, p.marker->to_string(), on.error().message));
        continue;
      }
      if (!*on) {
        continue;
      }
    }
    if (const auto [it, fresh] = by_name.emplace(p.canonical_name, i); !fresh) {
      check.problems.push_back(
          fmt::format("{} is locked twice for this environment: {} (line {}) and {} (line {}).",
                      p.name, lock.packages[it->second].version.value_or("no version"),
                      lock.packages[it->second].line, p.version.value_or("no version"), p.line));
      continue;
    }
    check.installed.push_back(i);
  }
  for (const std::size_t i : check.installed) {
    const LockPackage& p = lock.packages[i];
    if (p.requires_python && !python.empty() && !p.requires_python->contains(python)) {
      check.problems.push_back(fmt::format("{} requires Python {}, the target is {}.", versioned(p),
                                           p.requires_python->to_string(), python));
    }
    if (supported != nullptr && !p.has_source && !p.wheels.empty()) {
      bool any = false;
      std::string tags_list;
      for (const LockWheel& w : p.wheels) {
        if (!w.tag) {
          continue;
        }
        tags_list += fmt::format("{}{}", tags_list.empty() ? "" : ", ", *w.tag);
        if (auto parsed = tags::parse_tag(*w.tag)) {
          any = any || supported->any_supported(*parsed);
        }
      }
      if (!any) {
        check.problems.push_back(
            fmt::format("{} has no wheel for this platform ({}).", versioned(p),
                        tags_list.empty() ? std::string("no wheel file names") : tags_list));
      }
    }
    for (const LockDependency& d : p.dependencies) {
      const auto it = by_name.find(d.name);
      if (it == by_name.end()) {
        check.problems.push_back(
            fmt::format("{} depends on {}, which is not in the lock for this environment.",
                        versioned(p), d.name));
      } else if (d.version && lock.packages[it->second].version &&
                 *lock.packages[it->second].version != *d.version) {
        check.problems.push_back(
            fmt::format("{} depends on {} {}, but the lock has {} for this environment.",
                        versioned(p), d.name, *d.version, versioned(lock.packages[it->second])));
      }
    }
  }
  return check;
}

ResolvedSet to_resolved_set(const Pylock& lock, const LockCheck& check, std::string_view path) {
  ResolvedSet set;
  for (const std::size_t i : check.installed) {
    const LockPackage& p = lock.packages[i];
    facts::InstalledDist d;
    d.location = std::string(path);
    d.info_path = fmt::format("line {}", p.line);
    d.raw_name = p.name;
    d.canonical_name = p.canonical_name;
    d.version_text = p.version;
    for (const LockWheel& w : p.wheels) {
      if (w.tag) {
        d.wheel_tags = std::vector<std::string>{*w.tag};
        break;
      }
    }
    set.inventory.dists.push_back(std::move(d));
  }
  return set;
}

}  // namespace mlstack::lockfile
