// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/python_facts.hpp"

namespace mlstack::rules::testing {

/// CPython 3.11.7 on x86_64 Linux with glibc 2.36, as the probe reports it.
inline facts::PythonFacts linux_cp311() {
  facts::PythonFacts py;
  py.executable = "/venv/bin/python";
  py.version = "3.11.7";
  py.prefix = "/venv";
  py.base_prefix = "/usr";
  py.in_virtualenv = true;
  py.markers = {{"implementation_name", "cpython"},
                {"implementation_version", "3.11.7"},
                {"os_name", "posix"},
                {"platform_machine", "x86_64"},
                {"platform_python_implementation", "CPython"},
                {"platform_release", "6.1.0"},
                {"platform_system", "Linux"},
                {"platform_version", "#1 SMP"},
                {"python_full_version", "3.11.7"},
                {"python_version", "3.11"},
                {"sys_platform", "linux"}};
  py.tags.interpreter_name = "cp";
  py.tags.interpreter_version = "311";
  py.tags.python_version = {3, 11};
  py.tags.soabi = "cpython-311-x86_64-linux-gnu";
  py.tags.ext_suffix = ".cpython-311-x86_64-linux-gnu.so";
  py.tags.platform = "linux-x86_64";
  py.tags.glibc_version = "2.36";
  py.tags.system = "Linux";
  return py;
}

inline facts::InstalledDist dist(std::string name, std::string version,
                                 std::vector<std::string> requires_dist = {}) {
  facts::InstalledDist d;
  d.location = "/venv/lib/python3.11/site-packages";
  d.info_path = d.location + "/" + name + "-" + version + ".dist-info";
  d.canonical_name = std::move(name);
  d.raw_name = d.canonical_name;
  d.version_text = std::move(version);
  d.requires_dist = std::move(requires_dist);
  d.installer = "pip";
  return d;
}

}  // namespace mlstack::rules::testing
