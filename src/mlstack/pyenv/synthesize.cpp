// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/synthesize.hpp"

#include "mlstack/base/text.hpp"

#include <fmt/format.h>

#include <array>

namespace mlstack::pyenv {
namespace {

struct PlatformRow {
  std::string_view name, sys_platform, system, machine, os_name, tags_platform;
  std::string_view soabi_suffix;  // after `cpython-3XY`
};

constexpr std::array<PlatformRow, 5> k_platforms = {{
    {"linux-x86_64", "linux", "Linux", "x86_64", "posix", "linux-x86_64", "-x86_64-linux-gnu"},
    {"linux-aarch64", "linux", "Linux", "aarch64", "posix", "linux-aarch64", "-aarch64-linux-gnu"},
    {"macos-arm64", "darwin", "Darwin", "arm64", "posix", "macosx-11.0-arm64", "-darwin"},
    {"macos-x86_64", "darwin", "Darwin", "x86_64", "posix", "macosx-10.9-x86_64", "-darwin"},
    {"windows-amd64", "win32", "Windows", "AMD64", "nt", "win-amd64", ""},
}};

constexpr std::string_view k_glibc = "2.35";
constexpr std::string_view k_macos = "14.0";

}  // namespace

Result<facts::PythonFacts> synthesize_facts(std::string_view python_version,
                                            std::string_view platform,
                                            const std::vector<std::string>& site_dirs) {
  const auto parts = text::split(python_version, '.');
  bool ok = (parts.size() == 2 || parts.size() == 3);
  std::vector<int> numbers;
  for (const std::string_view p : parts) {
    if (p.empty() || p.size() > 4) {
      ok = false;
      break;
    }
    int n = 0;
    for (const char c : p) {
      ok = ok && text::is_ascii_digit(c);
      n = n * 10 + (c - '0');
    }
    numbers.push_back(n);
  }
  if (!ok || numbers.at(0) != 3) {
    return unexpected(make_error(
        ErrorCode::parse,
        fmt::format("expected a Python version such as `3.12`, found `{}`", python_version)));
  }
  const PlatformRow* row = nullptr;
  for (const PlatformRow& r : k_platforms) {
    if (r.name == platform) {
      row = &r;
    }
  }
  if (row == nullptr) {
    std::string known;
    for (const PlatformRow& r : k_platforms) {
      known += known.empty() ? "" : ", ";
      known += r.name;
    }
    return unexpected(make_error(
        ErrorCode::parse, fmt::format("expected a platform such as `linux-x86_64`, found `{}`\n"
                                      "hint: known platforms: {}",
                                      platform, known)));
  }
  const int major = numbers[0];
  const int minor = numbers[1];
  const int micro = numbers.size() == 3 ? numbers[2] : 0;
  const std::string full = fmt::format("{}.{}.{}", major, minor, micro);
  const std::string nodot = fmt::format("{}{}", major, minor);

  facts::PythonFacts f;
  f.version = full;
  f.sys_path = site_dirs;
  f.site_dirs = site_dirs;
  f.markers = {
      {"implementation_name", "cpython"},
      {"implementation_version", full},
      {"os_name", std::string(row->os_name)},
      {"platform_machine", std::string(row->machine)},
      {"platform_release", ""},
      {"platform_system", std::string(row->system)},
      {"platform_version", ""},
      {"python_full_version", full},
      {"platform_python_implementation", "CPython"},
      {"python_version", fmt::format("{}.{}", major, minor)},
      {"sys_platform", std::string(row->sys_platform)},
  };
  facts::TagFacts& t = f.tags;
  t.interpreter_name = "cp";
  t.interpreter_version = nodot;
  t.python_version = {major, minor};
  t.platform = std::string(row->tags_platform);
  t.system = std::string(row->system);
  if (row->os_name == "nt") {
    t.ext_suffix = fmt::format(".cp{}-win_amd64.pyd", nodot);
  } else {
    t.soabi = fmt::format("cpython-{}{}", nodot, row->soabi_suffix);
    t.ext_suffix = fmt::format(".{}.so", t.soabi);
  }
  if (row->system == "Linux") {
    t.glibc_version = std::string(k_glibc);
  } else if (row->system == "Darwin") {
    t.mac_version = std::string(k_macos);
    t.mac_arch = std::string(row->machine);
  }
  return f;
}

}  // namespace mlstack::pyenv
