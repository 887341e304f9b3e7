// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/facts_cache.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/facts/python_facts_json.hpp"
#include "mlstack/io/file_facts_cache.hpp"
#include "mlstack/pyenv/interpreter_probe.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <unistd.h>

namespace mlstack::pyenv {
namespace {

using nlohmann::json;

constexpr int k_format = 1;

constexpr std::array<const char*, 8> k_env_vars = {
    "PYTHONPATH",       "PYTHONHOME", "PYTHONNOUSERSITE", "PYTHONUSERBASE", "PYTHONSAFEPATH",
    "PYTHONPLATLIBDIR", "HOME",       "VIRTUAL_ENV"};

std::string current_dir() {
  std::array<char, 4096> buffer{};
  return ::getcwd(buffer.data(), buffer.size()) != nullptr ? std::string(buffer.data())
                                                           : std::string();
}

std::string absolute(const std::string& path) {
  if (path.starts_with('/')) {
    return path;
  }
  return current_dir() + "/" + path;
}

std::string parent_dir(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? std::string("/") : path.substr(0, slash);
}

// What decides which facts an interpreter reports, apart from files.
json cache_key(const std::string& python) {
  json env = json::object();
  bool relative_pythonpath = false;
  for (const char* name : k_env_vars) {
    const char* value = std::getenv(name);
    env[name] = value != nullptr ? json(value) : json(nullptr);
    if (value != nullptr && std::string_view(name) == "PYTHONPATH") {
      for (const std::string_view part : text::split(value, ':')) {
        relative_pythonpath = relative_pythonpath || !part.starts_with('/');
      }
    }
  }
  json key = json::object();
  key["format"] = k_format;
  key["python"] = absolute(python);
  key["env"] = std::move(env);
  key["cwd"] = relative_pythonpath ? json(current_dir()) : json(nullptr);
  // The script is a few KB of Python built and hashed once per process, not per lookup.
  static const std::string probe_hash = fmt::format("{:016x}", io::fingerprint(probe_script()));
  key["probe"] = probe_hash;
  return key;
}

std::string cache_file(const std::string& dir, const json& key) {
  return fmt::format("{}/interpreter-{:016x}.json", dir, io::fingerprint(key.dump()));
}

json stat_state(const io::FileSystem& fs, const std::string& path) {
  io::FileStat st;
  if (!fs.stat(path, io::Follow::yes, st).ok()) {
    return "missing";
  }
  return json::array({static_cast<int>(st.kind), st.mtime_ns, st.size, st.inode});
}

std::vector<std::string> validator_paths(const io::FileSystem& fs, const std::string& python,
                                         const facts::PythonFacts& facts) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  auto add = [&](const std::string& p) {
    if (seen.insert(p).second) {
      out.push_back(p);
    }
  };
  add(python);
  const std::string bin = parent_dir(absolute(python));
  add(bin + "/pyvenv.cfg");
  add(parent_dir(bin) + "/pyvenv.cfg");
  for (const std::string& p : facts.sys_path) {
    add(p.empty() ? std::string(".") : p);
  }
  for (const std::string& site : facts.site_dirs) {
    add(site);
    std::vector<io::DirEntry> entries;
    if (fs.list_dir(site, io::Follow::no, entries).ok()) {
      for (const io::DirEntry& e : entries) {
        if (e.name.ends_with(".pth")) {
          add(site + "/" + e.name);
        }
      }
    }
  }
  return out;
}

}  // namespace

FactsCache::FactsCache(std::string dir) : m_dir(std::move(dir)) {
  if (m_dir.empty()) {
    m_dir = io::default_cache_dir();
  }
}

std::string FactsCache::file_for(const std::string& python) const {
  return cache_file(m_dir, cache_key(python));
}

std::optional<facts::PythonFacts> FactsCache::load(const std::string& python) const {
  if (m_dir.empty()) {
    return std::nullopt;
  }
  const json key = cache_key(python);
  std::string text;
  if (!m_fs.read_file(cache_file(m_dir, key), std::size_t{4} << 20U, text).ok()) {
    return std::nullopt;
  }
  const json entry = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!entry.is_object() || !entry.contains("key") || entry["key"] != key) {
    return std::nullopt;
  }
  const auto validators = entry.find("validators");
  if (validators == entry.end() || !validators->is_array()) {
    return std::nullopt;
  }
  for (const json& v : *validators) {
    if (!v.is_array() || v.size() != 2 || !v[0].is_string()) {
      return std::nullopt;
    }
    if (stat_state(m_fs, v[0].get<std::string>()) != v[1]) {
      return std::nullopt;
    }
  }
  const auto facts_json = entry.find("facts");
  if (facts_json == entry.end()) {
    return std::nullopt;
  }
  auto facts = facts::python_facts_from_json(*facts_json);
  if (!facts) {
    return std::nullopt;
  }
  return std::move(*facts);
}

Result<void> FactsCache::store(const std::string& python, const facts::PythonFacts& facts) const {
  if (m_dir.empty()) {
    return unexpected(make_error(ErrorCode::not_found, "no cache directory (HOME is not set)"));
  }
  json validators = json::array();
  for (const std::string& p : validator_paths(m_fs, python, facts)) {
    validators.push_back(json::array({p, stat_state(m_fs, p)}));
  }
  json entry = json::object();
  entry["key"] = cache_key(python);
  entry["validators"] = std::move(validators);
  entry["facts"] = facts::python_facts_to_json(facts);
  return io::write_file_atomic(file_for(python), entry.dump());
}

}  // namespace mlstack::pyenv
