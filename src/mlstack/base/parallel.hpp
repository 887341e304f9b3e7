// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace mlstack {

/// The worker threads mlstack uses for I/O-bound and parsing loops: the machine's hardware
/// threads, at least 1 and at most 4 (more only adds contention on small inputs).
[[nodiscard]] inline std::size_t default_thread_count() noexcept {
  return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
}

/// Calls `work(i)` for every `i` in `[0, n)` on `threads` threads, the caller's included.
/// Indexes are handed out one at a time, so a few heavy items (torch's RECORD, a package with
/// hundreds of requirements) do not leave a thread idle. `work` must only write slot `i` of
/// its output; callers merge in index order afterwards, so results do not depend on timing.
template <class Work>
void parallel_for(std::size_t n, std::size_t threads, Work&& work) {
  std::atomic<std::size_t> next{0};
  auto run = [&] {
    for (std::size_t i = next++; i < n; i = next++) {
      work(i);
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t t = 1; t < threads; ++t) {
    workers.emplace_back(run);
  }
  run();
  for (std::thread& w : workers) {
    w.join();
  }
}

}  // namespace mlstack
