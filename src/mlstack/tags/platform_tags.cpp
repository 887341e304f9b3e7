// SPDX-License-Identifier: MIT
#include "mlstack/tags/platform_tags.hpp"

#include "mlstack/base/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

namespace mlstack::tags {
namespace {

using VersionPair = std::pair<int, int>;  // (major, minor), compared as Python tuples

// Reads leading ASCII digits as an int; nullopt when there are none or they overflow.
std::optional<int> parse_int(std::string_view& s) {
  int value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end == s.data() || s.front() == '-' || s.front() == '+') {
    return std::nullopt;
  }
  s.remove_prefix(static_cast<std::size_t>(end - s.data()));
  return value;
}

// re.match(r"([0-9]+)\.([0-9]+)", s): `2.20-2014.11` → (2, 20), as packaging parses glibc
// and musl versions.
std::optional<VersionPair> match_major_minor(std::string_view s) {
  const std::optional<int> major = parse_int(s);
  if (!major || s.empty() || s.front() != '.') {
    return std::nullopt;
  }
  s.remove_prefix(1);
  const std::optional<int> minor = parse_int(s);
  if (!minor) {
    return std::nullopt;
  }
  return VersionPair{*major, *minor};
}

// tuple(map(int, s.split(".")[:2])) for Apple versions; nullopt unless both parts are ints.
std::optional<VersionPair> split_major_minor(std::string_view s) {
  const std::vector<std::string_view> parts = text::split(s, '.');
  if (parts.size() < 2) {
    return std::nullopt;
  }
  std::string_view major_text = parts[0];
  std::string_view minor_text = parts[1];
  const std::optional<int> major = parse_int(major_text);
  const std::optional<int> minor = parse_int(minor_text);
  if (!major || !minor || !major_text.empty() || !minor_text.empty()) {
    return std::nullopt;
  }
  return VersionPair{*major, *minor};
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// packaging._manylinux._have_compatible_abi: 32-bit ARM and x86 need the ELF header checked.
bool have_compatible_abi(const std::vector<std::string>& archs, const facts::TagFacts& facts) {
  if (contains(archs, "armv7l")) {
    return facts.elf_armhf;
  }
  if (contains(archs, "i686")) {
    return facts.elf_i686;
  }
  static constexpr std::string_view k_allowed[] = {"x86_64", "aarch64",     "ppc64",  "ppc64le",
                                                   "s390x",  "loongarch64", "riscv64"};
  return std::any_of(archs.begin(), archs.end(), [](const std::string& arch) {
    return std::find(std::begin(k_allowed), std::end(k_allowed), arch) != std::end(k_allowed);
  });
}

// packaging._manylinux._LAST_GLIBC_MINOR: a guess for glibc majors that do not exist yet.
constexpr int k_last_glibc_minor = 50;

std::string_view legacy_manylinux(VersionPair glibc) {
  if (glibc == VersionPair{2, 17}) {
    return "manylinux2014";  // CentOS 7 (PEP 599)
  }
  if (glibc == VersionPair{2, 12}) {
    return "manylinux2010";  // CentOS 6 (PEP 571)
  }
  if (glibc == VersionPair{2, 5}) {
    return "manylinux1";  // CentOS 5 (PEP 513)
  }
  return {};
}

// packaging.tags._mac_binary_formats.
std::vector<std::string> mac_binary_formats(VersionPair version, std::string_view arch) {
  std::vector<std::string> formats{std::string(arch)};
  if (arch == "x86_64") {
    if (version < VersionPair{10, 4}) {
      return {};
    }
    formats.insert(formats.end(), {"intel", "fat64", "fat3"});
  } else if (arch == "i386") {
    if (version < VersionPair{10, 4}) {
      return {};
    }
    formats.insert(formats.end(), {"intel", "fat3", "fat"});
  } else if (arch == "ppc64") {
    if (version > VersionPair{10, 5} || version < VersionPair{10, 4}) {
      return {};
    }
    formats.emplace_back("fat64");
  } else if (arch == "ppc") {
    if (version > VersionPair{10, 6}) {
      return {};
    }
    formats.insert(formats.end(), {"fat3", "fat"});
  }
  if (arch == "arm64" || arch == "x86_64") {
    formats.emplace_back("universal2");
  }
  if (arch == "x86_64" || arch == "i386" || arch == "ppc64" || arch == "ppc" || arch == "intel") {
    formats.emplace_back("universal");
  }
  return formats;
}

void append_mac(std::vector<std::string>& out, VersionPair version, std::string_view arch) {
  for (const std::string& format : mac_binary_formats(version, arch)) {
    out.push_back(fmt::format("macosx_{}_{}_{}", version.first, version.second, format));
  }
}

}  // namespace

std::string normalize_platform(std::string_view platform) {
  std::string out(platform);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '.' || c == '-' || c == ' '; }, '_');
  return out;
}

std::vector<std::string> manylinux_platforms(const std::vector<std::string>& archs,
                                             const facts::TagFacts& facts) {
  std::vector<std::string> out;
  if (!have_compatible_abi(archs, facts)) {
    return out;
  }
  // The oldest glibc supported is 2.17, or 2.5 on x86.
  VersionPair too_old{2, 16};
  if (contains(archs, "x86_64") || contains(archs, "i686")) {
    too_old = {2, 4};
  }
  // An unknown glibc is (-1, -1): no tags. Compatibility holds across glibc majors
  // (https://sourceware.org/bugzilla/show_bug.cgi?id=24636), so older majors count in full.
  const VersionPair current = match_major_minor(facts.glibc_version).value_or(VersionPair{-1, -1});
  std::vector<VersionPair> glibc_max{current};
  for (int major = current.first - 1; major > 1; --major) {
    glibc_max.emplace_back(major, k_last_glibc_minor);
  }
  for (const std::string& arch : archs) {
    for (const VersionPair& max : glibc_max) {
      const int min_minor = max.first == too_old.first ? too_old.second : -1;
      for (int minor = max.second; minor > min_minor; --minor) {
        std::string tag = fmt::format("manylinux_{}_{}_{}", max.first, minor, arch);
        if (contains(facts.manylinux_incompatible, tag)) {
          continue;  // vetoed by the distro's `_manylinux` module
        }
        out.push_back(std::move(tag));
        if (const std::string_view legacy = legacy_manylinux({max.first, minor}); !legacy.empty()) {
          out.push_back(fmt::format("{}_{}", legacy, arch));
        }
      }
    }
  }
  return out;
}

