// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mlstack/base/result.hpp"
#include "mlstack/kb/kb.hpp"

namespace mlstack::launch {

/// The frameworks `--share` may name, in the order settings are listed.
inline constexpr std::string_view k_share_frameworks[] = {"torch", "tensorflow", "jax", "cupy"};

/// One `--share FW=FRACTION` entry.
struct Share {
  std::string framework;  // one of k_share_frameworks
  double fraction = 0;    // (0, 1]
  std::string text;       // the fraction as given, `0.3`
};

/// Parses `torch=0.3,jax=0.2` (one or several `--share` values, joined by the caller or
/// repeated): each name one of k_share_frameworks (else the nearest is suggested), each
/// fraction a decimal number in (0, 1], each framework once.
[[nodiscard]] Result<std::vector<Share>> parse_shares(const std::vector<std::string>& values);

/// A framework found in the target environment (frameworks::installed_frameworks).
struct Framework {
  std::string name;
  std::string distribution;
  std::string version;
};

/// One variable of the plan.
struct Setting {
  std::string name;
  std::string value;      // what mlstack sets; for `kept`, the user's value
  std::string framework;  // `torch`, ..., or `mlstack` (the shim's own variables)
  std::string why;
  std::string source;     // the KB row id (memory.toml), or empty for the shim's own
  bool kept = false;      // the user set it (or another name of its group): left alone
};

/// What `mlstack run` does to the environment of the command it starts.
struct Plan {
  std::vector<Framework> frameworks;  // those with settings (torch, tensorflow, jax, cupy)
  std::vector<Setting> settings;      // in order: per framework, then the shim's
  std::vector<std::string> notes;     // KB notes for the installed versions
  std::vector<Share> shares;
  bool needs_shim = false;  // caps applied at import (torch, tensorflow): PYTHONPATH + shim
};

/// The inputs of plan_launch.
struct PlanInput {
  std::vector<Framework> installed;  // every framework of the environment
  std::vector<Share> shares;
  // Total memory of each CUDA device in CUDA ordinal order (MiB), for TensorFlow's
  // logical-device limit; needed only with `--share tensorflow=...`.
  std::vector<std::uint64_t> gpu_memory_mib;
  std::map<std::string, std::string> environment;  // the caller's variables
};

/// The plan: the `[[launch]]` rows of `kb` for the installed versions (never a variable the
/// user set, nor another name of its group), then the caps of `shares`. Errors (exit 2): a cap
/// naming a framework that is not installed, caps adding up to more than 1, a cap whose
/// variable the user already set, a TensorFlow cap without the GPUs' memory.
[[nodiscard]] Result<Plan> plan_launch(const PlanInput& input,
                                       const std::vector<kb::LaunchSetting>& rows);

/// Variables the shim reads (docs/run.md).
inline constexpr std::string_view k_share_variable = "MLSTACK_SHARE";            // torch=0.3,...
inline constexpr std::string_view k_memory_variable = "MLSTACK_SHARE_GPU_MIB";  // 81559,81559

}  // namespace mlstack::launch
