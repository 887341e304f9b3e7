// SPDX-License-Identifier: MIT
#include "mlstack/tags/supported_tags.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/tags/platform_tags.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

namespace mlstack::tags {
namespace {

using PythonVersion = std::vector<int>;  // one or two items, compared as a Python tuple

std::string version_nodot(const PythonVersion& version) {
  std::string out;
  for (std::size_t i = 0; i < version.size() && i < 2; ++i) {
    out += std::to_string(version[i]);
  }
  return out;
}

using Group = SupportedTags::Group;

// `<interpreter>-<abi>-<platform>` for each platform, as one group.
void append_each_platform(std::vector<Group>& out, std::string_view interpreter,
                          std::string_view abi) {
  out.push_back(Group{text::to_lower(interpreter), text::to_lower(abi), false});
}

// packaging.tags._cpython_abis: `cp311`, or `cp313td` then `cp313t` for a debug build.
// (The `u` flag of Pythons before 3.3 is not modelled.)
std::vector<std::string> cpython_abis(const PythonVersion& version, const facts::TagFacts& facts) {
  const std::string nodot = version_nodot(version);
  const std::string debug = facts.py_debug ? "d" : "";
  const std::string threading = version >= PythonVersion{3, 13} && facts.gil_disabled ? "t" : "";
  std::string pymalloc;
  std::vector<std::string> abis;
  if (version < PythonVersion{3, 8}) {
    pymalloc = facts.with_pymalloc ? "m" : "";
  } else if (!debug.empty()) {
    // Debug builds can also load "normal" extension modules.
    abis.push_back(fmt::format("cp{}{}", nodot, threading));
  }
  abis.insert(abis.begin(), fmt::format("cp{}{}{}{}", nodot, threading, debug, pymalloc));
  return abis;
}

// packaging.tags._is_threaded_cpython: `t` among the flags after `cp<digits>` of the first ABI.
bool is_threaded_cpython(const std::vector<std::string>& abis) {
  if (abis.empty() || !abis[0].starts_with("cp")) {
    return false;
  }
  std::string_view rest = std::string_view(abis[0]).substr(2);
  if (rest.empty() || !text::is_ascii_digit(rest.front())) {
    return false;
  }
  while (!rest.empty() && text::is_ascii_digit(rest.front())) {
    rest.remove_prefix(1);
  }
  return rest.find('t') != std::string_view::npos;
}

// packaging.tags.cpython_tags(python_version, abis=None, platforms).
void append_cpython_tags(std::vector<Group>& out, const PythonVersion& version,
                         const facts::TagFacts& facts) {
  const std::string interpreter = "cp" + version_nodot(version);
  std::vector<std::string> abis =
      version.size() > 1 ? cpython_abis(version, facts) : std::vector<std::string>{};
  const bool threading = is_threaded_cpython(abis);
  // The stable ABIs and `none` come later in their own places.
  std::erase_if(abis, [&](const std::string& abi) {
    return abi == "abi3" || abi == "none" || (threading && abi == "abi3t");
  });
  for (const std::string& abi : abis) {
    append_each_platform(out, interpreter, abi);
  }
  // abi3 came with Python 3.2 (PEP 384); free-threaded builds use abi3t (PEP 803) instead.
  const bool stable = version.size() > 1 && version >= PythonVersion{3, 2};
  const bool use_abi3 = stable && !threading;
  const bool use_abi3t = stable && threading;
  if (use_abi3) {
    append_each_platform(out, interpreter, "abi3");
  }
  if (use_abi3t) {
    append_each_platform(out, interpreter, "abi3t");
  }
  append_each_platform(out, interpreter, "none");
  if (use_abi3 || use_abi3t) {
    for (int minor = version[1] - 1; minor > 1; --minor) {
      // packaging interleaves abi3 and abi3t per platform; only one of them is ever used.
      append_each_platform(out, fmt::format("cp{}{}", version[0], minor),
                           use_abi3 ? "abi3" : "abi3t");
    }
  }
}

// packaging.tags._generic_abi: the ABI part of EXT_SUFFIX
// (`.pypy310-pp73-x86_64-linux-gnu.so` → `pypy310_pp73`).
Result<std::vector<std::string>> generic_abis(const facts::TagFacts& facts) {
  const std::string_view ext_suffix = facts.ext_suffix;
  const auto invalid = [&] {
    return unexpected(make_error(
        ErrorCode::invalid_data,
        fmt::format("expected sysconfig `EXT_SUFFIX` such as `.cpython-311-x86_64-linux-gnu.so`, "
                    "found {}",
                    text::python_repr(ext_suffix))));
  };
  if (!ext_suffix.starts_with('.')) {
    return invalid();
  }
  const std::vector<std::string_view> parts = text::split(ext_suffix, '.');
  if (parts.size() < 3) {
    return cpython_abis(facts.python_version, facts);  // `.pyd` on Windows before 3.8
  }
  const std::string_view soabi = parts[1];
  const std::vector<std::string_view> fields = text::split(soabi, '-');
  const auto join_first = [&](std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < fields.size() && i < n; ++i) {
      out += i == 0 ? "" : "-";
      out += fields[i];
    }
    return out;
  };
  std::string abi;
  if (soabi.starts_with("cpython")) {
    if (fields.size() < 2 || fields[1].empty()) {
      return invalid();
    }
    abi = fmt::format("cp{}", fields[1]);
  } else if (soabi.starts_with("cp")) {
    abi = fields[0];  // Windows: `.cp311-win_amd64.pyd`
  } else if (soabi.starts_with("pypy")) {
    abi = join_first(2);
  } else if (soabi.starts_with("graalpy")) {
    abi = join_first(3);
  } else if (!soabi.empty()) {
    abi = soabi;
  } else {
    return std::vector<std::string>{};
  }
  return std::vector<std::string>{normalize_platform(abi)};
}

// packaging.tags._py_interpreter_range: `py311`, `py3`, `py310` ... `py30`.
std::vector<std::string> py_interpreter_range(const PythonVersion& version) {
  std::vector<std::string> out;
  if (version.size() > 1) {
    out.push_back("py" + version_nodot(version));
  }
  out.push_back(fmt::format("py{}", version[0]));
  if (version.size() > 1) {
    for (int minor = version[1] - 1; minor >= 0; --minor) {
      out.push_back(fmt::format("py{}{}", version[0], minor));
    }
  }
  return out;
}

// packaging.tags.compatible_tags(python_version, interpreter, platforms).
void append_compatible_tags(std::vector<Group>& out, const PythonVersion& version,
                            std::string_view interpreter) {
  const std::vector<std::string> pythons = py_interpreter_range(version);
  for (const std::string& python : pythons) {
    append_each_platform(out, python, "none");
  }
  if (!interpreter.empty()) {
    out.push_back(Group{text::to_lower(interpreter), "none", true});
  }
  for (const std::string& python : pythons) {
    out.push_back(Group{text::to_lower(python), "none", true});
  }
}

}  // namespace

