// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace mlstack::facts {

/// The system an interpreter runs on, as `collect_env`-style reports show it. Empty: unknown.
struct SystemFacts {
  std::string os_name;        // os-release PRETTY_NAME: `Debian GNU/Linux 12 (bookworm)`
  std::string os_id;          // os-release ID: `debian`, `ubuntu`, `rhel`
  std::string os_version_id;  // os-release VERSION_ID: `12`, `22.04`
  std::string os_source;      // the file read: `/etc/os-release`
  // The interpreter's C library: `os.confstr("CS_GNU_LIBC_VERSION")` (TagFacts), `2.36`;
  // empty when it is not glibc (musl, macOS).
  std::string glibc_version;
};

}  // namespace mlstack::facts
