// SPDX-License-Identifier: MIT
#include "mlstack/kb/mapped_arch.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "mlstack/kb/detail/gpu_arch.hpp"
#include "mlstack/rules/loader_findings.hpp"

namespace mlstack::kb {
namespace {

// `9.0` → {9, 0}; nullopt when not `X.Y`.
std::optional<std::pair<std::uint64_t, std::uint64_t>> capability(std::string_view cc) {
  const auto a = detail::parse_arch(cc);
  if (!a) {
    return std::nullopt;
  }
  return std::pair{a->major, a->minor};
}

std::string device_capability(const Kb& kb, const facts::GpuDevice& d) {
  if (!d.compute_capability.empty()) {
    return d.compute_capability;
  }
  for (const GpuModel& g : kb.gpus) {
    if (detail::matches_words(d.name, g.pattern)) {
      return g.compute_capability.text;
    }
  }
  return {};
}

const facts::GpuCode* code_of(const facts::LoaderFacts& loader, const std::string& file) {
  for (const facts::GpuCode& c : loader.gpu_code) {
    if (c.path == file) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace

std::vector<rules::Finding> mapped_arch_findings(const Kb& kb, const facts::LoaderFacts& loader,
                                                 const facts::GpuFacts& gpu) {
  std::vector<rules::Finding> out;
  if (!loader.emulated || loader.gpu_code.empty()) {
    return out;
  }
  for (const facts::GpuDevice& d : gpu.devices) {
    const std::string cc = device_capability(kb, d);
    const auto parsed = capability(cc);
    if (!parsed) {
      continue;
    }
    // One finding per file, in the order files are first mapped; the import orders collected.
    std::vector<std::string> files;
    std::vector<const facts::MappedLibrary*> first;
    std::vector<std::vector<std::vector<std::string>>> orders;
    for (const facts::LoadScenario& s : loader.scenarios) {
      for (const facts::MappedLibrary& m : s.libraries) {
        const std::string& file = m.real_path.empty() ? m.path : m.real_path;
        const facts::GpuCode* code = code_of(loader, file);
        if (code == nullptr || detail::has_sass(code->sass, parsed->first, parsed->second) ||
            detail::has_ptx(code->ptx, parsed->first, parsed->second)) {
          continue;
        }
        const auto at = std::find(files.begin(), files.end(), file);
        if (at == files.end()) {
          files.push_back(file);
          first.push_back(&m);
          orders.push_back({s.order});
        } else {
          auto& o = orders[static_cast<std::size_t>(at - files.begin())];
          if (std::find(o.begin(), o.end(), s.order) == o.end()) {
            o.push_back(s.order);
          }
        }
      }
    }
    for (std::size_t i = 0; i < files.size(); ++i) {
      const facts::MappedLibrary& m = *first[i];
      const facts::GpuCode& code = *code_of(loader, files[i]);
      const std::string title = rules::library_title(m.library);
      rules::Finding f;
      f.id = "LOAD-ARCH-MISSING";
      f.severity = rules::Severity::error;
      f.title = fmt::format("{}{} ({}), which {} would map, has no kernels for {} (compute "
                            "capability {})",
                            title, m.version.value.empty() ? "" : " " + m.version.value, files[i],
                            rules::import_orders_text(orders[i], loader), d.name, cc);
      f.subjects = {m.package.empty() ? m.library : m.package};
      f.evidence.push_back(fmt::format("{}: machine code {}; PTX {}", files[i],
                                       code.sass.empty() ? "none" : fmt::format("{}", fmt::join(code.sass, " ")),
                                       code.ptx.empty() ? "none" : fmt::format("{}", fmt::join(code.ptx, " "))));
      f.evidence.push_back(fmt::format("GPU {}: {} (compute capability {})", d.index, d.name, cc));
      if (!m.why.empty()) {
        f.evidence.push_back(fmt::format("mapped: {} ({}{})", m.why, m.rule,
                                         m.loaded_by.empty() ? "" : ", by " + m.loaded_by));
      }
      f.evidence.push_back(
          "source: https://docs.nvidia.com/cuda/cuda-c-programming-guide/#binary-compatibility "
          "and #ptx-compatibility; the architectures are read from the library's fatbin index");
      f.why = fmt::format(
          "the framework's own binary may cover the GPU, but the {} it calls does not: its "
          "kernels fail with \"no kernel image is available for execution on the device\" (or "
          "CUDNN_STATUS_ARCH_MISMATCH / CUBLAS_STATUS_ARCH_MISMATCH)",
          title);
      f.fix = m.package.empty()
                  ? fmt::format("install a {} built for compute capability {} ahead of {} on the "
                                "library path",
                                title, cc, files[i])
                  : fmt::format("python -m pip install --upgrade '{}'", m.package);
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace mlstack::kb