Result<SupportedTags> SupportedTags::from_facts(const facts::TagFacts& facts) {
  const PythonVersion& version = facts.python_version;
  if (version.empty()) {
    return unexpected(
        make_error(ErrorCode::invalid_data, "expected `python_version` such as [3, 11], found []"));
  }
  // pip's _get_custom_interpreter(): interpreter_name() + interpreter_version().
  const std::string interpreter = facts.interpreter_name + facts.interpreter_version;
  std::vector<Group> groups;
  if (facts.interpreter_name == "cp") {
    append_cpython_tags(groups, version, facts);
  } else {
    MLSTACK_TRY_ASSIGN(std::vector<std::string> abis, generic_abis(facts));
    if (std::find(abis.begin(), abis.end(), "none") == abis.end()) {
      abis.emplace_back("none");
    }
    for (const std::string& abi : abis) {
      append_each_platform(groups, interpreter, abi);
    }
  }
  append_compatible_tags(groups, version, interpreter);
  std::vector<std::string> platforms = platform_tags(facts);
  for (std::string& platform : platforms) {
    platform = text::to_lower(platform);
  }
  return SupportedTags(std::move(groups), std::move(platforms));
}

SupportedTags::SupportedTags(std::vector<Group> groups, std::vector<std::string> platforms)
    : m_groups(std::move(groups)),
      m_platforms(std::move(platforms)),
      m_platform_set(m_platforms.begin(), m_platforms.end()) {}

bool SupportedTags::contains(const Tag& tag) const {
  bool platform_known = false;
  bool platform_checked = false;
  for (const Group& g : m_groups) {
    if (g.interpreter != tag.interpreter || g.abi != tag.abi) {
      continue;
    }
    if (g.any_platform) {
      if (tag.platform == "any") {
        return true;
      }
      continue;
    }
    if (!platform_checked) {
      platform_known = m_platform_set.contains(tag.platform);
      platform_checked = true;
    }
    if (platform_known) {
      return true;
    }
  }
  return false;
}

std::vector<Tag> SupportedTags::ordered() const {
  std::vector<Tag> out;
  std::unordered_set<Tag, TagHash> seen;
  const auto add = [&](const Group& g, const std::string& platform) {
    Tag tag{g.interpreter, g.abi, platform};
    if (seen.insert(tag).second) {
      out.push_back(std::move(tag));
    }
  };
  for (const Group& g : m_groups) {
    if (g.any_platform) {
      add(g, "any");
    } else {
      for (const std::string& platform : m_platforms) {
        add(g, platform);
      }
    }
  }
  return out;
}

bool SupportedTags::any_supported(const std::vector<Tag>& tags) const {
  return std::any_of(tags.begin(), tags.end(), [&](const Tag& tag) { return contains(tag); });
}

}  // namespace mlstack::tags
