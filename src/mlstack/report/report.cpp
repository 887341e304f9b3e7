// SPDX-License-Identifier: MIT
#include "mlstack/report/report.hpp"

#include <map>
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mlstack/facts/build_facts_json.hpp"
#include "mlstack/facts/gpu_facts_json.hpp"

namespace mlstack::report {
namespace {

nlohmann::ordered_json finding_json(const rules::Finding& f) {
  using nlohmann::ordered_json;
  return ordered_json{{"id", f.id},
                      {"severity", std::string(rules::to_string(f.severity))},
                      {"title", f.title},
                      {"subjects", f.subjects},
                      {"evidence", f.evidence},
                      {"why", f.why.empty() ? ordered_json(nullptr) : ordered_json(f.why)},
                      {"fix", f.fix.empty() ? ordered_json(nullptr) : ordered_json(f.fix)}};
}

struct Style {
  Color color;
  [[nodiscard]] std::string paint(std::string_view code, std::string_view s) const {
    if (color == Color::never) {
      return std::string(s);
    }
    return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
  }
};

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

// `      MIG 1  3g.40gb  40192 MiB  GI 2 CI 0  MIG-...  CUDA device 0`: the profile is the MIG
// device's name less its GPU's (`NVIDIA A100-SXM4-80GB MIG 3g.40gb` → `3g.40gb`).
void render_mig_device(const facts::GpuDevice& gpu, const facts::MigDevice& mig,
                       std::ostream& out) {
  std::string_view profile = mig.name;
  const std::string prefix = gpu.name + " MIG ";
  if (!gpu.name.empty() && profile.starts_with(prefix)) {
    profile.remove_prefix(prefix.size());
  }
  out << fmt::format(
      "      MIG {}  {}  {} MiB  GI {} CI {}  {}{}\n", mig.index,
      profile.empty() ? std::string_view("unknown") : profile, mig.memory_total_mib,
      mig.gpu_instance_id, mig.compute_instance_id, or_unknown(mig.uuid),
      mig.cuda_ordinal >= 0 ? fmt::format("  CUDA device {}", mig.cuda_ordinal) : std::string());
}

void render_gpu(const facts::GpuFacts& gpu, std::ostream& out, const Style& st) {
  out << st.paint("1", "GPU") << '\n';
  if (!gpu.driver_present) {
    out << "  no NVIDIA driver\n";
    out << "  checks       partial: without a driver, the driver-version and architecture rules\n"
           "               cannot run; the environment's own checks still do\n";
  } else {
    out << fmt::format("  driver       {} (from {})\n", or_unknown(gpu.driver_version),
                       gpu.source);
    out << fmt::format("  CUDA driver  {}\n", or_unknown(gpu.cuda_driver_api_version));
    if (gpu.cuda_visible_devices_set) {
      out << fmt::format("  CUDA_VISIBLE_DEVICES={}\n", gpu.cuda_visible_devices);
    }
    for (const facts::GpuDevice& d : gpu.devices) {
      out << fmt::format("  [{}] {}  {} MiB  CC {}  MIG {}  {}\n", d.index, d.name,
                         d.memory_total_mib, or_unknown(d.compute_capability),
                         or_unknown(d.mig), d.uuid);
      for (const facts::MigDevice& m : d.mig_devices) {
        render_mig_device(d, m, out);
      }
    }
  }
  for (const std::string& p : gpu.problems) {
    out << fmt::format("  problem: {}\n", p);
  }
  for (const std::string& p : gpu.visibility_problems) {
    out << fmt::format("  visibility: {}\n", p);
  }
  out << '\n';
}

void render_builds(const facts::BuildFacts& builds, std::ostream& out, const Style& st) {
  out << st.paint("1", "Frameworks") << '\n';
  if (builds.frameworks.empty()) {
    out << "  none installed\n";
  }
  for (const facts::FrameworkBuild& f : builds.frameworks) {
    out << fmt::format("  {} {}{}\n", f.name, or_unknown(f.version),
                       f.gpu_build ? "" : "  (CPU-only build)");
    if (f.gpu_build) {
      out << fmt::format("      CUDA   {}\n", sourced_text(f.cuda));
      out << fmt::format("      cuDNN  {}\n", sourced_text(f.cudnn));
      out << fmt::format("      NCCL   {}\n", sourced_text(f.nccl));
      if (!f.archs.empty()) {
        out << fmt::format("      archs  {}\n", fmt::join(f.archs, " "));
        out << fmt::format("             ({})\n", f.archs_source);
      } else if (!f.archs_source.empty()) {
        out << fmt::format("      archs  none listed ({})\n", f.archs_source);
      } else {
        out << "      archs  unknown\n";
      }
      for (const facts::LibraryUse& u : f.libraries) {
        if (u.library != "cudnn" && u.library != "nccl" && u.how != "missing") {
          continue;
        }
        if (u.how == "missing") {
          out << fmt::format("      loads  {} {}: not found\n", u.library, u.major);
          continue;
        }
        out << fmt::format("      loads  {} {} {} ({}{}{})\n", u.library, or_unknown(u.version.value),
                           u.path, u.how,
                           u.package.empty() || u.how != "wheel" ? "" : ", " + u.package,
                           u.cuda_major.value.empty() ? ""
                                                      : ", for CUDA " + u.cuda_major.value);
      }
    }
  }
  out << '\n';
  out << st.paint("1", fmt::format("CUDA libraries ({})", builds.cuda_libraries.size())) << '\n';
  for (const facts::CudaLibrary& l : builds.cuda_libraries) {
    out << fmt::format("  {:<10} {:<14} {:<6} {}\n", l.name, or_unknown(l.version), l.origin,
                       l.path);
  }
  for (const facts::CudaLibrary& l : builds.compat_libcuda) {
    out << fmt::format("  {:<10} {:<14} {:<6} {} (cuda-compat, {})\n", l.name,
                       or_unknown(l.version), l.origin, l.path, l.found_via);
  }
  out << '\n';
}

}  // namespace

void render_json(const Report& report, std::ostream& out) {
  using nlohmann::ordered_json;
  const auto or_null = [](const std::string& s) {
    return s.empty() ? ordered_json(nullptr) : ordered_json(s);
  };
  ordered_json j;
  j["schema"] = k_doctor_schema;
  j["mlstack_version"] = report.mlstack_version;
  const facts::PythonFacts& py = report.python;
  const bool interpreter = !py.executable.empty();
  j["python"] = {{"executable", or_null(py.executable)},
                 {"version", py.version},
                 {"version_source", interpreter ? "interpreter" : report.python_version_source},
                 {"prefix", or_null(py.prefix)},
                 {"in_virtualenv", interpreter ? ordered_json(py.in_virtualenv) : ordered_json()},
                 {"markers", py.markers},
                 {"site_dirs", py.site_dirs},
                 {"sys_path", py.sys_path}};
  if (report.system) {
    const facts::SystemFacts& sys = *report.system;
    j["system"] = {{"os", or_null(sys.os_name)},
                   {"os_id", or_null(sys.os_id)},
                   {"os_version_id", or_null(sys.os_version_id)},
                   {"os_source", or_null(sys.os_source)},
                   {"glibc", or_null(sys.glibc_version)}};
  } else {
    j["system"] = nullptr;
  }
  ordered_json dists = ordered_json::array();
  for (const DistRow& d : report.distributions) {
    dists.push_back({{"name", d.name},
                     {"version", or_null(d.version)},
                     {"location", d.location},
                     {"installer", or_null(d.installer)},
                     {"requires", d.requires_dist}});
  }
  j["distributions"] = std::move(dists);
  if (report.gpu) {
    j["gpu"] = facts::gpu_facts_to_json(*report.gpu);
  }
  if (report.builds) {
    j["frameworks"] = facts::frameworks_to_json(*report.builds);
    j["cuda_libraries"] = facts::cuda_libraries_to_json(*report.builds);
  }
  ordered_json findings = ordered_json::array();
  for (const rules::Finding& f : report.findings) {
    findings.push_back(finding_json(f));
  }
  j["findings"] = std::move(findings);
  const rules::FindingCounts c = rules::count(report.findings);
  j["summary"] = {{"errors", c.errors}, {"warnings", c.warnings}, {"infos", c.infos}};
  out << j.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

void render_text(const Report& report, std::ostream& out, Color color) {
  const Style st{color};
  const facts::PythonFacts& py = report.python;
  out << st.paint("1", "Python") << '\n';
  out << fmt::format("  interpreter  {}\n", py.executable.empty() ? "(none: --site)" : py.executable);
  out << fmt::format("  version      {}\n", py.version);
  if (!py.prefix.empty()) {
    out << fmt::format("  prefix       {}{}\n", py.prefix, py.in_virtualenv ? " (virtualenv)" : "");
  }
  for (std::size_t i = 0; i < py.site_dirs.size(); ++i) {
    out << fmt::format("  {}   {}\n", i == 0 ? "site dirs " : "          ", py.site_dirs[i]);
  }
  out << '\n';

  std::map<std::string, int> per_location;
  for (const DistRow& d : report.distributions) {
    ++per_location[d.location];
  }
  out << st.paint("1", fmt::format("Packages ({} distributions)", report.distributions.size()))
      << '\n';
  for (const auto& [location, n] : per_location) {
    out << fmt::format("  {:>5}  {}\n", n, location);
  }
  out << '\n';

  if (report.gpu) {
    render_gpu(*report.gpu, out, st);
  }
  if (report.builds) {
    render_builds(*report.builds, out, st);
  }

  const rules::FindingCounts c = rules::count(report.findings);
  out << st.paint("1", "Findings") << '\n';
  if (report.findings.empty()) {
    out << "  none\n";
  }
  for (const rules::Finding& f : report.findings) {
    out << fmt::format("  {} {} {}\n",
                       st.paint(severity_code(f.severity),
                                fmt::format("{:<7}", rules::to_string(f.severity))),
                       f.id, f.title);
    for (const std::string& e : f.evidence) {
      // Multi-line evidence (a parse error with its caret line) stays under its label.
      std::string indented;
      for (const char ch : e) {
        indented += ch;
        if (ch == '\n') {
          indented += "                ";
        }
      }
      out << fmt::format("      evidence: {}\n", indented);
    }
    if (!f.why.empty()) {
      out << fmt::format("      why: {}\n", f.why);
    }
    if (!f.fix.empty()) {
      out << fmt::format("      fix: {}\n", f.fix);
    }
  }
  out << '\n';
  out << fmt::format("{} error{}, {} warning{}, {} info\n", c.errors, c.errors == 1 ? "" : "s",
                     c.warnings, c.warnings == 1 ? "" : "s", c.infos);
}

}  // namespace mlstack::report
