// SPDX-License-Identifier: MIT
#include "mlstack/rules/fact_findings.hpp"

#include <fmt/format.h>

namespace mlstack::rules {

std::vector<Finding> fact_findings(const facts::GpuFacts& gpu, const facts::BuildFacts& builds) {
  std::vector<Finding> out;
  for (const std::string& p : gpu.problems) {
    Finding f;
    f.id = "GPU-PROBE";
    // A mismatch or failing NVML means CUDA cannot start on this node; an NVML call that
    // fails for one device is worth a look but not fatal.
    const bool fatal = p.find("mismatch") != std::string::npos ||
                       p.find("nvmlInit") != std::string::npos;
    f.severity = fatal ? Severity::error : Severity::warning;
    f.title = fmt::format("the GPU driver could not be read cleanly: {}",
                          p.substr(0, p.find(';')));
    f.subjects = {"nvidia-driver"};
    f.evidence = {p, fmt::format("source: {}", gpu.source)};
    if (!gpu.nvml_library.empty()) {
      f.evidence.push_back(fmt::format("NVML library: {}", gpu.nvml_library));
    }
    f.why = "every CUDA framework on this node talks to the GPU through this driver";
    f.fix = p.find("mismatch") != std::string::npos
                ? "reboot, or reload the nvidia kernel modules after the driver upgrade"
                : "check the driver installation (`nvidia-smi`)";
    out.push_back(std::move(f));
  }
  for (const std::string& p : gpu.visibility_problems) {
    const std::size_t hint = p.find("; hint: ");
    Finding f;
    f.id = "GPU-VISIBLE-DEVICES";
    f.severity = Severity::warning;
    f.title = p.substr(0, p.find(';'));
    f.subjects = {"CUDA_VISIBLE_DEVICES"};
    f.evidence = {p.substr(0, hint)};
    f.why = "a CUDA process started with these variables does not use, or numbers differently, "
            "the GPUs they seem to name";
    f.fix = hint == std::string::npos ? std::string("set `CUDA_VISIBLE_DEVICES` to the devices "
                                                    "CUDA will use")
                                      : p.substr(hint + 8);
    out.push_back(std::move(f));
  }
  for (const facts::FrameworkBuild& fw : builds.frameworks) {
    for (const std::string& p : fw.problems) {
      Finding f;
      f.id = "FW-BUILD-UNREADABLE";
      f.severity = Severity::warning;
      f.title = fmt::format("{} {}: {}", fw.distribution.empty() ? fw.name : fw.distribution,
                            fw.version, p);
      f.subjects = {fw.distribution.empty() ? fw.name : fw.distribution};
      f.evidence = fw.evidence;
      f.why = "mlstack cannot tell which CUDA, cuDNN or NCCL this build needs, so the GPU "
              "rules cannot check it";
      f.fix = fmt::format("reinstall it: python -m pip install --force-reinstall '{}=={}'",
                          fw.distribution.empty() ? fw.name : fw.distribution, fw.version);
      out.push_back(std::move(f));
    }
  }
  for (const std::string& p : builds.problems) {
    Finding f;
    f.id = "FW-CUDA-LIBS-UNREADABLE";
    f.severity = Severity::warning;
    f.title = p;
    f.subjects = {"cuda-libraries"};
    f.evidence = {p};
    f.why = "mlstack cannot tell which CUDA library this is or which version, so the rules "
            "that match framework builds to CUDA libraries do not see it";
    f.fix = "reinstall the distribution that owns the file, or remove the stray copy";
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace mlstack::rules
