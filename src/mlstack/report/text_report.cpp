// SPDX-License-Identifier: MIT
// The terminal report (render_text). Every string that comes from the inspected environment
// or the machine goes through `Writer`, which escapes control characters and wraps lines.
#include "mlstack/report/report.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"
#include "mlstack/report/findings_view.hpp"
#include "mlstack/report/text_layout.hpp"
#include "mlstack/report/text_writer.hpp"

namespace mlstack::report {
namespace {

using detail::Writer;

std::string_view severity_code(rules::Severity s) {
  switch (s) {
    case rules::Severity::error:
      return "1;31";
    case rules::Severity::warning:
      return "1;33";
    case rules::Severity::info:
      return "1;36";
  }
  return "0";
}

std::string or_unknown(const std::string& s) { return s.empty() ? "unknown" : s; }

std::string sourced_text(const facts::Sourced& s) {
  if (s.value.empty()) {
    return "-";
  }
  return s.source.empty() ? s.value : fmt::format("{} ({})", s.value, s.source);
}

// --- Python, the system and the packages ------------------------------------------------

std::string_view version_note(std::string_view source) {
  if (source == "option") {
    return " (--python-version)";
  }
  if (source == "site_path") {
    return " (from the site path)";
  }
  if (source == "default") {
    return " (assumed: the default; --python-version sets another)";
  }
  return "";
}

void render_python(const Report& report, Writer& w) {
  const facts::PythonFacts& py = report.python;
  w.heading("Python");
  if (!report.root_kind.empty()) {
    w.line("  root         ", report.root_path +
                                  (report.root_kind == "image" ? " (image archive)" : " (folder)"));
  }
  w.line("  interpreter  ", py.executable.empty() ? std::string("(none: --site)") : py.executable);
  const std::string evidence = report.python_version_evidence.empty()
                                   ? std::string()
                                   : " (read from " + report.python_version_evidence + ")";
  w.line("  version      ",
         py.version + std::string(version_note(report.python_version_source)) + evidence);
  if (!py.prefix.empty()) {
    w.line("  prefix       ", py.prefix + (py.in_virtualenv ? " (virtualenv)" : ""));
  }
  for (std::size_t i = 0; i < py.site_dirs.size(); ++i) {
    w.line(i == 0 ? "  site dirs    " : "               ", py.site_dirs[i]);
  }
  if (report.system) {
    w.line("  OS           ", or_unknown(report.system->os_name));
    w.line("  glibc        ", report.system->glibc_version.empty()
                                  ? std::string("none (not a glibc interpreter)")
                                  : report.system->glibc_version);
  }
  w.blank();
}

// The packages `collect_env` users look for first: the ones whose versions break frameworks.
constexpr std::array<std::string_view, 3> k_key_packages = {"numpy", "protobuf", "ml-dtypes"};

void render_packages(const Report& report, Writer& w) {
  std::map<std::string, int> per_location;
  for (const DistRow& d : report.distributions) {
    ++per_location[d.location];
  }
  w.heading(fmt::format("Packages ({} distributions)", report.distributions.size()));
  for (const auto& [location, n] : per_location) {
    w.line(fmt::format("  {:>5}  ", n), location);
  }
  for (const std::string_view name : k_key_packages) {
    const auto it = std::find_if(report.distributions.begin(), report.distributions.end(),
                                 [name](const DistRow& d) { return d.name == name; });
    w.line(fmt::format("  {:<13}", name),
           it == report.distributions.end() ? std::string("not installed")
                                            : or_unknown(it->version));
  }
  w.blank();
}

// --- GPU -------------------------------------------------------------------------------

// `      MIG 1  3g.40gb  40192 MiB  GI 2 CI 0  MIG-...  CUDA device 0`: the profile is the MIG
// device's name less its GPU's (`NVIDIA A100-SXM4-80GB MIG 3g.40gb` → `3g.40gb`).
void render_mig_device(const facts::GpuDevice& gpu, const facts::MigDevice& mig, Writer& w) {
  std::string_view profile = mig.name;
  const std::string prefix = gpu.name + " MIG ";
  if (!gpu.name.empty() && profile.starts_with(prefix)) {
    profile.remove_prefix(prefix.size());
  }
  w.line("      ", fmt::format("MIG {}  {}  {} MiB  GI {} CI {}  {}{}", mig.index,
                               profile.empty() ? std::string_view("unknown") : profile,
                               mig.memory_total_mib, mig.gpu_instance_id,
                               mig.compute_instance_id, or_unknown(mig.uuid),
                               mig.cuda_ordinal >= 0
                                   ? fmt::format("  CUDA device {}", mig.cuda_ordinal)
                                   : std::string()));
}

void render_gpu(const facts::GpuFacts& gpu, Writer& w) {
  w.heading("GPU");
  if (!gpu.driver_present) {
    w.line("  ", "no NVIDIA driver");
    w.line("  checks       ", "partial: without a driver, the driver-version and architecture "
                              "rules cannot run; the environment's own checks still do");
  } else {
    w.line("  driver       ",
           fmt::format("{} (from {})", or_unknown(gpu.driver_version), gpu.source));
    w.line("  CUDA driver  ", or_unknown(gpu.cuda_driver_api_version));
    if (gpu.cuda_visible_devices_set) {
      w.line("  ", "CUDA_VISIBLE_DEVICES=" + gpu.cuda_visible_devices);
    }
    for (const facts::GpuDevice& d : gpu.devices) {
      w.line("  ", fmt::format("[{}] {}  {} MiB  CC {}  MIG {}  {}", d.index, d.name,
                               d.memory_total_mib, or_unknown(d.compute_capability),
                               or_unknown(d.mig), d.uuid));
      for (const facts::MigDevice& m : d.mig_devices) {
        render_mig_device(d, m, w);
      }
    }
  }
  for (const std::string& p : gpu.problems) {
    w.line("  problem: ", p);
  }
  for (const std::string& p : gpu.visibility_problems) {
    w.line("  visibility: ", p);
  }
  w.blank();
}

// --- Frameworks and CUDA libraries -----------------------------------------------------

void render_framework(const facts::FrameworkBuild& f, Writer& w) {
  std::string head = fmt::format("{} {}", f.name, or_unknown(f.version));
  if (f.distributions.size() > 1 || (f.distributions.size() == 1 && f.distributions[0] != f.name)) {
    head += fmt::format("  ({})", fmt::join(f.distributions, ", "));
  }
  if (!f.gpu_build) {
    head += "  (CPU-only build)";
  }
  w.line("  ", head);
  if (!f.gpu_build) {
    return;
  }
  w.line("      CUDA   ", sourced_text(f.cuda));
  w.line("      cuDNN  ", sourced_text(f.cudnn));
  w.line("      NCCL   ", sourced_text(f.nccl));
  if (!f.archs.empty()) {
    w.line("      archs  ", fmt::format("{}", fmt::join(f.archs, " ")));
    w.line("             ", "(" + f.archs_source + ")");
  } else if (!f.archs_source.empty()) {
    w.line("      archs  ", "none listed (" + f.archs_source + ")");
  } else {
    w.line("      archs  ", "unknown");
  }
  for (const facts::LibraryUse& u : f.libraries) {
    if (u.library != "cudnn" && u.library != "nccl" && u.how != "missing") {
      continue;
    }
    if (u.how == "missing") {
      w.line("      loads  ", fmt::format("{} {}: not found", u.library, u.major));
      continue;
    }
    w.line("      loads  ",
           fmt::format("{} {} {} ({}{}{})", u.library, or_unknown(u.version.value), u.path, u.how,
                       u.package.empty() || u.how != "wheel" ? "" : ", " + u.package,
                       u.cuda_major.value.empty() ? "" : ", for CUDA " + u.cuda_major.value));
  }
}

void render_builds(const facts::BuildFacts& builds, Writer& w) {
  w.heading("Frameworks");
  if (builds.frameworks.empty()) {
    w.line("  ", "none installed");
  }
  for (const facts::FrameworkBuild& f : builds.frameworks) {
    render_framework(f, w);
  }
  w.blank();
  // Sorted by library, then version and path: one library's copies stand together.
  std::vector<const facts::CudaLibrary*> libs;
  for (const facts::CudaLibrary& l : builds.cuda_libraries) {
    libs.push_back(&l);
  }
  std::stable_sort(libs.begin(), libs.end(), [](const auto* a, const auto* b) {
    return std::tie(a->name, a->version, a->path) < std::tie(b->name, b->version, b->path);
  });
  w.heading(fmt::format("CUDA libraries ({})", libs.size()));
  for (const facts::CudaLibrary* l : libs) {
    w.line(fmt::format("  {:<10} {:<14} {:<6} ", text::escape_controls(l->name),
                       text::escape_controls(or_unknown(l->version)), l->origin),
           l->path);
  }
  for (const facts::CudaLibrary& l : builds.compat_libcuda) {
    w.line(fmt::format("  {:<10} {:<14} {:<6} ", text::escape_controls(l.name),
                       text::escape_controls(or_unknown(l.version)), l.origin),
           fmt::format("{} (cuda-compat, {})", l.path, l.found_via));
  }
  w.blank();
}

// --- Findings --------------------------------------------------------------------------

void render_finding(const rules::Finding& f, Writer& w) {
  w.line(fmt::format("  {} ", w.paint(severity_code(f.severity),
                                      fmt::format("{:<7}", rules::to_string(f.severity)))),
         "          ", f.id + " " + f.title);
  for (const std::string& e : f.evidence) {
    w.line("      evidence: ", e);
  }
  if (!f.why.empty()) {
    w.line("      why: ", f.why);
  }
  if (!f.fix.empty()) {
    w.line("      fix: ", f.fix);
  }
}

void render_group(const FindingGroup& g, Writer& w) {
  const rules::Finding& head = *g.members.front();
  w.line(fmt::format("  {} ", w.paint(severity_code(head.severity),
                                      fmt::format("{:<7}", rules::to_string(head.severity)))),
         "          ", fmt::format("{} ({} findings)", head.id, g.members.size()));
  // Evidence every member gives is shown once, after the members.
  const std::vector<std::string_view> shared = shared_evidence(g);
  const std::string fix = group_fix(g);
  for (const rules::Finding* f : g.members) {
    w.line("      - ", f->title);
    for (const std::string& e : f->evidence) {
      if (std::find(shared.begin(), shared.end(), e) == shared.end()) {
        w.line("        evidence: ", e);
      }
    }
    if (fix.empty() && !f->fix.empty()) {
      w.line("        fix: ", f->fix);
    }
  }
  for (const std::string_view e : shared) {
    w.line("      evidence: ", e);
  }
  if (!head.why.empty()) {
    w.line("      why: ", head.why);
  }
  if (!fix.empty()) {
    w.line("      fix: ", fix);
  }
}

// The `pip install` fixes of every finding, merged into one command per interpreter.
void render_merged_fix(const std::vector<rules::Finding>& findings, Writer& w) {
  const MergedFix merged = merged_fix(findings);
  if (merged.installs < 2) {
    return;
  }
  w.heading(fmt::format("Fix (the pip commands of {} findings, merged)", merged.installs));
  for (std::vector<std::string> words : merged.commands) {
    for (std::string& word : words) {
      word = text::escape_controls(word);
    }
    w.raw(wrap_command("  ", "    ", words, w.width()));
  }
  w.blank();
}

void render_findings(const Report& report, Writer& w) {
  w.heading("Findings");
  if (report.findings.empty()) {
    w.line("  ", "none");
  }
  for (const FindingGroup& g : group_findings(report.findings)) {
    if (g.members.size() == 1) {
      render_finding(*g.members.front(), w);
    } else {
      render_group(g, w);
    }
  }
  w.blank();
  render_merged_fix(report.findings, w);
}

}  // namespace

void render_text(const Report& report, std::ostream& out, const TextOptions& options) {
  Writer w(options);
  render_python(report, w);
  render_packages(report, w);
  if (report.gpu) {
    render_gpu(*report.gpu, w);
  }
  if (report.builds) {
    render_builds(*report.builds, w);
  }
  if (report.loader) {
    detail::render_loader(*report.loader, w);
  }
  if (report.probes) {
    detail::render_probes(*report.probes, w);
  }
  render_findings(report, w);
  const rules::FindingCounts c = rules::count(report.findings);
  w.raw(fmt::format("{} error{}, {} warning{}, {} info\n", c.errors, c.errors == 1 ? "" : "s",
                    c.warnings, c.warnings == 1 ? "" : "s", c.infos));
  out << w.text();
}

}  // namespace mlstack::report
