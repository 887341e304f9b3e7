// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mlstack/facts/loader_facts.hpp"
#include "mlstack/facts/probe_facts.hpp"
#include "mlstack/rules/finding.hpp"

/// Findings from the isolated import probes (`doctor --probe`; docs/rules.md, PROBE-*), and the
/// comparison of what they mapped with what the loader emulation predicted. Pure.
namespace mlstack::rules {

/// Whether a file is a CUDA user-space library (`libcudart`, `libcublas`, `libcudnn*`, ...: not
/// the driver's `libcuda`) or a `libstdc++`, by its name.
[[nodiscard]] bool tracked_library(std::string_view real_path);

/// Whether a mapped file takes part in the predicted-vs-observed comparison: a shared object
/// (`.so` in its name), under one
/// of `roots` (the environment's site folders, its prefix when it is a virtual environment),
/// under a CUDA toolkit folder (`/usr/local/cuda`, `/usr/local/cuda-13.0`, ...), a CUDA
/// user-space library wherever it lies (`libcudart`, `libcublas`, `libcudnn`, `libnccl`,
/// `libnvJitLink`, `libnvrtc`, `libcufft`, `libcusparse`, ...: not the driver's `libcuda`), or
/// a `libstdc++`. Other system objects (libc, libz) are left out: they do not decide which
/// framework library is used, and their set depends on the interpreter's build.
[[nodiscard]] bool compared_library(std::string_view real_path,
                                    const std::vector<std::string>& roots);

/// PROBE-CRASH, PROBE-TIMEOUT, PROBE-IMPORT-ERROR, PROBE-EXIT, PROBE-NOT-RUN for probes that did
/// not finish cleanly, and PROBE-MISMATCH (a warning when a tracked_library differs, else info)
/// for each import order whose probe mapped other
/// compared files (compared_library) at import (`mapped` less `mapped_by_devices`) than
/// `loader` predicted (`when == "import"`).
/// `loader` may be null (not emulated).
[[nodiscard]] std::vector<Finding> probe_findings(const facts::ProbeFacts& probes,
                                                  const facts::LoaderFacts* loader,
                                                  const std::vector<std::string>& roots);

}  // namespace mlstack::rules
