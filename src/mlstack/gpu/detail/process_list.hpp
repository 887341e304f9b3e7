// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/gpu/nvml.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace mlstack::gpu::detail {

/// The most compute processes read from one GPU (24 bytes each). NVML documents no maximum; a
/// GPU shared by MPS clients or MIG instances runs dozens, not thousands. A larger count is
/// `insufficient_size`, which gather.cpp reports as such, instead of an allocation of what the
/// library claims (up to 4 billion entries).
inline constexpr unsigned k_max_nvml_processes = 4096;

/// The two-call protocol of nvmlDeviceGetComputeRunningProcesses*: ask with *count = 0 (the
/// library answers NVML_ERROR_INSUFFICIENT_SIZE and the count, or success when none run), then
/// again with room for a few more, since processes may start in between. `call(&count, infos)`
/// makes the call. What the library answers is not trusted: a count past
/// k_max_nvml_processes is `insufficient_size`, and a count larger than the buffer after a
/// successful call keeps the buffer's entries only.
template <class Info, class Call>
NvmlStatus read_process_list(Call call, std::vector<Info>& out) {
  out.clear();
  unsigned count = 0;
  NvmlStatus status = call(&count, nullptr);
  constexpr unsigned k_slack = 8;
  constexpr int k_attempts = 3;
  for (int attempt = 0; attempt < k_attempts && status == NvmlStatus::insufficient_size;
       ++attempt) {
    if (count > k_max_nvml_processes) {
      out.clear();
      return NvmlStatus::insufficient_size;
    }
    count = std::min(count + k_slack, k_max_nvml_processes);
    out.assign(count, Info{});
    status = call(&count, out.data());
  }
  if (status == NvmlStatus::success) {
    out.resize(std::min<std::size_t>(count, out.size()));
  } else {
    out.clear();
  }
  return status;
}

}  // namespace mlstack::gpu::detail
