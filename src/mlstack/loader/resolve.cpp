// SPDX-License-Identifier: MIT
#include "mlstack/loader/resolve.hpp"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace mlstack::loader {
namespace {

// One name's search: the file found, or why the search stopped.
struct Attempt {
  std::string path;
  ObjectInfo info;
  bool stop = false;  // a file was there but ld.so refuses it
  std::string reason;
  std::vector<std::string> searched;
};

// One search's outcome, as `search` leaves it.
struct Searched {
  bool found = false;
  Attempt attempt;
  Rule rule = Rule::default_dirs;
  std::string owner;
};

}  // namespace

class SearchMemo {
 public:
  [[nodiscard]] std::optional<Searched> find(const std::string& key) const {
    const std::lock_guard lock(m_mutex);
    const auto it = m_entries.find(key);
    return it == m_entries.end() ? std::nullopt : std::optional<Searched>(it->second);
  }
  void store(std::string key, Searched value) {
    const std::lock_guard lock(m_mutex);
    m_entries.emplace(std::move(key), std::move(value));
  }

 private:
  mutable std::mutex m_mutex;
  std::unordered_map<std::string, Searched> m_entries;
};

std::shared_ptr<SearchMemo> make_search_memo() { return std::make_shared<SearchMemo>(); }

class Process::State {
 public:
  State(LoaderConfig config, const ObjectReader& reader)
      : m_config(std::move(config)), m_reader(reader) {
    for (const Preloaded& p : m_config.preloaded) {
      LoadedObject o;
      o.path = p.path;
      o.soname = p.soname;
      o.requested = p.soname.empty() ? p.path : p.soname;
      o.rule = Rule::preloaded;
      o.preloaded = true;
      auto read = m_reader.read(p.path);
      add(std::move(o), read ? std::move(*read) : ObjectInfo{}, {p.path, p.soname});
    }
  }

  Result<int> exec(const std::string& entry) {
    if (m_entry >= 0) {
      return unexpected(make_error(ErrorCode::invalid_data,
                                   "cannot map `" + entry + "`: the process has an executable"));
    }
    auto info = m_reader.read(entry);
    if (!info) {
      return unexpected(info.error());
    }
    m_class = info->dynamic.elf_class;
    m_machine = info->dynamic.machine;
    LoadedObject e;
    e.path = entry;
    e.requested = entry;
    e.rule = Rule::entry;
    m_entry = add(std::move(e), std::move(*info), {entry});
    drain();
    return m_entry;
  }

  Opened dlopen(const std::string& name, int caller) {
    Opened out;
    if (m_entry < 0 || caller < 0 || caller >= static_cast<int>(m_out.objects.size())) {
      out.missing.push_back({name, "", "no executable mapped, or no such caller", {}});
      return out;
    }
    const std::size_t objects = m_out.objects.size();
    const std::size_t missing = m_out.missing.size();
    std::vector<std::size_t> names;
    names.reserve(m_names.size());
    for (const auto& n : m_names) {
      names.push_back(n.size());
    }
    out.index = map_name(caller, name);
    drain();
    if (out.index >= 0 && m_out.missing.size() == missing) {
      return out;
    }
    // dlopen fails as a whole: what it mapped is unmapped again.
    out.index = -1;
    out.missing.assign(m_out.missing.begin() + static_cast<std::ptrdiff_t>(missing),
                       m_out.missing.end());
    m_out.missing.resize(missing);
    m_out.objects.resize(objects);
    m_infos.resize(objects);
    m_names.resize(objects);
    for (std::size_t i = 0; i < objects; ++i) {
      m_names[i].resize(names[i]);
    }
    return out;
  }

  [[nodiscard]] const Resolution& resolution() const { return m_out; }

 private:
  LoadedObject& object(int i) { return m_out.objects[static_cast<std::size_t>(i)]; }

  // The needs of every object mapped and not yet looked at, breadth first.
  void drain() {
    while (!m_queue.empty()) {
      const int index = m_queue.front();
      m_queue.pop_front();
      const std::vector<std::string> needed = object(index).needed;
      for (const std::string& name : needed) {
        const int dep = map_name(index, name);
        object(index).dependencies.push_back(dep);
      }
    }
  }