std::vector<std::string> musllinux_platforms(const std::vector<std::string>& archs,
                                             const facts::TagFacts& facts) {
  std::vector<std::string> out;
  const std::optional<VersionPair> musl = match_major_minor(facts.musl_version);
  if (!musl) {
    return out;  // not linked against musl
  }
  for (const std::string& arch : archs) {
    for (int minor = musl->second; minor >= 0; --minor) {
      out.push_back(fmt::format("musllinux_{}_{}_{}", musl->first, minor, arch));
    }
  }
  return out;
}

std::vector<std::string> linux_platforms(const facts::TagFacts& facts) {
  std::string linux = normalize_platform(facts.platform);
  if (!linux.starts_with("linux_")) {
    return {linux};
  }
  if (facts.is_32bit) {
    if (linux == "linux_x86_64") {
      linux = "linux_i686";
    } else if (linux == "linux_aarch64") {
      linux = "linux_armv8l";
    }
  }
  const std::string arch = linux.substr(std::string_view("linux_").size());
  const std::vector<std::string> archs =
      arch == "armv8l" ? std::vector<std::string>{"armv8l", "armv7l"} : std::vector{arch};
  std::vector<std::string> out;
  for (const std::string& a : archs) {
    out.push_back("linux_" + a);
  }
  for (std::vector<std::string> more :
       {manylinux_platforms(archs, facts), musllinux_platforms(archs, facts)}) {
    std::move(more.begin(), more.end(), std::back_inserter(out));
  }
  return out;
}

std::vector<std::string> mac_platforms(int major, int minor, std::string_view arch) {
  std::vector<std::string> out;
  const VersionPair version{major, minor};
  if (VersionPair{10, 0} <= version && version < VersionPair{11, 0}) {
    // Before macOS 11, each yearly release bumped the minor version.
    for (int m = minor; m >= 0; --m) {
      append_mac(out, {10, m}, arch);
    }
  }
  if (version >= VersionPair{11, 0}) {
    // From macOS 11 on, each yearly release bumps the major version.
    for (int m = major; m > 10; --m) {
      append_mac(out, {m, 0}, arch);
    }
    // x86_64 runs binaries from releases before 11; arm64 only universal2 ones.
    for (int m = 16; m > 3; --m) {
      if (arch == "x86_64") {
        append_mac(out, {10, m}, arch);
      } else {
        out.push_back(fmt::format("macosx_10_{}_universal2", m));
      }
    }
  }
  return out;
}

std::vector<std::string> ios_platforms(int major, int minor, std::string_view multiarch) {
  std::vector<std::string> out;
  const std::string arch = [&] {
    std::string s(multiarch);
    std::replace(s.begin(), s.end(), '-', '_');
    return s;
  }();
  // iOS 12.0 is the first with enough features for CPython; minors are assumed to stop at 9.
  if (major < 12) {
    return out;
  }
  out.push_back(fmt::format("ios_{}_{}_{}", major, minor, arch));
  for (int m = minor - 1; m >= 0; --m) {
    out.push_back(fmt::format("ios_{}_{}_{}", major, m, arch));
  }
  for (int older = major - 1; older > 11; --older) {
    for (int m = 9; m >= 0; --m) {
      out.push_back(fmt::format("ios_{}_{}_{}", older, m, arch));
    }
  }
  return out;
}

std::vector<std::string> android_platforms(int api_level, std::string_view abi) {
  // API level 16 is the oldest known to support CPython without major patching.
  constexpr int k_min_api_level = 16;
  std::vector<std::string> out;
  const std::string normalized = normalize_platform(abi);
  for (int level = api_level; level >= k_min_api_level; --level) {
    out.push_back(fmt::format("android_{}_{}", level, normalized));
  }
  return out;
}

std::vector<std::string> platform_tags(const facts::TagFacts& facts) {
  if (facts.system == "Darwin") {
    const std::optional<VersionPair> version = split_major_minor(facts.mac_version);
    if (!version) {
      return {};
    }
    std::string arch = facts.mac_arch;
    if (facts.is_32bit) {  // packaging.tags._mac_arch
      arch = arch.starts_with("ppc") ? "ppc" : "i386";
    }
    return mac_platforms(version->first, version->second, arch);
  }
  if (facts.system == "iOS") {
    const std::optional<VersionPair> version = split_major_minor(facts.ios_version);
    return version ? ios_platforms(version->first, version->second, facts.multiarch)
                   : std::vector<std::string>{};
  }
  if (facts.system == "Android") {
    const std::vector<std::string_view> parts = text::split(facts.platform, '-');
    return android_platforms(facts.android_api_level, parts.back());
  }
  if (facts.system == "Linux") {
    return linux_platforms(facts);
  }
  std::vector<std::string> out;
  if (facts.system == "Emscripten" && !facts.emscripten_platform_version.empty()) {
    out.push_back(fmt::format("pyemscripten_{}_wasm32", facts.emscripten_platform_version));
  }
  out.push_back(normalize_platform(facts.platform));
  return out;
}

}  // namespace mlstack::tags
