// SPDX-License-Identifier: MIT
// The planner: base image → each framework's release and variant → shared pins → driver floor
// → variants. Every step keeps its reasons; what cannot hold becomes a Collision.
#include "mlstack/plan/plan.hpp"

#include "mlstack/kb/detail/gpu_arch.hpp"
#include "mlstack/kb/detail/lookups.hpp"
#include "mlstack/plan/steps.hpp"
#include "mlstack/plan/versions.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlstack::plan {
namespace {

using detail::major;
using detail::major_minor;

using detail::kb_ref;

std::string row_name(const kb::FrameworkRelease& r) {
  std::string out = r.framework + " " + r.versions.to_string();
  if (!r.variant.empty()) {
    out += " " + r.variant;
  }
  if (!r.index_url.empty() && !r.pypi) {
    out += " (" + r.index_url + ")";
  } else {
    out += " (PyPI)";
  }
  return out;
}

// The release a row names: the version of its first specifier (`==2.9.*` -> 2.9).
std::optional<pep440::Version> row_release(const kb::FrameworkRelease& r) {
  if (r.versions.specifiers().empty()) {
    return std::nullopt;
  }
  return r.versions.specifiers().front().version();
}

const kb::ToolkitDriver* toolkit(const kb::Kb& kb, std::string_view cuda) {
  const auto v = detail::version(cuda);
  return v ? kb::detail::toolkit_row(kb, *v) : nullptr;
}

const kb::MinorVersionCompat* minor_compat(const kb::Kb& kb, std::uint64_t cuda_major) {
  for (const kb::MinorVersionCompat& row : kb.minor_version_compat) {
    if (static_cast<std::uint64_t>(row.cuda_major) == cuda_major) {
      return &row;
    }
  }
  return nullptr;
}

// The compute capabilities the spec asks for: its own list and its GPUs' (gpus.toml).
struct Capability {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  std::string label;  // `8.0` or `A100 (8.0)`
};

std::vector<Capability> capabilities(const spec::Spec& spec, const kb::Kb& kb,
                                     std::vector<Collision>& collisions) {
  std::vector<Capability> out;
  for (const spec::VersionText& cc : spec.target.compute_capabilities) {
    out.push_back({cc.version.release_part(0), cc.version.release_part(1), cc.text});
  }
  for (const std::string& gpu : spec.target.gpus) {
    const kb::GpuModel* model = nullptr;
    for (const kb::GpuModel& m : kb.gpus) {
      if (kb::detail::matches_words(gpu, m.pattern)) {
        model = &m;
        break;
      }
    }
    if (model == nullptr) {
      collisions.push_back({"unknown GPU `" + gpu + "`",
                            {"`gpus` in [target] of " + spec.file +
                             ": no [[gpu]] row of the knowledge base matches it; give its "
                             "`compute_capabilities` instead"}});
      continue;
    }
    out.push_back({model->compute_capability.version.release_part(0),
                   model->compute_capability.version.release_part(1),
                   gpu + " (" + model->compute_capability.text + ")"});
  }
  return out;
}

// The first constraint of the spec that `r` breaks, or empty.
std::string broken_constraint(const spec::Spec& spec, const kb::Kb& kb, const BasePlan& base,
                              const spec::Framework& fw, const kb::FrameworkRelease& r,
                              const std::vector<Capability>& caps) {
  if (!fw.variant.empty() && r.variant != fw.variant) {
    return "the spec asks for variant `" + fw.variant + "`";
  }
  if (!r.python.empty()) {
    auto range = pep440::SpecifierSet::parse(r.python);
    if (range && !range->contains(spec.target.python.version)) {
      return "needs Python " + r.python + "; the images have Python " + spec.target.python.text;
    }
  }
  if (r.cuda.empty()) {
    return "not a CUDA build";
  }
  if (!base.cuda.empty() && major(r.cuda) != major(base.cuda)) {
    return "built for CUDA " + r.cuda + "; the images have CUDA " + major_minor(base.cuda) +
           " (major " + std::to_string(major(base.cuda)) + ")";
  }
  if (r.libraries == "system" && !base.cuda.empty() && major_minor(base.cuda).find('.') != std::string::npos) {
    const auto need = detail::version(major_minor(r.cuda));
    const auto have = detail::version(major_minor(base.cuda));
    if (need && have && *have < *need) {
      return "loads the system's CUDA libraries and needs CUDA " + r.cuda + "; the images have " +
             major_minor(base.cuda);
    }
  }
  if (spec.target.min_driver) {
    const kb::MinorVersionCompat* floor = minor_compat(kb, major(r.cuda));
    if (floor != nullptr && spec.target.min_driver->version < floor->min_driver.version) {
      return "CUDA " + r.cuda + " needs driver >= " + floor->min_driver.text +
             " even with minor-version compatibility; the spec supports drivers from " +
             spec.target.min_driver->text +
             " (below that floor only forward compatibility helps: data-center GPUs with the "
             "cuda-compat package)";
    }
  }
  if (!r.archs.empty()) {
    for (const Capability& c : caps) {
      if (!kb::detail::has_sass(r.archs, c.major, c.minor) &&
          !kb::detail::has_ptx(r.archs, c.major, c.minor)) {
        std::string archs;
        for (const std::string& a : r.archs) {
          archs += (archs.empty() ? "" : ", ") + a;
        }
        return "has no code for compute capability " + c.label + " (archs " + archs + ")";
      }
    }
  }
  return {};
}

// Lower is better: the driver a variant needs for full compatibility.
std::optional<pep440::Version> full_driver(const kb::Kb& kb, const kb::FrameworkRelease& r) {
  const kb::ToolkitDriver* t = toolkit(kb, r.cuda);
  if (t == nullptr) {
    return std::nullopt;
  }
  return t->min_driver.version;
}

std::string driver_text(const kb::Kb& kb, const kb::FrameworkRelease& r) {
  const kb::ToolkitDriver* t = toolkit(kb, r.cuda);
  return t != nullptr ? t->min_driver.text : std::string("unknown");
}

// Which CUDA libraries the build will load.
Reason library_reason(const kb::FrameworkRelease& r, const BasePlan& base) {
  if (r.libraries == "bundled") {
    std::string text = "its own copies inside the wheel (CUDA " + r.cuda + " runtime";
    if (!r.cudnn.empty()) {
      text += ", cuDNN " + r.cudnn;
    }
    text += "); the base's CUDA libraries are not used, only the driver's libcuda";
    return {text, kb_ref(r.entry), r.entry.id};
  }
  if (r.libraries == "system") {
    std::string text = "the image's: libcudart.so." + std::to_string(major(r.cuda)) +
                       ".0, cuBLAS, cuFFT, cuRAND, cuSOLVER, cuSPARSE";
    if (!r.cudnn.empty()) {
      text += " and cuDNN " + std::to_string(major(r.cudnn));
    }
    text += " from the library path; it needs CUDA " + r.cuda;
    if (!r.cudnn.empty()) {
      text += " and cuDNN " + r.cudnn;
    }
    text += " or a newer minor of the same major in the image";
    if (!base.image.empty() && !base.os.empty() && base.cudnn.empty()) {
      text += " (" + base.image + " has none: add them, or start from an image with them)";
    }
    return {text, kb_ref(r.entry), r.entry.id};
  }
  if (r.libraries == "wheels") {
    return {"the nvidia-* wheels it requires (CUDA " + r.cuda + ")", kb_ref(r.entry), r.entry.id};
  }
  return {"not in the knowledge base (CUDA " + r.cuda + " build)", kb_ref(r.entry), r.entry.id};
}

struct Choice {
  const kb::FrameworkRelease* row = nullptr;
  FrameworkChoice out;
  pep440::SpecifierSet allowed;  // the framework versions the plan allows
};

std::optional<Choice> choose(const spec::Spec& spec, const kb::Kb& kb, const BasePlan& base,
                             const spec::Framework& fw, const std::vector<Capability>& caps,
                             std::vector<Collision>& collisions) {
  std::vector<const kb::FrameworkRelease*> fits;
  std::vector<Rejected> rejected;
  std::vector<std::string> all_broken;
  for (const kb::FrameworkRelease& r : kb.releases) {
    if (r.framework != fw.name || !detail::overlap(r.versions, fw.versions)) {
      continue;
    }
    const std::string broken = broken_constraint(spec, kb, base, fw, r, caps);
    if (broken.empty()) {
      fits.push_back(&r);
    } else {
      rejected.push_back({row_name(r), broken});
      all_broken.push_back(row_name(r) + ": " + broken + " (" + r.entry.id + ")");
    }
  }
  if (fits.empty()) {
    Collision c{"no release of " + fw.name + " fits the spec", {}};
    c.constraints.push_back(fw.name + " " +
                            (fw.versions.empty() ? std::string("(any version)")
                                                 : fw.versions.to_string()) +
                            " (" + spec.file + ":" + std::to_string(fw.where.line) + ")");
    if (all_broken.empty()) {
      c.constraints.push_back("the knowledge base has no release of " + fw.name + " in that range");
    }
    c.constraints.insert(c.constraints.end(), all_broken.begin(), all_broken.end());
    collisions.push_back(std::move(c));
    return std::nullopt;
  }
  // The newest release; between its variants, the lowest full-compatibility driver (the CUDA
  // nearest the base's); then file order.
  const kb::FrameworkRelease* best = fits.front();
  for (const kb::FrameworkRelease* r : fits) {
    const auto a = row_release(*r);
    const auto b = row_release(*best);
    if (a && b && *b < *a) {
      best = r;
    } else if (a && b && *a == *b) {
      const auto da = full_driver(kb, *r);
      const auto db = full_driver(kb, *best);
      if (da && db && *da < *db) {
        best = r;
      }
    }
  }
  for (const kb::FrameworkRelease* r : fits) {
    if (r == best) {
      continue;
    }
    const auto a = row_release(*r);
    const auto b = row_release(*best);
    if (a && b && *a < *b) {
      rejected.push_back({row_name(*r), "an older release than " + best->versions.to_string()});
    } else {
      rejected.push_back({row_name(*r), "its CUDA " + r->cuda + " needs driver >= " +
                                            driver_text(kb, *r) +
                                            " for full compatibility; " + best->variant +
                                            " (CUDA " + best->cuda + ") needs " +
                                            driver_text(kb, *best)});
    }
  }
  Choice c;
  c.row = best;
  FrameworkChoice& out = c.out;
  out.framework = fw.name;
  out.variant = best->variant;
  out.release_id = best->entry.id;
  out.cuda = best->cuda;
  out.cudnn = best->cudnn;
  out.python = best->python;
  out.libraries = best->libraries;
  out.rejected = std::move(rejected);
  // The spec's range narrowed to the chosen release (its CUDA variants are that release's),
  // unless the spec pins one version already.
  c.allowed = detail::exact_pin(fw.versions) ? fw.versions
                                             : detail::intersect({&fw.versions, &best->versions});
  const bool own_index = !best->index_url.empty() && !best->pypi;
  out.index_url = own_index ? best->index_url : std::string();
  out.wheel_source = own_index ? best->index_url + " (the " + best->variant + " build; PyPI has another)"
                               : std::string("PyPI (its default build)");
  out.runtime_cuda = best->libraries == "system" && !base.cuda.empty() ? base.cuda : best->cuda;
  out.loads = library_reason(*best, base);
  std::string why = "newest release in " +
                    (fw.versions.empty() ? std::string("the knowledge base")
                                         : "`" + fw.versions.to_string() + "`") +
                    " that fits Python " + spec.target.python.text;
  if (!base.cuda.empty()) {
    why += ", CUDA " + major_minor(base.cuda) + " (major " + std::to_string(major(base.cuda)) + ")";
  }
  if (spec.target.min_driver) {
    why += ", drivers from " + spec.target.min_driver->text;
  }
  out.reasons.push_back({why, kb_ref(best->entry), best->entry.id});
  if (best->libraries == "bundled" && !base.cuda.empty() &&
      major_minor(best->cuda) != major_minor(base.cuda)) {
    out.reasons.push_back(
        {"built for CUDA " + best->cuda + ", not the base's " + major_minor(base.cuda) +
             ": it carries its own CUDA " + major_minor(best->cuda) +
             " runtime, so only the driver must support " + major_minor(best->cuda) +
             " (fully from " + driver_text(kb, *best) + ", or through CUDA " +
             std::to_string(major(best->cuda)) + " minor-version compatibility)",
         kb_ref(best->entry), best->entry.id});
  }
  return c;
}

// The pins of `fw` within `allowed`; narrows `allowed` to releases that declare a pin another
// release of the range needs without declaring it.
std::vector<const kb::Pin*> pins_of(const kb::Kb& kb, Choice& c, const spec::Framework& fw) {
  const std::string& name = c.out.framework;
  auto applies = [&](const kb::Pin& p) {
    return p.framework == name && detail::overlap(p.versions, c.allowed) &&
           detail::overlap(p.versions, c.row->versions);
  };
  for (const kb::Pin& undeclared : kb.pins) {
    if (undeclared.declared || !applies(undeclared)) {
      continue;
    }
    const auto exact = detail::exact_pin(undeclared.versions);
    if (!exact) {
      continue;  // a range of releases: the plan adds the pin itself
    }
    for (const kb::Pin& declared : kb.pins) {
      if (!declared.declared || declared.package != undeclared.package || !applies(declared) ||
          detail::overlap(declared.versions, undeclared.versions)) {
        continue;
      }
      // `declared` covers other releases of the range and declares the needed cap.
      const pep440::SpecifierSet both = detail::intersect({&declared.required, &undeclared.required});
      if (!detail::satisfiable(both)) {
        continue;
      }
      std::string floor;
      for (const pep440::Specifier& s : declared.versions.specifiers()) {
        if (s.op() == pep440::Operator::greater_equal) {
          floor = s.to_string();
        }
      }
      auto narrowed_text = c.allowed.to_string();
      narrowed_text += (narrowed_text.empty() ? "" : ",") + (floor.empty() ? "!=" + *exact : floor);
      if (auto narrowed = pep440::SpecifierSet::parse(narrowed_text)) {
        c.allowed = std::move(narrowed).value();
      }
      c.out.rejected.push_back(
          {name + " " + *exact,
           "needs " + undeclared.package + undeclared.required.to_string() +
               " but does not declare it: " + undeclared.why + "; releases " +
               declared.versions.to_string() + " declare " + undeclared.package + declared.required.to_string() + " (" +
               undeclared.entry.id + ", " + declared.entry.id + ")"});
      break;
    }
  }
  (void)fw;
  std::vector<const kb::Pin*> out;
  for (const kb::Pin& p : kb.pins) {
    if (applies(p)) {
      out.push_back(&p);
    }
  }
  return out;
}

std::string requirement_of(const Choice& c) {
  const kb::FrameworkRelease& r = *c.row;
  if (r.framework == "jax" && r.variant.starts_with("cuda")) {
    // JAX's CUDA builds are an extra of `jax` (`pip install "jax[cuda12]"`, docs/installation.md).
    return "jax[" + r.variant + "]" + c.allowed.to_string();
  }
  const auto exact = detail::exact_pin(c.allowed);
  if (exact && !c.out.index_url.empty() && !r.variant.empty() &&
      exact->find('+') == std::string::npos) {
    return c.out.framework + "==" + *exact + "+" + r.variant;
  }
  return c.out.framework + c.allowed.to_string();
}

BasePlan plan_base(const spec::Spec& spec, const kb::Kb& kb, std::vector<Collision>& collisions) {
  BasePlan b;
  b.image = spec.target.base;
  b.python = spec.target.python.text;
  const kb::BaseImage* row = nullptr;
  for (const kb::BaseImage& img : kb.base_images) {
    if (img.image == spec.target.base) {
      row = &img;
    }
  }
  if (row == nullptr) {
    if (!b.image.empty()) {
      b.notes.push_back({b.image + " is not in the knowledge base: its Python and CUDA are taken "
                                   "from the spec",
                         {}, {}});
    }
    b.cuda = spec.target.cuda ? spec.target.cuda->text : std::string();
    return b;
  }
  b.kb_id = row->entry.id;
  b.os = row->os;
  b.cudnn = row->cudnn;
  if (!row->python.empty() && major_minor(row->python) != major_minor(spec.target.python.text)) {
    collisions.push_back(
        {"the base image's Python is not the spec's",
         {"python = \"" + spec.target.python.text + "\" (" + spec.file + ":" +
              std::to_string(spec.target.python.where.line) + ")",
          row->image + " has Python " + row->python + " (" + row->entry.id + ")"}});
  } else if (!row->python.empty()) {
    b.notes.push_back({row->image + ": " + row->os + ", Python " + row->python +
                           (row->python_installed ? " installed"
                                                  : " from the distribution (python3, not in the "
                                                    "image itself)"),
                       kb_ref(row->entry), row->entry.id});
  }
  if (!row->cuda.empty()) {
    b.cuda = row->cuda;
    if (spec.target.cuda && major_minor(spec.target.cuda->text) != major_minor(row->cuda)) {
      collisions.push_back({"the base image's CUDA is not the spec's",
                            {"cuda = \"" + spec.target.cuda->text + "\" (" + spec.file + ":" +
                                 std::to_string(spec.target.cuda->where.line) + ")",
                             row->image + " has CUDA " + row->cuda + " (" + row->entry.id + ")"}});
    }
    b.notes.push_back({row->image + " provides CUDA " + row->cuda +
                           (row->cudnn.empty() ? "" : " and cuDNN " + row->cudnn),
                       kb_ref(row->entry), row->entry.id});
  } else {
    b.cuda = spec.target.cuda ? spec.target.cuda->text : std::string();
    b.notes.push_back({row->image + " has no CUDA libraries" +
                           (b.cuda.empty() ? std::string()
                                           : ": the spec's CUDA " + b.cuda +
                                                 " is what frameworks that load the system's "
                                                 "libraries need added"),
                       kb_ref(row->entry), row->entry.id});
  }
  return b;
}

// Without a CUDA from the spec or the base, the newest CUDA major every framework has a build
// for (frameworks of two majors in one image load two CUDA runtimes and two cuDNNs).
void common_cuda_major(const spec::Spec& spec, const kb::Kb& kb, BasePlan& base,
                       const std::vector<Capability>& caps, std::vector<Collision>& collisions) {
  std::vector<std::uint64_t> majors;
  for (const kb::FrameworkRelease& r : kb.releases) {
    const std::uint64_t m = major(r.cuda);
    if (m != 0 && std::find(majors.begin(), majors.end(), m) == majors.end()) {
      majors.push_back(m);
    }
  }
  std::sort(majors.rbegin(), majors.rend());
  std::vector<std::string> per_framework;
  for (const std::uint64_t m : majors) {
    BasePlan trial = base;
    trial.cuda = std::to_string(m);
    bool all = true;
    for (const spec::Framework& fw : spec.frameworks) {
      bool any = false;
      for (const kb::FrameworkRelease& r : kb.releases) {
        if (r.framework == fw.name && detail::overlap(r.versions, fw.versions) &&
            broken_constraint(spec, kb, trial, fw, r, caps).empty()) {
          any = true;
          break;
        }
      }
      all = all && any;
    }
    if (all) {
      base.cuda = trial.cuda;
      base.notes.push_back({"no `cuda` in the spec or the base: CUDA " + base.cuda +
                                ", the newest CUDA major with a build of every framework (one "
                                "CUDA runtime and one cuDNN major for the whole image)",
                            {},
                            {}});
      return;
    }
  }
  Collision c{"no CUDA major has a build of every framework of the spec", {}};
  for (const spec::Framework& fw : spec.frameworks) {
    std::string have;
    bool any = false;
    for (const kb::FrameworkRelease& r : kb.releases) {
      any = any || (r.framework == fw.name && detail::overlap(r.versions, fw.versions) &&
                    broken_constraint(spec, kb, base, fw, r, caps).empty());
    }
    if (!any) {
      return;  // that framework fits no CUDA at all: `choose` says why
    }
    for (const kb::FrameworkRelease& r : kb.releases) {
      if (r.framework == fw.name && detail::overlap(r.versions, fw.versions) &&
          broken_constraint(spec, kb, base, fw, r, caps).empty() && major(r.cuda) != 0) {
        const std::string m = std::to_string(major(r.cuda));
        if (have.find("CUDA " + m + " ") == std::string::npos &&
            !have.ends_with("CUDA " + m)) {
          have += (have.empty() ? "CUDA " : ", CUDA ") + m;
        }
      }
    }
    c.constraints.push_back(fw.name + " " + fw.versions.to_string() + " (" + spec.file + ":" +
                            std::to_string(fw.where.line) + "): " +
                            (have.empty() ? std::string("no build fits") : have));
  }
  collisions.push_back(std::move(c));
}

}  // namespace

