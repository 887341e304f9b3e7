// SPDX-License-Identifier: MIT
#include "mlstack/cli/run_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <ostream>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"
#include "mlstack/frameworks/framework_builds.hpp"
#include "mlstack/gpu/gather.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/kb/kb.hpp"
#include "mlstack/launch/exec.hpp"
#include "mlstack/launch/plan.hpp"
#include "mlstack/launch/render.hpp"
#include "mlstack/launch/shim.hpp"

namespace mlstack::cli {
namespace {

// Where a Dockerfile puts the shim (`RUN mlstack run --write-shim ...`).
constexpr std::string_view k_image_shim_dir = "/opt/mlstack/shim";

int refuse(std::ostream& err, const Error& e) {
  err << "mlstack: error: " << text::escape_controls(render(e)) << '\n';
  return static_cast<int>(ExitCode::usage_error);
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string_view::npos) {
      env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
  }
  return env;
}

// Each CUDA device's total memory (MiB) in CUDA ordinal order, from NVML: GPUs, or the MIG
// devices CUDA_VISIBLE_DEVICES names.
std::vector<std::uint64_t> gpu_memory(const RunOptions& options) {
  const io::RealFileSystem fs;
  gpu::GpuOptions g = gpu::gpu_options_from_environment();
  if (!options.nvml_library.empty()) {
    g.nvml_library = options.nvml_library;
  }
  const facts::GpuFacts facts = gpu::gather_gpu_facts(fs, g);
  std::vector<std::pair<int, std::uint64_t>> ordered;
  for (const facts::GpuDevice& d : facts.devices) {
    if (d.cuda_ordinal >= 0) {
      ordered.emplace_back(d.cuda_ordinal, d.memory_total_mib);
    }
    for (const facts::MigDevice& m : d.mig_devices) {
      if (m.cuda_ordinal >= 0) {
        ordered.emplace_back(m.cuda_ordinal, m.memory_total_mib);
      }
    }
  }
  std::sort(ordered.begin(), ordered.end());
  std::vector<std::uint64_t> out;
  for (const auto& entry : ordered) {
    out.push_back(entry.second);
  }
  return out;
}

}  // namespace

int run_run(const RunOptions& options, std::ostream& out, std::ostream& err) {
  if (!options.write_shim.empty()) {
    if (auto ok = launch::ensure_shim(options.write_shim); !ok) {
      return refuse(err, ok.error());
    }
    return static_cast<int>(ExitCode::healthy);
  }
  auto shares = launch::parse_shares(options.shares);
  if (!shares) {
    return refuse(err, shares.error());
  }
  auto target = load_target(options.target, pyenv::ScanDepth::names, err, false);
  if (!target) {
    return refuse(err, target.error());
  }
  const launch::EnvFormat format = options.format == "json"         ? launch::EnvFormat::json
                                   : options.format == "dockerfile" ? launch::EnvFormat::dockerfile
                                                                    : launch::EnvFormat::sh;
  const bool for_image = options.print_env && format == launch::EnvFormat::dockerfile;

  launch::PlanInput input;
  for (const frameworks::InstalledFramework& f :
       frameworks::installed_frameworks(target->inventory)) {
    input.installed.push_back({f.name, f.distribution, f.version});
  }
  input.shares = std::move(*shares);
  // An image's environment is not this shell's: nothing the caller set is kept for it.
  if (!for_image) {
    input.environment = process_environment();
  }
  const bool tensorflow_cap = std::any_of(input.shares.begin(), input.shares.end(),
                                          [](const launch::Share& s) {
                                            return s.framework == "tensorflow";
                                          });
  if (tensorflow_cap && for_image) {
    // Its memory_limit is sized from the GPUs of the machine it runs on, not this one's.
    return refuse(err, make_error(ErrorCode::invalid_data,
                                  "--share tensorflow=... cannot go into a Dockerfile: "
                                  "TensorFlow's cap is a memory_limit in MiB sized from the "
                                  "GPUs it runs on\nhint: start the program with `mlstack run "
                                  "--share tensorflow=...` in the container"));
  }
  if (tensorflow_cap) {
    input.gpu_memory_mib = gpu_memory(options);
  }
  auto kb = kb::load_embedded_kb_file("data/kb/memory.toml");
  if (!kb) {
    return refuse(err, kb.error());
  }
  auto plan = launch::plan_launch(input, kb->launch);
  if (!plan) {
    return refuse(err, plan.error());
  }

  std::string shim_dir;
  if (plan->needs_shim) {
    shim_dir = !options.shim_dir.empty() ? options.shim_dir
               : for_image               ? std::string(k_image_shim_dir)
                                         : launch::default_shim_dir();
    if (!for_image) {
      if (auto ok = launch::ensure_shim(shim_dir); !ok) {
        return refuse(err, ok.error());
      }
    }
  }
  if (options.print_env) {
    out << launch::render_env(*plan, launch::ShimPlace{shim_dir}, format);
    out.flush();
    return static_cast<int>(ExitCode::healthy);
  }
  out.flush();
  err.flush();
  return launch::exec_command(options.command, *plan, shim_dir);
}

}  // namespace mlstack::cli
