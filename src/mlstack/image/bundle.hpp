// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "mlstack/base/result.hpp"

namespace mlstack::image {

/// Where a bundle's files come from.
struct BundleSources {
  std::string executable;  // the mlstack binary to bundle (cli: /proc/self/exe)
  /// Folders searched, in order, for each DT_NEEDED library (the ld.so defaults of Debian's
  /// multiarch layout); the ELF interpreter is the file `.interp` names.
  std::vector<std::string> library_dirs = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                                           "/lib64", "/usr/lib64", "/lib", "/usr/lib"};
  std::string patchelf;  // the patchelf program; empty: searched on PATH
  std::string strip;     // binutils' strip; empty: searched on PATH (none: debug info stays)
  /// Shared objects mlstack loads with dlopen that the bundle carries (the ONNX reader,
  /// `libmlstack-onnx.so`: the cli passes the one mlstack would load, onnx_plugin.hpp).
  std::vector<std::string> plugins;
};

/// What went into a bundle.
struct Bundle {
  std::string interpreter;             // the ELF interpreter's path in the image
  std::vector<std::string> libraries;  // the sonames copied to lib/, sorted
  std::vector<std::string> plugins;    // the plugins' file names copied to lib/mlstack/
  bool stripped = false;               // the copy's debug sections were removed (strip)
};

/// Writes a self-contained copy of mlstack to `dir` (the build context's `mlstack/` folder,
/// /opt/mlstack in the image): `bin/mlstack` and, in `lib/`, the C library's ELF interpreter
/// and every library it needs (DT_NEEDED, transitively: libc, libm, libelf, libz, ...). The
/// copy's interpreter is `<image_dir>/lib/<ld.so>` and its DT_RPATH `<image_dir>/lib` (set by
/// patchelf), so it runs on a base with an older glibc than the build machine's. The
/// `plugins` go to `lib/mlstack/` (where mlstack looks for them: `../lib/mlstack/` from its
/// binary), their DT_RPATH set to `<image_dir>/lib`, and the libraries they need (the ONNX
/// reader's libonnx_proto, libprotobuf, libstdc++, ...) to `lib/` with the binary's. Other
/// libraries mlstack opens with dlopen (libarchive, ICU, NVML) are not bundled: NVML must come
/// from the host's driver, the others are optional and come from the base when it has them.
/// The copies' debug sections are removed (`strip --strip-debug`) when binutils' strip is on
/// PATH: a RelWithDebInfo mlstack is ~100 MB with them, a few MB without.
/// Errors name the library that was not found (and who needs it), the file that could not be
/// written, or patchelf's failure (it is the Debian package `patchelf`).
[[nodiscard]] Result<Bundle> make_bundle(const BundleSources& sources, const std::string& dir,
                                         const std::string& image_dir);

}  // namespace mlstack::image
