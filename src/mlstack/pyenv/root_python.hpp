// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/io/file_system.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The Python environments of a root file system that no interpreter of this machine runs
/// (`doctor --root DIR`, `doctor --image ARCHIVE`), found and described from the root's files
/// alone ([image.md](../../../docs/image.md)).
namespace mlstack::pyenv {

/// An interpreter of the root and the environment it starts in.
struct RootPython {
  std::string executable;      // as found on PATH, inside the root (`/opt/venv/bin/python3`)
  std::string real_executable; // its symlinks resolved (`/usr/local/bin/python3.11`)
  std::string version;         // exact: `3.11.2`
  std::string version_source;  // where `version` was read (`pyvenv.cfg`, the binary, dpkg)
  std::string prefix;          // sys.prefix
  std::string base_prefix;     // sys.base_prefix
  bool in_virtualenv = false;
  std::vector<std::string> sys_path;   // the standard library, then the site dirs
  std::vector<std::string> site_dirs;  // site.getsitepackages() as that Python computes it
  std::string platform;        // `linux-x86_64` / `linux-aarch64`, from the binary's ELF header
};

/// Every `python3` (else `python`) on `path_env` (the image's `ENV PATH`, or the default
/// PATH of a shell), one per distinct real interpreter and virtual environment, in PATH order:
/// the first is what `python3` runs in the container. Interpreters that cannot be described
/// (no version found anywhere) are left out with a line in `problems`.
[[nodiscard]] std::vector<RootPython> find_root_pythons(const io::FileSystem& fs,
                                                        std::string_view path_env,
                                                        std::vector<std::string>& problems);

/// The interpreter at `executable` (a path inside the root: `--python` with `--root`).
[[nodiscard]] Result<RootPython> describe_root_python(const io::FileSystem& fs,
                                                      const std::string& executable);

/// The exact version a CPython binary (or its libpython) was built as: the `PY_VERSION` string
/// in its read-only data (`3.11.2`, `3.13.0rc1`) whose major.minor is `minor`; none when absent.
[[nodiscard]] std::optional<std::string> python_version_in_binary(const io::FileSystem& fs,
                                                                  const std::string& path,
                                                                  std::string_view minor);

/// The glibc version of the root (`2.36`): from `libc.so.6` in the usual folders (its
/// "release version X.Y" string), else dpkg's status of `libc6`; empty when neither is found.
[[nodiscard]] std::string root_glibc_version(const io::FileSystem& fs);

/// PythonFacts for `python` as its own interpreter would report them, from `synthesize_facts`
/// (markers and tags of that version and platform) with the root's glibc.
[[nodiscard]] Result<facts::PythonFacts> root_python_facts(const RootPython& python,
                                                           std::string_view glibc_version);

/// The default PATH of a root without an image configuration (Debian's /etc/profile, as
/// Docker's default).
inline constexpr std::string_view k_default_root_path =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace mlstack::pyenv
