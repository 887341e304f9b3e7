// SPDX-License-Identifier: MIT
#include "mlstack/probe/runner.hpp"

#include "mlstack/probe/import_probe_source.hpp"
#include "mlstack/probe/interpret.hpp"
#include "mlstack/pyenv/spawn.hpp"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <thread>
#include <sched.h>

namespace mlstack::probe {
namespace {

// The answer of the largest probe (two frameworks, a few hundred mapped paths per record) is
// well under 1 MiB.
constexpr std::size_t k_max_answer = std::size_t{16} << 20U;

facts::ProbeResult run_one(const ProbeOptions& options, const std::vector<std::string>& order,
                           const std::vector<std::string>& environment) {
  pyenv::ChildOptions child;
  child.timeout = options.timeout;
  child.limits = pyenv::OutputLimits{options.max_output, options.max_output};
  child.overflow = pyenv::OnOverflow::keep_ends;
  child.environment = environment;
  child.max_answer = k_max_answer;
  const double timeout_s = static_cast<double>(options.timeout.count()) / 1000.0;
  auto run = pyenv::run_child(probe_command(options.python, order, options.gpu), child);
  if (!run) {
    facts::ProbeResult r;
    r.order = order;
    r.status = "not-run";
    r.error = run.error().message;
    return r;
  }
  return interpret_run(order, *run, timeout_s);
}

}  // namespace

std::vector<std::vector<std::string>> probe_orders(const std::vector<std::string>& frameworks) {
  std::vector<std::vector<std::string>> orders;
  for (const std::string& f : frameworks) {
    orders.push_back({f});
  }
  for (std::size_t i = 0; i < frameworks.size(); ++i) {
    for (std::size_t j = i + 1; j < frameworks.size(); ++j) {
      orders.push_back({frameworks[i], frameworks[j]});
      orders.push_back({frameworks[j], frameworks[i]});
    }
  }
  return orders;
}

std::vector<std::string> probe_environment() {
  return {
      // JAX: no 75 % preallocation when a client is created (--probe-gpu).
      "XLA_PYTHON_CLIENT_PREALLOCATE=false",
      // TensorFlow: memory grows on demand if a GPU device is ever created.
      "TF_FORCE_GPU_ALLOW_GROWTH=true",
      // torch.cuda.device_count() counts through NVML, without initializing CUDA.
      "PYTORCH_NVML_BASED_CUDA_CHECK=1",
  };
}

std::vector<std::string> probe_command(const std::string& python,
                                       const std::vector<std::string>& order, GpuListing gpu) {
  std::vector<std::string> argv{python, "-B", "-c", std::string(detail::k_import_probe_source)};
  if (gpu == GpuListing::with_context) {
    argv.emplace_back("--gpu");
  }
  argv.insert(argv.end(), order.begin(), order.end());
  return argv;
}

std::size_t usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) {
    return static_cast<std::size_t>(std::max(1, CPU_COUNT(&set)));
  }
  return std::max(1U, std::thread::hardware_concurrency());
}

facts::ProbeFacts run_probes(const ProbeOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  facts::ProbeFacts facts;
  facts.done = true;
  facts.python = options.python;
  facts.timeout_s = static_cast<double>(options.timeout.count()) / 1000.0;
  facts.gpu = options.gpu == GpuListing::with_context;
  facts.environment = probe_environment();
  const std::vector<std::vector<std::string>> orders = probe_orders(options.frameworks);
  facts.probes.resize(orders.size());
  // The pairs first: the longest probes start first, the short ones fill in at the end.
  std::vector<std::size_t> schedule(orders.size());
  std::iota(schedule.begin(), schedule.end(), std::size_t{0});
  std::stable_sort(schedule.begin(), schedule.end(), [&orders](std::size_t a, std::size_t b) {
    return orders[a].size() > orders[b].size();
  });
  const std::size_t jobs =
      std::min(options.jobs == 0 ? usable_cpus() : options.jobs, std::max<std::size_t>(1, orders.size()));
  facts.jobs = static_cast<int>(jobs);
  std::atomic<std::size_t> next{0};
  const auto work = [&]() {
    for (std::size_t k = next++; k < schedule.size(); k = next++) {
      const std::size_t index = schedule[k];
      facts.probes[index] = run_one(options, orders[index], facts.environment);
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t w = 1; w < jobs; ++w) {
    workers.emplace_back(work);
  }
  work();
  for (std::thread& t : workers) {
    t.join();
  }
  for (const facts::ProbeResult& r : facts.probes) {
    facts.cpu_s += r.cpu_s;
  }
  facts.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return facts;
}

}  // namespace mlstack::probe
