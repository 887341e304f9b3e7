// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/probe_facts.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

/// `doctor --probe`: the target interpreter run in child processes, each framework alone and
/// each pair in both orders, in parallel, each bounded in time and output (docs/probe.md).
namespace mlstack::probe {

/// Whether the probes may list devices in ways that initialize CUDA (`--probe-gpu`).
enum class GpuListing : std::uint8_t { without_context, with_context };

struct ProbeOptions {
  std::string python;                   // the interpreter, a path
  std::vector<std::string> frameworks;  // import names, in the report's order
  std::chrono::milliseconds timeout{60'000};  // per probe
  std::size_t jobs = 0;                       // probes at once; 0: the CPUs this process may use
  GpuListing gpu = GpuListing::without_context;
  // Kept of each probe's stdout and stderr (the first and the last half; the rest is read
  // and dropped, so a flood neither grows memory nor blocks the child).
  std::size_t max_output = std::size_t{64} << 10U;
};

/// Each framework alone, then each pair in both orders: [a], [b], [a, b], [b, a].
[[nodiscard]] std::vector<std::vector<std::string>> probe_orders(
    const std::vector<std::string>& frameworks);

/// What every probe's environment sets, over the inherited one, so that no framework takes
/// GPU memory from running jobs: `XLA_PYTHON_CLIENT_PREALLOCATE=false`, ...
[[nodiscard]] std::vector<std::string> probe_environment();

/// The command line of one probe: `PYTHON -B -c SOURCE [--gpu] MODULE...`.
[[nodiscard]] std::vector<std::string> probe_command(const std::string& python,
                                                     const std::vector<std::string>& order,
                                                     GpuListing gpu);

/// The CPUs this process may run on (sched_getaffinity), at least 1.
[[nodiscard]] std::size_t usable_cpus();

/// Runs every probe of probe_orders(options.frameworks), at most `jobs` at once, and returns
/// the results in that order. Never fails: a probe that cannot start is `not-run`.
[[nodiscard]] facts::ProbeFacts run_probes(const ProbeOptions& options);

}  // namespace mlstack::probe
