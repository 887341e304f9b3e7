// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mlstack/report/report.hpp"

namespace mlstack::nfd {

/// The label namespace. nfd-master accepts every namespace but `kubernetes.io` and
/// `*.kubernetes.io` unless told otherwise (`-deny-label-ns`, docs/reference/
/// master-commandline-reference.md of kubernetes-sigs/node-feature-discovery).
inline constexpr std::string_view k_namespace = "mlstack.io";

/// NFD ignores a feature file larger than this (source/local/local.go, `MaxFeatureFileSize`).
inline constexpr std::size_t k_max_file_size = 65536;

/// The default lifetime of the labels: twice a 5-minute doctor period, so one late run does
/// not drop them and a node whose checks stopped loses them within 10 minutes (a periodic run
/// passes `--expiry` twice its own period).
inline constexpr std::int64_t k_default_expiry_s = 600;

struct Options {
  std::int64_t now_s = 0;                     // the run's time, seconds since the epoch
  std::int64_t expiry_s = k_default_expiry_s;  // `--expiry`: labels expire this much later
  bool strict = false;                        // `--strict`: warnings make the verdict fail
};

/// `value` as a Kubernetes label value: at most 63 bytes of `[A-Za-z0-9._-]`, beginning and
/// ending with a letter or digit. Every other byte becomes `_`, then leading and trailing bytes
/// that are not letters or digits are dropped, and the rest is cut to 63 bytes (and trimmed
/// again). `2.15.0+cu130` → `2.15.0_cu130`; empty when nothing is left.
[[nodiscard]] std::string label_value(std::string_view value);

/// A Node Feature Discovery local feature file (`features.d`): a `# +expiry-time=` directive
/// first, then `mlstack.io/<name>=<value>` lines, one per label, for what GPU Feature Discovery
/// does not label: the doctor's verdict and counts, mlstack's and Python's versions, each
/// framework's version, CUDA/cuDNN/NCCL build and GPU build, and the cuDNN and NCCL versions
/// found (docs/formats.md). At most k_max_file_size bytes.
///
///     # +expiry-time=2026-12-07T06:10:00Z
///     mlstack.io/doctor.verdict=errors
///     mlstack.io/torch.version=2.15.0
[[nodiscard]] std::string render(const report::Report& report, const Options& options);

}  // namespace mlstack::nfd
