// SPDX-License-Identifier: MIT
#include "mlstack/rules/probe_findings.hpp"

#include <algorithm>
#include <array>
#include <set>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"
#include "mlstack/rules/loader_findings.hpp"

namespace mlstack::rules {

namespace {

std::string_view file_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool under(std::string_view path, std::string_view root) {
  while (root.size() > 1 && root.back() == '/') {
    root.remove_suffix(1);
  }
  return !root.empty() && path.starts_with(root) &&
         (path.size() == root.size() || path[root.size()] == '/' || root == "/");
}

// CUDA user-space libraries by file-name prefix (the driver's libcuda.so is not one: it is the
// machine's, mapped by whatever the driver installed).
constexpr std::array<std::string_view, 16> k_cuda_prefixes = {
    "libcudart.",  "libcublas.",   "libcublasLt.", "libcudnn",      "libnccl.",   "libnvJitLink.",
    "libnvrtc.",   "libnvrtc-builtins.", "libcufft.", "libcufftw.", "libcusparse.", "libcusolver.",
    "libcurand.",  "libcupti.",    "libnvToolsExt.", "libcusparseLt."};

}  // namespace

bool tracked_library(std::string_view real_path) {
  const std::string_view name = file_name(real_path);
  return name.starts_with("libstdc++.so") ||
         std::any_of(k_cuda_prefixes.begin(), k_cuda_prefixes.end(),
                     [name](std::string_view p) { return name.starts_with(p); });
}

bool compared_library(std::string_view real_path, const std::vector<std::string>& roots) {
  if (file_name(real_path).find(".so") == std::string_view::npos) {
    return false;
  }
  if (tracked_library(real_path)) {
    return true;
  }
  if (real_path.starts_with("/usr/local/cuda")) {
    return true;
  }
  return std::any_of(roots.begin(), roots.end(),
                     [real_path](const std::string& r) { return under(real_path, r); });
}

namespace {

const facts::ProbeResult* probe_for(const facts::ProbeFacts& probes,
                                    const std::vector<std::string>& order) {
  for (const facts::ProbeResult& p : probes.probes) {
    if (p.order == order) {
      return &p;
    }
  }
  return nullptr;
}

// Another order of the same frameworks whose probe finished cleanly.
const facts::ProbeResult* working_order(const facts::ProbeFacts& probes,
                                        const facts::ProbeResult& failed) {
  std::vector<std::string> wanted = failed.order;
  std::sort(wanted.begin(), wanted.end());
  for (const facts::ProbeResult& p : probes.probes) {
    std::vector<std::string> same = p.order;
    std::sort(same.begin(), same.end());
    if (p.status == "ok" && same == wanted && p.order != failed.order) {
      return &p;
    }
  }
  return nullptr;
}

// The last `n` non-empty lines of a stderr tail, escaped later by the renderer.
std::vector<std::string> last_lines(std::string_view tail, std::size_t n) {
  std::vector<std::string> lines;
  for (std::string_view l : text::split_lines(tail)) {
    if (!text::trim(l).empty()) {
      lines.emplace_back(l);
    }
  }
  if (lines.size() > n) {
    lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(n));
  }
  return lines;
}

Finding failed_probe(const facts::ProbeFacts& probes, const facts::ProbeResult& p) {
  const std::string order = "`" + import_order_text(p.order) + "`";
  Finding f;
  f.subjects = p.order;
  f.severity = Severity::error;
  if (p.status == "crash") {
    f.id = "PROBE-CRASH";
    const std::string sig = p.signal_name.empty() ? fmt::format("signal {}", p.signal)
                                                  : p.signal_name;
    f.title = fmt::format("{} crashed with {} after {:.1f} s", order, sig, p.wall_s);
    f.why = "a process that imports these frameworks in this order dies before it can run "
            "anything; a crash in a pair and not alone is usually two copies of a library "
            "(LOAD-LIB-DUPLICATE) or one built for another version";
  } else if (p.status == "timeout") {
    f.id = "PROBE-TIMEOUT";
    f.title = fmt::format("{} did not finish within {:g} s: its process group was killed", order,
                          probes.timeout_s);
    f.why = "an import that hangs (a lock, a network file system, a driver call) stops every "
            "program that imports it";
  } else if (p.status == "import-error") {
    f.id = "PROBE-IMPORT-ERROR";
    // The import that raised, when the probe says which (ProbeResult::imports).
    const auto failed = std::find_if(p.imports.begin(), p.imports.end(),
                                     [](const facts::ProbeImport& i) { return i.status != "ok"; });
    const std::string& error =
        failed != p.imports.end() && !failed->error.empty() ? failed->error : p.error;
    f.title = p.order.size() > 1 && failed != p.imports.end()
                  ? fmt::format("{}: `import {}` raised {}", order, failed->framework,
                                error.empty() ? "an exception" : error)
                  : fmt::format("{} raised {}", order, error.empty() ? "an exception" : error);
    f.why = "the import fails in a fresh interpreter of this environment";
  } else if (p.status == "exit") {
    f.id = "PROBE-EXIT";
    f.title = fmt::format("{} exited with status {} without an answer", order, p.exit_code);
    f.why = "something in the import ended the interpreter (os._exit, a fatal error)";
  } else {
    f.id = "PROBE-NOT-RUN";
    f.severity = Severity::warning;
    f.title = fmt::format("{} could not be probed: {}", order,
                          p.error.empty() ? std::string("not run") : p.error);
    f.why = "what this import order maps and whether it works is not confirmed";
  }
  if (!p.error.empty() && p.status != "import-error" && p.status != "not-run") {
    f.evidence.push_back("error: " + p.error);
  }
  for (const std::string& line : last_lines(p.stderr_tail, 8)) {
    f.evidence.push_back("stderr: " + line);
  }
  if (p.output_truncated) {
    f.evidence.push_back("output truncated");
  }
  for (const facts::ProbeImport& i : p.imports) {
    f.evidence.push_back(fmt::format("import {}: {}{}", i.framework, i.status,
                                     i.version.empty() ? "" : " (" + i.version + ")"));
  }
  f.evidence.push_back(fmt::format("probe: {} in {:.1f} s", p.status, p.wall_s));
  if (const facts::ProbeResult* ok = working_order(probes, p)) {
    f.fix = fmt::format("import in this order: `{}` (its probe passed)",
                        import_order_text(ok->order));
  } else if (p.status == "timeout") {
    f.fix = fmt::format("if the import is only slow, give it longer: `--probe-timeout {:g}`; "
                        "else run `python -X faulthandler -c '{}'` and read where it waits",
                        probes.timeout_s * 4, import_order_text(p.order));
  } else if (p.status == "not-run") {
    f.fix = "check that the interpreter runs: `python -c 'import sys'`";
  } else if (p.order.size() > 1) {
    f.fix = "import these frameworks in separate processes, or fix the findings about their "
            "libraries above";
  } else {
    f.fix = fmt::format("run `python -X faulthandler -c '{}'` and reinstall what it names: "
                        "`python -m pip install --force-reinstall {}`",
                        import_order_text(p.order), p.order.front());
  }
  return f;
}

Finding mismatch(const facts::ProbeResult& p, const std::vector<std::string>& predicted_only,
                 const std::vector<std::string>& observed_only) {
  const std::string order = "`" + import_order_text(p.order) + "`";
  Finding f;
  f.id = "PROBE-MISMATCH";
  // A CUDA library or libstdc++ decides what the frameworks run with; another file (a Python
  // extension module the model does not follow) does not.
  const auto tracked = [](const std::vector<std::string>& files) {
    return std::any_of(files.begin(), files.end(),
                       [](const std::string& file) { return tracked_library(file); });
  };
  f.severity = tracked(predicted_only) || tracked(observed_only) ? Severity::warning
                                                                 : Severity::info;
  std::vector<std::string> parts;
  if (!observed_only.empty()) {
    parts.push_back(fmt::format("mapped {} file(s) not predicted", observed_only.size()));
  }
  if (!predicted_only.empty()) {
    parts.push_back(fmt::format("did not map {} predicted file(s)", predicted_only.size()));
  }
  f.title = fmt::format("{} {}", order, fmt::join(parts, " and "));
  f.subjects = p.order;
  for (const std::string& o : observed_only) {
    f.evidence.push_back("observed, not predicted: " + o);
  }
  for (const std::string& o : predicted_only) {
    f.evidence.push_back("predicted, not observed: " + o);
  }
  f.why = "the LOAD-* findings rest on the prediction: where the probe saw other files, the "
          "observed ones are what this environment really uses (a framework loading a library "
          "the model does not know, or a file the emulation could not read)";
  f.fix = "trust the observed files; report the difference to mlstack with `doctor --probe "
          "--json` attached";
  return f;
}

}  // namespace