Plan make_plan(const spec::Spec& spec, const kb::Kb& kb) {
  Plan plan;
  plan.spec_file = spec.file;
  plan.memory = spec.memory;
  plan.base = plan_base(spec, kb, plan.collisions);
  const std::vector<Capability> caps = capabilities(spec, kb, plan.collisions);
  if (plan.base.cuda.empty() && !spec.frameworks.empty()) {
    common_cuda_major(spec, kb, plan.base, caps, plan.collisions);
  }
  std::vector<const kb::FrameworkRelease*> rows;
  std::vector<std::vector<const kb::Pin*>> pins;
  for (const spec::Framework& fw : spec.frameworks) {
    auto c = choose(spec, kb, plan.base, fw, caps, plan.collisions);
    if (!c) {
      continue;
    }
    pins.push_back(pins_of(kb, *c, fw));
    c->out.requirement = requirement_of(*c);
    rows.push_back(c->row);
    plan.frameworks.push_back(std::move(c->out));
  }
  plan.pins = detail::plan_pins(spec, plan.frameworks, pins, plan.collisions);
  plan.driver = detail::plan_driver(spec, kb, plan.frameworks, rows, plan.collisions);
  if (plan.ok()) {
    plan.variants = detail::plan_variants(spec, plan.frameworks, pins);
  }
  return plan;
}

std::vector<ResolveInput> resolve_inputs(const Plan& plan) {
  std::vector<ResolveInput> out;
  for (const VariantPlan& v : plan.variants) {
    ResolveInput in{v.name, plan.base.python, v.requirements, {}};
    for (const Requirement& r : v.requirements) {
      if (!r.index_url.empty() &&
          std::find(in.index_urls.begin(), in.index_urls.end(), r.index_url) == in.index_urls.end()) {
        in.index_urls.push_back(r.index_url);
      }
    }
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace mlstack::plan
