// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlstack::facts {

/// PEP 508 marker variables of the target interpreter, by name
/// (`python_version`, `sys_platform`, ...; never `extra`).
using MarkerValues = std::map<std::string, std::string>;

/// What packaging.tags needs to compute the interpreter's supported wheel tags.
// Collected by src/mlstack/tags/tag_facts_probe.py; the JSON keys are the field names
// (facts/tag_facts_json.hpp). Fields below `is_32bit` were added for mlstack::tags.
struct TagFacts {
  std::string interpreter_name;     // `cp`, `pp`, ... (packaging.tags.interpreter_name())
  std::string interpreter_version;  // `311` (packaging.tags.interpreter_version())
  std::vector<int> python_version;  // sys.version_info[:2]
  std::string soabi;                // sysconfig SOABI, `cpython-311-x86_64-linux-gnu`
  std::string ext_suffix;           // sysconfig EXT_SUFFIX
  // Debug ABI as packaging derives it: Py_DEBUG, or when unset, sys.gettotalrefcount or a
  // `_d.pyd` extension suffix (Windows).
  bool py_debug = false;
  bool gil_disabled = false;   // Py_GIL_DISABLED (free-threaded builds)
  std::string platform;        // sysconfig.get_platform(): `linux-x86_64`
  std::string glibc_version;   // os.confstr('CS_GNU_LIBC_VERSION') version part, `2.36`
  bool is_32bit = false;       // sys.maxsize <= 2**32
  std::string system;          // platform.system(): `Linux`, `Darwin`, `Windows`, `iOS`, ...
  bool with_pymalloc = false;  // WITH_PYMALLOC set or unknown (the `m` ABI flag before 3.8)
  // Linux: the version printed by the musl loader named in sys.executable's PT_INTERP, `1.2`;
  // empty when the interpreter is not linked against musl.
  std::string musl_version;
  bool elf_armhf = false;  // sys.executable is a 32-bit LSB ARM EABI5 hard-float ELF
  bool elf_i686 = false;   // sys.executable is a 32-bit LSB i386 ELF
  // Tags such as `manylinux_2_17_x86_64` that a distro's `_manylinux` module declares
  // incompatible although glibc is new enough; empty without such a module.
  std::vector<std::string> manylinux_incompatible;
  std::string mac_version;    // macOS: platform.mac_ver()[0], the real one when 10.16, `14.2`
  std::string mac_arch;       // macOS: platform.mac_ver()[2], `arm64`
  std::string ios_version;    // iOS: platform.ios_ver().release, `17.2`
  std::string multiarch;      // iOS: sys.implementation._multiarch, `arm64-iphoneos`
  int android_api_level = 0;  // Android: platform.android_ver().api_level
  std::string emscripten_platform_version;  // PYEMSCRIPTEN_PLATFORM_VERSION, `4_0`
};

/// The target interpreter as it would see itself.
struct PythonFacts {
  std::string executable;      // as given or found on PATH, made absolute (symlinks kept)
  std::string version;         // platform.python_version(), `3.11.7`
  std::string prefix;          // sys.prefix
  std::string base_prefix;     // sys.base_prefix
  bool in_virtualenv = false;  // prefix != base_prefix or sys.real_prefix
  std::vector<std::string> sys_path;   // sys.path without the script dir / cwd entry
  std::vector<std::string> site_dirs;  // site.getsitepackages() + user site when enabled
  MarkerValues markers;
  TagFacts tags;
};

}  // namespace mlstack::facts