  int add(LoadedObject o, ObjectInfo info, std::vector<std::string> names) {
    o.soname = o.preloaded ? o.soname : info.dynamic.soname;
    o.needed = info.dynamic.needed;
    o.versions = info.versions;
    if (!o.soname.empty()) {
      names.push_back(o.soname);
    }
    m_out.objects.push_back(std::move(o));
    m_names.push_back(std::move(names));
    m_infos.push_back(std::move(info));
    const int index = static_cast<int>(m_out.objects.size()) - 1;
    if (!m_out.objects.back().preloaded) {
      m_queue.push_back(index);
    }
    return index;
  }

  [[nodiscard]] int find_loaded(const std::string& name) const {
    for (std::size_t i = 0; i < m_names.size(); ++i) {
      if (std::find(m_names[i].begin(), m_names[i].end(), name) != m_names[i].end()) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  [[nodiscard]] DstValues values_for(int index) const {
    return {parent_folder(m_out.objects[static_cast<std::size_t>(index)].path), m_config.lib,
            m_config.platform};
  }

  // True when `path` holds an object of the process's class and machine.
  bool try_file(const std::string& path, Attempt& a) const {
    a.searched.push_back(path);
    auto info = m_reader.read(path);
    if (!info) {
      if (info.error().code != ErrorCode::not_found) {
        a.stop = true;
        a.reason = info.error().message;
      }
      return false;
    }
    if (info->dynamic.elf_class != m_class || info->dynamic.machine != m_machine) {
      return false;  // open_verify: another class or machine is passed over
    }
    a.path = path;
    a.info = std::move(*info);
    return true;
  }

  bool try_dirs(const std::vector<std::string>& dirs, const std::string& name, Attempt& a) const {
    for (const std::string& dir : dirs) {
      for (const std::string& prefix : prefixes(dir)) {
        if (try_file(prefix + name, a) || a.stop) {
          return !a.stop;
        }
      }
    }
    return false;
  }

  // The folders tried for `dir`, each ending in `/`: every subfolder, then `dir` itself.
  // Computed once per folder (the search tries every name in them).
  const std::vector<std::string>& prefixes(const std::string& dir) const {
    auto it = m_prefixes.find(dir);
    if (it == m_prefixes.end()) {
      const std::string base = dir == "/" ? std::string() : dir;
      std::vector<std::string> list;
      list.reserve(m_config.subdirs.size() + 1);
      for (const std::string& sub : m_config.subdirs) {
        list.push_back(base + "/" + sub + "/");
      }
      list.push_back(base + "/");
      it = m_prefixes.emplace(dir, std::move(list)).first;
    }
    return it->second;
  }

  // `split_search_path` of `list` for the object `index` (its `$ORIGIN`), computed once per
  // list and folder: an object's RUNPATH serves each of its needs.
  const std::vector<std::string>& search_dirs(const std::string& list, int index, bool env) const {
    DstValues values = values_for(index);
    std::string key = values.origin;
    key += env ? '\1' : '\0';
    key += list;
    auto it = m_split.find(key);
    if (it == m_split.end()) {
      it = m_split.emplace(std::move(key), split_search_path(list, values, env)).first;
    }
    return it->second;
  }

  // A prefix match, as ld.so's NODEFLIB check of a cache entry (`memcmp` with each system
  // folder and its `/`): subfolders count.
  [[nodiscard]] bool in_default_dir(const std::string& path) const {
    return std::any_of(m_config.default_dirs.begin(), m_config.default_dirs.end(),
                       [&path](const std::string& dir) {
                         return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                                path[dir.size()] == '/';
                       });
  }

  // `search_files` through the memo: the key is everything the search depends on besides the
  // settings — the name, the DT_RPATH chain (each loader's path and list), the executable,
  // the loader's path, DT_RUNPATH and NODEFLIB.
  bool search(int loader, const std::string& name, Attempt& a, Rule& rule, std::string& owner) {
    if (!m_config.memo || name.find('/') != std::string::npos) {
      return search_files(loader, name, a, rule, owner);
    }
    const ObjectInfo& info = m_infos[static_cast<std::size_t>(loader)];
    std::string key = name;
    key += '\0';
    if (info.dynamic.runpath.empty()) {
      for (int l = loader; l >= 0; l = object(l).loader) {
        const elf::DynamicInfo& d = m_infos[static_cast<std::size_t>(l)].dynamic;
        key += object(l).path;
        key += '\0';
        key += d.runpath.empty() ? d.rpath : std::string();
        key += '\0';
      }
    }
    key += '\1';
    key += object(m_entry).path;
    key += '\0';
    key += object(loader).path;
    key += '\0';
    key += info.dynamic.runpath;
    key += info.dynamic.nodeflib() ? '1' : '0';
    if (std::optional<Searched> known = m_config.memo->find(key)) {
      a = std::move(known->attempt);
      rule = known->rule;
      owner = std::move(known->owner);
      return known->found;
    }
    const bool found = search_files(loader, name, a, rule, owner);
    m_config.memo->store(std::move(key), Searched{found, a, rule, owner});
    return found;
  }

  // Runs the search of `_dl_map_object` for `name`, needed by object `loader`.
  bool search_files(int loader, const std::string& name, Attempt& a, Rule& rule,
                    std::string& owner) {
    const ObjectInfo& info = m_infos[static_cast<std::size_t>(loader)];
    if (name.find('/') != std::string::npos) {
      rule = Rule::path;
      auto path = expand_tokens(name, values_for(loader));
      return path && try_file(*path, a);
    }
    if (info.dynamic.runpath.empty()) {
      bool did_main = false;
      for (int l = loader; l >= 0; l = object(l).loader) {
        did_main = did_main || l == m_entry;
        // An object with both ignores its DT_RPATH, also for what it loads (glibc's
        // get-dynamic-info.h: `if (info[DT_RUNPATH] != NULL) info[DT_RPATH] = NULL`).
        const elf::DynamicInfo& d = m_infos[static_cast<std::size_t>(l)].dynamic;
        const std::string& rpath = d.runpath.empty() ? d.rpath : std::string();
        if (rpath.empty()) {
          continue;
        }
        if (try_dirs(search_dirs(rpath, l, false), name, a) || a.stop) {
          rule = Rule::rpath;
          owner = object(l).path;
          return !a.stop;
        }
      }
      // Then the executable's DT_RPATH, when the chain did not reach it (a dlopen'ed object).
      const elf::DynamicInfo& main = m_infos[static_cast<std::size_t>(m_entry)].dynamic;
      if (!did_main && main.runpath.empty() && !main.rpath.empty() &&
          (try_dirs(search_dirs(main.rpath, m_entry, false), name, a) ||
           a.stop)) {
        rule = Rule::rpath;
        owner = object(m_entry).path;
        return !a.stop;
      }
    }
    if (!m_config.ld_library_path.empty() &&
        (try_dirs(search_dirs(m_config.ld_library_path, m_entry, true), name, a) ||
         a.stop)) {
      rule = Rule::ld_library_path;
      return !a.stop;
    }
    if (!info.dynamic.runpath.empty() &&
        (try_dirs(search_dirs(info.dynamic.runpath, loader, false), name, a) ||
         a.stop)) {
      rule = Rule::runpath;
      owner = object(loader).path;
      return !a.stop;
    }
    const bool nodeflib = info.dynamic.nodeflib();
    if (m_config.cache != nullptr) {
      auto cached = m_config.cache->lookup(name, m_config.cache_flags);
      if (cached && !(nodeflib && in_default_dir(*cached))) {
        if (try_file(*cached, a) || a.stop) {
          rule = Rule::cache;
          return !a.stop;
        }
      }
    }
    if (!nodeflib) {
      rule = Rule::default_dirs;
      return try_dirs(m_config.default_dirs, name, a);
    }
    return false;
  }

  int map_name(int loader, const std::string& name) {
    if (const int known = find_loaded(name); known >= 0) {
      return known;
    }
    Attempt a;
    Rule rule = Rule::default_dirs;
    std::string owner;
    if (!search(loader, name, a, rule, owner)) {
      m_out.missing.push_back({name, object(loader).path,
                               a.stop ? a.reason : std::string("not found"),
                               std::move(a.searched)});
      return -1;
    }
    // One file under another name is the object already mapped (`_dl_map_object_from_fd`).
    for (std::size_t i = 0; i < m_infos.size(); ++i) {
      const ObjectInfo& other = m_infos[i];
      if (other.inode != 0 && other.device == a.info.device && other.inode == a.info.inode) {
        m_names[i].push_back(name);
        return static_cast<int>(i);
      }
    }
    LoadedObject o;
    o.path = a.path;
    o.requested = name;
    o.loader = loader;
    o.rule = rule;
    o.rule_owner = std::move(owner);
    return add(std::move(o), std::move(a.info), {name, a.path});
  }

  LoaderConfig m_config;
  const ObjectReader& m_reader;
  Resolution m_out;
  std::vector<std::vector<std::string>> m_names;  // per object: the names it answers to
  std::vector<ObjectInfo> m_infos;
  std::deque<int> m_queue;
  mutable std::unordered_map<std::string, std::vector<std::string>> m_prefixes;
  mutable std::unordered_map<std::string, std::vector<std::string>> m_split;
  int m_entry = -1;
  unsigned m_class = 0;
  unsigned m_machine = 0;
};

std::string_view rule_name(Rule rule) noexcept {
  switch (rule) {
    case Rule::entry:
      return "entry";
    case Rule::preloaded:
      return "preloaded";
    case Rule::path:
      return "path";
    case Rule::rpath:
      return "rpath";
    case Rule::ld_library_path:
      return "ld_library_path";
    case Rule::runpath:
      return "runpath";
    case Rule::cache:
      return "cache";
    case Rule::default_dirs:
      return "default_dirs";
  }
  return "unknown";
}

std::vector<MissingVersion> check_versions(const Resolution& resolution) {
  std::vector<MissingVersion> out;
  const auto& objects = resolution.objects;
  for (const LoadedObject& o : objects) {
    for (const elf::VersionNeed& need : o.versions.needs) {
      // The object this one's DT_NEEDED `need.file` maps to, else any with that soname.
      int provider = -1;
      for (std::size_t i = 0; i < o.needed.size() && i < o.dependencies.size(); ++i) {
        if (o.needed[i] == need.file) {
          provider = o.dependencies[i];
        }
      }
      for (std::size_t i = 0; provider < 0 && i < objects.size(); ++i) {
        if (objects[i].soname == need.file) {
          provider = static_cast<int>(i);
        }
      }
      if (provider < 0) {
        continue;
      }
      const LoadedObject& p = objects[static_cast<std::size_t>(provider)];
      const auto& defined = p.versions.definitions;
      if (defined.empty()) {
        continue;
      }
      for (std::size_t v = 0; v < need.versions.size(); ++v) {
        if (std::find(defined.begin(), defined.end(), need.versions[v]) == defined.end()) {
          out.push_back({o.path, need.file, p.path, need.versions[v],
                         v < need.weak.size() && need.weak[v]});
        }
      }
    }
  }
  return out;
}

Process::Process(LoaderConfig config, const ObjectReader& reader)
    : m_state(std::make_unique<State>(std::move(config), reader)) {}
Process::Process(std::unique_ptr<State> state) : m_state(std::move(state)) {}
Process Process::clone() const { return Process(std::make_unique<State>(*m_state)); }
Process::Process(Process&&) noexcept = default;
Process& Process::operator=(Process&&) noexcept = default;
Process::~Process() = default;

Result<int> Process::exec(const std::string& path) { return m_state->exec(path); }

Process::Opened Process::dlopen(const std::string& name, int caller) {
  return m_state->dlopen(name, caller);
}

const Resolution& Process::resolution() const { return m_state->resolution(); }

Result<Resolution> resolve(const std::string& entry, const LoaderConfig& config,
                           const ObjectReader& reader) {
  Process process(config, reader);
  auto main = process.exec(entry);
  if (!main) {
    return unexpected(main.error());
  }
  return process.resolution();
}

}  // namespace mlstack::loader
