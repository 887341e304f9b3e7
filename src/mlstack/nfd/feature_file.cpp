// SPDX-License-Identifier: MIT
#include "mlstack/nfd/feature_file.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"
#include "mlstack/base/utc_time.hpp"

namespace mlstack::nfd {
namespace {

constexpr std::size_t k_max_value = 63;

bool allowed(char c) { return text::is_ascii_alnum(c) || c == '.' || c == '_' || c == '-'; }

std::string trimmed(std::string s) {
  const auto first = std::find_if(s.begin(), s.end(), text::is_ascii_alnum);
  s.erase(s.begin(), first);
  while (!s.empty() && !text::is_ascii_alnum(s.back())) {
    s.pop_back();
  }
  return s;
}

class Writer {
 public:
  explicit Writer(std::string header) : m_text(std::move(header)) {}

  // `mlstack.io/<name>=<value>`, the value sanitized; left out when it sanitizes to nothing or
  // would take the file past NFD's limit.
  void add(std::string_view name, std::string_view value) {
    const std::string v = label_value(value);
    if (v.empty()) {
      return;
    }
    std::string line = fmt::format("{}/{}={}\n", k_namespace, name, v);
    if (m_text.size() + line.size() <= k_max_file_size) {
      m_text += line;
    }
  }

  [[nodiscard]] std::string take() { return std::move(m_text); }

 private:
  std::string m_text;
};

// The distinct versions of a CUDA library found, sorted and joined with `_` (a label value
// has no other separator): `8.9.7.29_9.1.0.70`.
std::string versions_of(const facts::BuildFacts& builds, std::string_view library) {
  std::set<std::string> versions;
  for (const facts::CudaLibrary& l : builds.cuda_libraries) {
    if (l.name == library && !l.version.empty()) {
      versions.insert(label_value(l.version));
    }
  }
  std::string out;
  for (const std::string& v : versions) {
    out += (out.empty() ? "" : "_") + v;
  }
  return out;
}

}  // namespace

std::string label_value(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    c = allowed(c) ? c : '_';
  }
  out = trimmed(std::move(out));
  if (out.size() > k_max_value) {
    out.resize(k_max_value);
    out = trimmed(std::move(out));
  }
  return out;
}

std::string render(const report::Report& report, const Options& options) {
  // The directive comes first: NFD applies an expiry time to the lines after it.
  Writer w(fmt::format("# +expiry-time={}\n# mlstack doctor {}: labels NFD drops after that time\n",
                       text::utc_rfc3339(options.now_s + options.expiry_s),
                       label_value(report.mlstack_version)));
  const rules::FindingCounts counts = rules::count(report.findings);
  const bool fails_on_warnings = options.strict && counts.warnings > 0;
  const std::string_view verdict = counts.errors > 0     ? "errors"
                                   : counts.warnings > 0 ? "warnings"
                                                         : "healthy";
  w.add("doctor.verdict", verdict);
  w.add("doctor.healthy", counts.errors == 0 && !fails_on_warnings ? "true" : "false");
  w.add("doctor.errors", std::to_string(counts.errors));
  w.add("doctor.warnings", std::to_string(counts.warnings));
  w.add("doctor.infos", std::to_string(counts.infos));
  w.add("version", report.mlstack_version);
  w.add("python.version", report.python.version);
  if (report.builds) {
    for (const facts::FrameworkBuild& f : report.builds->frameworks) {
      // Framework names are `torch`, `tensorflow`, `jax`, `onnxruntime`, `cupy`: valid in a
      // label name; anything else is sanitized as a value is.
      const std::string name = label_value(f.name);
      if (name.empty() || name.size() > 40) {
        continue;
      }
      w.add(name + ".version", f.version);
      w.add(name + ".gpu-build", f.gpu_build ? "true" : "false");
      w.add(name + ".cuda", f.cuda.value);
      w.add(name + ".cudnn", f.cudnn.value);
      w.add(name + ".nccl", f.nccl.value);
    }
    w.add("cudnn.version", versions_of(*report.builds, "cudnn"));
    w.add("nccl.version", versions_of(*report.builds, "nccl"));
  }
  return w.take();
}

}  // namespace mlstack::nfd
