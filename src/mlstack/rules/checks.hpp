// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <string_view>

namespace mlstack::rules {

/// The ids of the checks doctor runs in its own code, by when they run (docs/rules.md); the
/// knowledge base's `[[rule]]` entries (data/kb/rules.toml, `--kb`) add theirs. What a run
/// evaluated is reported as one test case each by `doctor --format junit`.
inline constexpr std::array<std::string_view, 10> k_package_checks = {
    "PKG-MISSING",   "PKG-CONFLICT",        "PKG-PLATFORM",   "PKG-EXTRA-MISSING",
    "PKG-EXTRA-CONFLICT", "PKG-DUPLICATE", "PKG-REQUIRES-PYTHON", "PKG-FILE-CLASH",
    "PKG-BAD-METADATA", "PKG-PATH-UNREADABLE"};

/// Problems met while gathering the GPU and framework facts.
inline constexpr std::array<std::string_view, 4> k_gathering_checks = {
    "GPU-PROBE", "GPU-VISIBLE-DEVICES", "FW-BUILD-UNREADABLE", "FW-CUDA-LIBS-UNREADABLE"};

/// Over the loader's prediction (interpreter targets, not `--site`).
inline constexpr std::array<std::string_view, 8> k_loader_checks = {
    "LOAD-LIB-TOO-OLD",     "LOAD-LIB-CUDA-MAJOR",  "LOAD-LIB-DUPLICATE", "LOAD-SYMBOL-VERSION",
    "LOAD-LD-LIBRARY-PATH", "LOAD-LIB-NOT-FOUND", "LOAD-ARCH-MISSING",  "LOAD-INCOMPLETE"};

/// Over the import probes (`--probe`).
inline constexpr std::array<std::string_view, 6> k_probe_checks = {
    "PROBE-CRASH", "PROBE-TIMEOUT", "PROBE-IMPORT-ERROR", "PROBE-EXIT", "PROBE-NOT-RUN",
    "PROBE-MISMATCH"};

}  // namespace mlstack::rules
