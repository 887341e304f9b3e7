// SPDX-License-Identifier: MIT
#include "mlstack/prometheus/exposition.hpp"

#include <map>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"

namespace mlstack::prometheus {
namespace {

// Valid UTF-8 with every invalid byte as U+FFFD: the exposition format is UTF-8 text.
std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const text::Utf8Char c = text::decode_utf8(s, i);
    if (c.length == 0) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.append(s.substr(i, c.length));
      i += c.length;
    }
  }
  return out;
}

using Labels = std::vector<std::pair<std::string_view, std::string>>;

// One metric family: HELP and TYPE once, then its samples; a family without samples is left
// out. The same label set twice would be a duplicate series (promtool refuses it): only the
// first is written.
class Family {
 public:
  Family(std::string_view name, std::string_view help) : m_name(name), m_help(help) {}

  void add(const Labels& labels, std::string_view value) {
    std::string series(m_name);
    if (!labels.empty()) {
      series += '{';
      bool first = true;
      for (const auto& [key, label_value] : labels) {
        series += fmt::format("{}{}=\"{}\"", first ? "" : ",", key,
                              escape_label_value(label_value));
        first = false;
      }
      series += '}';
    }
    if (m_seen.insert(series).second) {
      m_samples += fmt::format("{} {}\n", series, value);
    }
  }
  void add(const Labels& labels, std::uint64_t value) { add(labels, std::to_string(value)); }

  void write(std::string& out) const {
    if (m_samples.empty()) {
      return;
    }
    // HELP text escapes `\` and line feeds (the format's rule); ours has neither.
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", m_name, m_help, m_name);
    out += m_samples;
  }

 private:
  std::string_view m_name;
  std::string_view m_help;
  std::string m_samples;
  std::set<std::string> m_seen;
};

std::string_view flag(bool b) { return b ? "true" : "false"; }

void gpu_families(const facts::GpuFacts& gpu, std::string& out) {
  Family driver("mlstack_nvidia_driver_info",
                "The NVIDIA driver doctor found (value 1): its version and the CUDA version it "
                "supports.");
  if (gpu.driver_present) {
    driver.add({{"driver_version", gpu.driver_version},
                {"cuda_driver_api_version", gpu.cuda_driver_api_version},
                {"kernel_module_version", gpu.kernel_module_version},
                {"source", gpu.source}},
               1);
  }
  driver.write(out);
  Family count("mlstack_gpu_devices",
               "GPUs the driver shows to CUDA processes (after CUDA_VISIBLE_DEVICES).");
  count.add({}, gpu.devices.size());
  count.write(out);
  Family memory("mlstack_gpu_memory_total_bytes", "Memory of each GPU, in bytes (NVML).");
  for (const facts::GpuDevice& d : gpu.devices) {
    memory.add({{"index", std::to_string(d.index)},
                {"uuid", d.uuid},
                {"name", d.name},
                {"compute_capability", d.compute_capability}},
               d.memory_total_mib * 1024U * 1024U);
  }
  memory.write(out);
}

void build_families(const facts::BuildFacts& builds, std::string& out) {
  Family frameworks("mlstack_framework_info",
                    "Each framework installed (value 1): its version and the CUDA, cuDNN and "
                    "NCCL it was built for, read from its files.");
  for (const facts::FrameworkBuild& f : builds.frameworks) {
    frameworks.add({{"framework", f.name},
                    {"distribution", f.distribution},
                    {"version", f.version},
                    {"variant", f.variant},
                    {"gpu_build", std::string(flag(f.gpu_build))},
                    {"cuda", f.cuda.value},
                    {"cudnn", f.cudnn.value},
                    {"nccl", f.nccl.value}},
                   1);
  }
  frameworks.write(out);
  Family libraries("mlstack_cuda_library_info",
                   "Each CUDA user-space library found (value 1): its version and where it is.");
  for (const facts::CudaLibrary& l : builds.cuda_libraries) {
    libraries.add({{"library", l.name},
                   {"version", l.version},
                   {"origin", l.origin},
                   {"package", l.package},
                   {"path", l.path}},
                  1);
  }
  libraries.write(out);
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  const std::string utf8 = valid_utf8(value);
  std::string out;
  out.reserve(utf8.size());
  for (const char c : utf8) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render(const report::Report& report, const Options& options) {
  std::string out;
  const rules::FindingCounts counts = rules::count(report.findings);
  const bool healthy = counts.errors == 0 && !(options.strict && counts.warnings > 0);
  Family health("mlstack_healthy",
                "1 when doctor found no error (with --strict: no warning either), else 0; the "
                "exit status of the same run is 0 or 1 accordingly.");
  health.add({}, healthy ? 1 : 0);
  health.write(out);

  Family by_severity("mlstack_findings", "Findings of the last doctor run, by severity.");
  by_severity.add({{"severity", "error"}}, static_cast<std::uint64_t>(counts.errors));
  by_severity.add({{"severity", "warning"}}, static_cast<std::uint64_t>(counts.warnings));
  by_severity.add({{"severity", "info"}}, static_cast<std::uint64_t>(counts.infos));
  by_severity.write(out);

  // Sorted by id, then severity: the same report gives the same text.
  std::map<std::pair<std::string, std::string>, std::uint64_t> per_id;
  for (const rules::Finding& f : report.findings) {
    ++per_id[{f.id, std::string(rules::to_string(f.severity))}];
  }
  Family by_id("mlstack_finding",
               "Findings of the last doctor run with this id (docs/rules.md); only ids found "
               "appear.");
  for (const auto& [key, n] : per_id) {
    by_id.add({{"id", key.first}, {"severity", key.second}}, n);
  }
  by_id.write(out);

  Family build("mlstack_build_info", "The mlstack that wrote these metrics (value 1).");
  build.add({{"version", report.mlstack_version}}, 1);
  build.write(out);
  Family run_time("mlstack_last_run_timestamp_seconds",
                  "When the doctor run that wrote these metrics started, in seconds since the "
                  "Unix epoch.");
  if (options.run_timestamp_s) {
    run_time.add({}, std::to_string(*options.run_timestamp_s));
  }
  run_time.write(out);

  Family python("mlstack_python_info",
                "The Python environment inspected (value 1): its version and interpreter "
                "(empty for a site folder).");
  python.add({{"version", report.python.version},
              {"executable", report.python.executable},
              {"prefix", report.python.prefix}},
             1);
  python.write(out);
  Family dists("mlstack_distributions", "Distributions installed in the environment.");
  dists.add({}, report.distributions.size());
  dists.write(out);

  if (report.gpu) {
    gpu_families(*report.gpu, out);
  }
  if (report.builds) {
    build_families(*report.builds, out);
  }
  return out;
}

}  // namespace mlstack::prometheus
