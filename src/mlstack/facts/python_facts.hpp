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
struct TagFacts {
  std::string interpreter_name;     // `cp`, `pp`, ... (packaging.tags.interpreter_name())
  std::string interpreter_version;  // `311` (packaging.tags.interpreter_version())
  std::vector<int> python_version;  // sys.version_info[:2]
  std::string soabi;                // sysconfig SOABI, `cpython-311-x86_64-linux-gnu`
  std::string ext_suffix;           // sysconfig EXT_SUFFIX
  bool py_debug = false;            // Py_DEBUG
  bool gil_disabled = false;        // Py_GIL_DISABLED (free-threaded builds)
  std::string platform;             // sysconfig.get_platform(): `linux-x86_64`
  std::string glibc_version;        // os.confstr('CS_GNU_LIBC_VERSION') version part, `2.36`
  bool is_32bit = false;            // sys.maxsize <= 2**32
};

/// The target interpreter as it would see itself.
struct PythonFacts {
  std::string executable;      // as given or found on PATH
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