std::vector<Finding> probe_findings(const facts::ProbeFacts& probes,
                                    const facts::LoaderFacts* loader,
                                    const std::vector<std::string>& roots) {
  std::vector<Finding> out;
  if (!probes.done) {
    return out;
  }
  for (const facts::ProbeResult& p : probes.probes) {
    if (p.status != "ok") {
      out.push_back(failed_probe(probes, p));
    }
  }
  if (loader == nullptr || !loader->emulated) {
    return out;
  }
  for (const facts::LoadScenario& s : loader->scenarios) {
    const facts::ProbeResult* p = probe_for(probes, s.order);
    if (p == nullptr || p->status != "ok") {
      continue;
    }
    std::set<std::string> predicted;
    for (const facts::MappedLibrary& m : s.libraries) {
      const std::string& file = m.real_path.empty() ? m.path : m.real_path;
      if (m.when == "import" && compared_library(file, roots)) {
        predicted.insert(file);
      }
    }
    // What the imports mapped: not what listing the devices mapped afterwards (a
    // framework's first GPU use, which the prediction marks `first GPU use`).
    std::set<std::string> observed;
    const std::set<std::string> by_devices(p->mapped_by_devices.begin(),
                                           p->mapped_by_devices.end());
    for (const std::string& file : p->mapped) {
      if (compared_library(file, roots) && by_devices.count(file) == 0) {
        observed.insert(file);
      }
    }
    std::vector<std::string> predicted_only;
    std::vector<std::string> observed_only;
    std::set_difference(predicted.begin(), predicted.end(), observed.begin(), observed.end(),
                        std::back_inserter(predicted_only));
    std::set_difference(observed.begin(), observed.end(), predicted.begin(), predicted.end(),
                        std::back_inserter(observed_only));
    if (!predicted_only.empty() || !observed_only.empty()) {
      out.push_back(mismatch(*p, predicted_only, observed_only));
    }
  }
  return out;
}

}  // namespace mlstack::rules
