// SPDX-License-Identifier: MIT
// The driver floor of the images and the compatibility path it relies on (CUDA compatibility
// guide: full compatibility, minor-version compatibility, forward compatibility).
#include "mlstack/kb/detail/gpu_arch.hpp"
#include "mlstack/kb/detail/lookups.hpp"
#include "mlstack/plan/steps.hpp"
#include "mlstack/plan/versions.hpp"

#include <string>
#include <vector>

namespace mlstack::plan::detail {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    out += (out.empty() ? "" : ", ") + s;
  }
  return out;
}

// What a driver below the toolkit's minimum cannot do for this build.
std::string ptx_limit(const FrameworkChoice& c, const kb::FrameworkRelease& r,
                      const std::string& toolkit_min) {
  std::vector<std::string> ptx;
  std::vector<std::string> sass;
  for (const std::string& a : r.archs) {
    const auto arch = kb::detail::parse_arch(a);
    if (arch && arch->ptx) {
      ptx.push_back(a);
    }
    if (arch && arch->sass) {
      sass.push_back(a);
    }
  }
  if (r.archs.empty()) {
    return c.framework + ": its archs are not in the knowledge base";
  }
  if (ptx.empty()) {
    return c.framework + ": no PTX to JIT-compile; it runs on the GPUs its machine code covers (" +
           join(sass) + ")";
  }
  return c.framework + ": its PTX (" + join(ptx) + ") was built by CUDA " + r.cuda +
         ", which a driver older than " + toolkit_min +
         " cannot JIT-compile: only GPUs its machine code covers (" + join(sass) + ") run it";
}

}  // namespace

DriverPlan plan_driver(const spec::Spec& spec, const kb::Kb& kb,
                       const std::vector<FrameworkChoice>& choices,
                       const std::vector<const kb::FrameworkRelease*>& rows,
                       std::vector<Collision>& collisions) {
  DriverPlan d;
  d.spec_min = spec.target.min_driver ? spec.target.min_driver->text : std::string();
  if (choices.empty()) {
    d.reasons.push_back({spec.frameworks.empty() ? "no GPU framework: any driver, or none"
                                                 : "no framework was chosen (see `No plan`)",
                         {},
                         {}});
    return d;
  }
  const kb::ToolkitDriver* full = nullptr;
  const kb::MinorVersionCompat* minor = nullptr;
  std::string full_who;
  std::vector<std::string> toolkit_mins(choices.size());
  for (std::size_t i = 0; i < choices.size(); ++i) {
    const auto cuda = version(choices[i].runtime_cuda);
    const kb::ToolkitDriver* t = cuda ? kb::detail::toolkit_row(kb, *cuda) : nullptr;
    if (t != nullptr) {
      toolkit_mins[i] = t->min_driver.text;
      if (full == nullptr || full->min_driver.version < t->min_driver.version) {
        full = t;
        full_who = choices[i].framework + " (" +
                   (choices[i].libraries == "system" ? "the image's" : "its own") + " CUDA " +
                   major_minor(choices[i].runtime_cuda) + ")";
      }
    }
    for (const kb::MinorVersionCompat& m : kb.minor_version_compat) {
      if (static_cast<std::uint64_t>(m.cuda_major) == major(choices[i].runtime_cuda) &&
          (minor == nullptr || minor->min_driver.version < m.min_driver.version)) {
        minor = &m;
      }
    }
  }
  if (full == nullptr || minor == nullptr) {
    d.reasons.push_back({"the knowledge base has no driver minimum for the frameworks' CUDA", {}, {}});
    return d;
  }
  d.full_min = full->min_driver.text;
  d.full_cuda = major_minor(full->toolkit.text);
  d.minor_min = minor->min_driver.text;
  d.reasons.push_back({"full compatibility: driver >= " + d.full_min + ", the minimum of CUDA " +
                           full->toolkit.text + " that " + full_who + " needs",
                       kb_ref(full->entry), full->entry.id});
  std::string gives_up = "minor-version compatibility: any CUDA " +
                         std::to_string(minor->cuda_major) + ".x runs on drivers >= " +
                         d.minor_min +
                         "; it gives up what needs a newer driver: APIs that return "
                         "cudaErrorCallRequiresNewerDriver, and JIT compilation of PTX newer "
                         "than the driver";
  d.reasons.push_back({gives_up, kb_ref(minor->entry), minor->entry.id});
  for (std::size_t i = 0; i < choices.size() && i < rows.size(); ++i) {
    d.reasons.push_back({ptx_limit(choices[i], *rows[i], toolkit_mins[i]), kb_ref(rows[i]->entry), rows[i]->entry.id});
  }
  for (const kb::ForwardCompat& f : kb.forward_compat) {
    d.reasons.push_back({"forward compatibility (a driver older than the CUDA major's floor) "
                         "works only on " + f.eligible + ", with " + f.package,
                         kb_ref(f.entry), f.entry.id});
  }
  const std::string major_text = std::to_string(minor->cuda_major);
  if (!spec.target.min_driver) {
    d.path = DriverPath::full;
    d.require_cuda = "cuda>=" + d.full_cuda;
    d.reasons.push_back({"the spec sets no `min_driver`: the images ask for >= " + d.full_min +
                             " (NVIDIA_REQUIRE_CUDA " + d.require_cuda + "); set `min_driver = \"" +
                             d.minor_min + "\"` to rely on minor-version compatibility",
                         {}, {}});
    return d;
  }
  const pep440::Version& want = spec.target.min_driver->version;
  if (!(want < full->min_driver.version)) {
    d.path = DriverPath::full;
    d.require_cuda = "cuda>=" + d.full_cuda;
    d.reasons.push_back({"drivers from " + d.spec_min + " have full compatibility", {}, {}});
  } else if (!(want < minor->min_driver.version)) {
    d.path = DriverPath::minor_version;
    d.require_cuda = "cuda>=" + major_text + ".0";
    d.reasons.push_back({"drivers from " + d.spec_min + " (the spec's `min_driver`) are below " +
                             d.full_min + ": the images rely on CUDA " + major_text +
                             " minor-version compatibility (NVIDIA_REQUIRE_CUDA " +
                             d.require_cuda + ")",
                         {}, {}});
  } else {
    d.path = DriverPath::below_floor;
    std::vector<std::string> why = {
        "min_driver = \"" + d.spec_min + "\" (" + spec.file + ":" +
            std::to_string(spec.target.min_driver->where.line) + ")",
        "CUDA " + major_text + ".x needs driver >= " + d.minor_min + " (" + minor->entry.id + ")"};
    for (const kb::ForwardCompat& f : kb.forward_compat) {
      why.push_back("below that only forward compatibility helps: " + f.eligible + ", with " +
                    f.package + " (" + f.entry.id + ")");
    }
    collisions.push_back({"the spec's oldest driver is below CUDA " + major_text +
                              "'s minor-version floor",
                          std::move(why)});
  }
  return d;
}

}  // namespace mlstack::plan::detail
