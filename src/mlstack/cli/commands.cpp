// SPDX-License-Identifier: MIT
#include "mlstack/cli/commands.hpp"

#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <future>
#include <iterator>
#include <optional>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"
#include "mlstack/cudalibs/compat_driver.hpp"
#include "mlstack/cudalibs/cuda_libraries.hpp"
#include "mlstack/cudalibs/library_uses.hpp"
#include "mlstack/frameworks/cached_binary_reader.hpp"
#include "mlstack/frameworks/framework_builds.hpp"
#include "mlstack/frameworks/mapped_gpu_code.hpp"
#include "mlstack/gpu/gather.hpp"
#include "mlstack/html/html.hpp"
#include "mlstack/io/file_facts_cache.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/kb/evaluate.hpp"
#include "mlstack/kb/kb.hpp"
#include "mlstack/kb/mapped_arch.hpp"
#include "mlstack/linkmap/predict.hpp"
#include "mlstack/names/python_case.hpp"
#include "mlstack/pep440/version.hpp"
#include "mlstack/pep508/marker_environment.hpp"
#include "mlstack/probe/runner.hpp"
#include "mlstack/pyenv/os_release.hpp"
#include "mlstack/pyenv/spawn.hpp"
#include "mlstack/report/health.hpp"
#include "mlstack/rules/checks.hpp"
#include "mlstack/rules/fact_findings.hpp"
#include "mlstack/rules/loader_findings.hpp"
#include "mlstack/rules/probe_findings.hpp"
#include "mlstack/rules/package_findings.hpp"
#include "mlstack/rules/pip_check.hpp"
#include "mlstack/tags/supported_tags.hpp"
#include "mlstack/version.hpp"

namespace mlstack::cli {
namespace {

// Errors quote input (a METADATA field, the interpreter's stderr): escaped, so that they
// cannot drive the terminal.
void print_error(std::ostream& err, const Error& e) {
  err << "mlstack: error: " << text::escape_controls(render(e)) << '\n';
}

// A `--kb` file is a few hundred lines of TOML (the embedded KB is 150 KiB in all); the bound
// keeps a wrong path (a log, an image) from filling memory through the TOML parser: loading
// takes about 32 times the file (4 MiB of rules peaked at 134 MB), so 1 MiB stays near 40 MB.
constexpr std::size_t k_max_kb_file_size = std::size_t{1} << 20U;

// The `--kb` files' texts: regular files only (a FIFO would block, /dev/zero never ends), at
// most k_max_kb_file_size each; the error names the file.
Result<std::vector<kb::KbFile>> read_kb_files(const io::FileSystem& fs,
                                              const std::vector<std::string>& paths) {
  std::vector<kb::KbFile> files;
  for (const std::string& path : paths) {
    io::FileStat st;
    io::IoStatus status = fs.stat(path, io::Follow::yes, st);
    if (status.ok() && st.kind != io::FileKind::regular && st.kind != io::FileKind::directory) {
      status.kind = io::IoStatus::Kind::not_regular;
    }
    kb::KbFile file{path, {}};
    if (status.ok()) {
      status = fs.read_file(path, k_max_kb_file_size, file.text);
    }
    if (status.kind == io::IoStatus::Kind::too_large) {
      return unexpected(
          make_error(ErrorCode::limit, fmt::format("cannot read KB file `{}`: larger than {} MiB",
                                                   path, k_max_kb_file_size >> 20U)));
    }
    if (!status.ok()) {
      return unexpected(io::make_io_error(status, "read KB file", path));
    }
    files.push_back(std::move(file));
  }
  return files;
}

std::optional<tags::SupportedTags> supported_tags(const facts::PythonFacts& py,
                                                  std::ostream& err) {
  auto tags = tags::SupportedTags::from_facts(py.tags);
  if (!tags) {
    err << "WARNING: platform check skipped: " << text::escape_controls(render(tags.error()))
        << '\n';
    return std::nullopt;
  }
  return std::move(*tags);
}

// `with_requires`: Requires-Dist is only shown in JSON (formatting every requirement again is
// 3M instructions at 200 distributions).
std::vector<report::DistRow> dist_rows(const rules::PackageSet& set,
                                       const facts::Inventory& inventory, bool with_requires,
                                       bool with_depends) {
  std::vector<report::DistRow> rows;
  rows.reserve(inventory.dists.size());
  for (const facts::InstalledDist& d : inventory.dists) {
    report::DistRow row;
    row.name = d.canonical_name;
    row.location = d.location;
    row.installer = d.installer;
    if (const rules::CheckedDist* c = set.find(d.canonical_name); c != nullptr && c->dist == &d) {
      row.version = c->version.to_string();
      if (with_requires) {
        for (const auto& r : c->requirements) {
          row.requires_dist.push_back(r.to_string());
        }
      }
      if (with_depends) {
        for (const std::size_t i : c->active) {
          row.depends.push_back(c->requirements[i].to_string());
        }
      }
    } else {
      row.version = d.version_text.value_or("");
      if (with_requires) {
        row.requires_dist = d.requires_dist;
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// The variables the KB rules may read with env(): the frameworks' settings and the CUDA
// loader's, as this process has them (the environment the frameworks would start with).
std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// For `--root` / `--image`, the image's own ENV instead (`target.environment`).
kb::Environment rule_environment(const Target& target) {
  kb::Environment env;
  const auto keep = [&env](std::string_view name, std::string_view value) {
    for (std::string_view prefix : {"TF_", "XLA_", "JAX_", "PYTORCH_", "CUDA_", "NCCL_",
                                    "CUPY_", "ORT_", "PROTOCOL_BUFFERS_", "LD_LIBRARY_PATH"}) {
      if (name.starts_with(prefix)) {
        env.emplace(std::string(name), std::string(value));
        break;
      }
    }
  };
  if (!target.root_kind.empty()) {
    for (const auto& [name, value] : target.environment) {
      keep(name, value);
    }
    return env;
  }
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string_view::npos) {
      keep(entry.substr(0, eq), entry.substr(eq + 1));
    }
  }
  return env;
}

// LD_LIBRARY_PATH as the target's processes start with it: this process's, or the image's.
std::string target_ld_library_path(const Target& target) {
  if (target.root_kind.empty()) {
    return env_or_empty("LD_LIBRARY_PATH");
  }
  const auto it = target.environment.find("LD_LIBRARY_PATH");
  return it == target.environment.end() ? std::string() : it->second;
}

// The driver and GPUs of this machine. `MLSTACK_SYSFS_ROOT` prefixes the /proc and /sys
// files read (tests, and reports on a captured snapshot).
facts::GpuFacts gather_gpu(const DoctorOptions& options, const io::FileSystem& fs) {
  gpu::GpuOptions g = gpu::gpu_options_from_environment();
  if (!options.nvml_library.empty()) {
    g.nvml_library = options.nvml_library;
  }
  if (const std::string root = env_or_empty("MLSTACK_SYSFS_ROOT"); !root.empty()) {
    g.proc_driver_version_path = root + g.proc_driver_version_path;
    g.sys_module_version_path = root + g.sys_module_version_path;
  }
  return gpu::gather_gpu_facts(fs, g);
}

// Frameworks' builds and CUDA libraries. System folders are searched only when the target is
// an interpreter of this machine (not for `--site`).
// Binaries' facts (fatbin index, DT_NEEDED, DT_SONAME, ...) come from `cache` while the
// files are unchanged.
facts::BuildFacts gather_builds(const DoctorOptions& options, const Target& target,
                                const kb::Kb& kb, io::FileFactsCache& cache) {
  const facts::Inventory& inventory = target.inventory;
  const io::FileSystem& fs = *target.fs;
  facts::BuildFacts builds;
  const frameworks::ElfBinaryReader elf_binaries(fs);
  const frameworks::CachedBinaryReader binaries(elf_binaries, fs, cache);
  frameworks::FrameworkScan fw = frameworks::read_framework_builds(inventory, fs, &binaries);
  const cudalibs::ElfSonameReader elf_sonames(fs);
  const cudalibs::CachedSonameReader sonames(elf_sonames, fs, cache);
  cudalibs::CudaLibOptions lib_options;
  lib_options.soname_reader = &sonames;
  lib_options.file_cache = &cache;
  lib_options.ld_library_path = target_ld_library_path(target);
  if (!options.target.sites.empty()) {
    lib_options.system = cudalibs::SystemSearch::disabled;
    builds.system_searched = false;
  }
  cudalibs::CudaLibraryScan libs = cudalibs::find_cuda_libraries(inventory, fs, lib_options);
  builds.cuda_libraries = std::move(libs.libraries);
  for (const facts::FrameworkBuild& f : fw.frameworks) {
    builds.cuda_libraries.insert(builds.cuda_libraries.end(), f.bundled_libraries.begin(),
                                 f.bundled_libraries.end());
    builds.cuda_libraries.insert(builds.cuda_libraries.end(), f.static_libraries.begin(),
                                 f.static_libraries.end());
  }
  builds.compat_libcuda = cudalibs::find_compat_libcuda(fs, lib_options, libs.problems);
  builds.frameworks = std::move(fw.frameworks);
  cudalibs::resolve_library_uses(
      builds, [&kb](const facts::FrameworkBuild& b, const std::string& cuda_major) {
        return kb::build_for_cuda(kb, b.name, b.version, cuda_major);
      });
  // The frameworks' own problems are in each FrameworkBuild (FW-BUILD-UNREADABLE).
  builds.problems = std::move(libs.problems);
  return builds;
}

// `--probe`: the installed frameworks' import probes under the target interpreter.
facts::ProbeFacts run_probes(const DoctorOptions& options, const facts::BuildFacts& builds,
                             const facts::PythonFacts& python) {
  probe::ProbeOptions p;
  p.python = python.executable;
  for (const facts::FrameworkBuild& b : builds.frameworks) {
    if (std::find(p.frameworks.begin(), p.frameworks.end(), b.name) == p.frameworks.end()) {
      p.frameworks.push_back(b.name);
    }
  }
  p.timeout = std::chrono::milliseconds(
      static_cast<std::int64_t>(std::llround(options.probe_timeout_s * 1000.0)));
  p.jobs = options.probe_jobs;
  p.gpu = options.probe_gpu ? probe::GpuListing::with_context : probe::GpuListing::without_context;
  return probe::run_probes(p);
}

// What the dynamic loader would map for each framework and import order (linkmap), for an
// interpreter of this machine: its settings from LD_LIBRARY_PATH, /etc/ld.so.cache and
// `PT_INTERP --help`; ELF reads through `cache`.
facts::LoaderFacts gather_loader(const Target& target, const facts::BuildFacts& builds,
                                 io::FileFactsCache& cache) {
  const facts::PythonFacts& python = target.python;
  const facts::Inventory& inventory = target.inventory;
  const io::FileSystem& fs = *target.fs;
  linkmap::TargetLoaderInput in;
  in.python = python.executable;
  in.ld_library_path = target_ld_library_path(target);
  // A foreign root's ld.so is not run: its default folders are Debian's (TargetLoaderInput).
  if (target.root_kind.empty()) {
    std::string real;
    if (!fs.realpath(python.executable, real).ok()) {
      real = python.executable;
    }
    if (auto interp = linkmap::program_interpreter(real)) {
      if (auto help = pyenv::run_process({*interp, "--help"}, std::chrono::seconds(10))) {
        in.ld_so_help = std::move(help->stdout_text);
      }
    }
  }
  facts::LoaderFacts loader = linkmap::predict_target(fs, in, builds, inventory, python, cache);
  // The device code of the CUDA libraries the orders map (LOAD-ARCH-MISSING).
  const frameworks::ElfBinaryReader elf_binaries(fs);
  const frameworks::CachedBinaryReader binaries(elf_binaries, fs, cache);
  frameworks::add_mapped_gpu_code(binaries, loader);
  return loader;
}

}  // namespace

ExitCode print_pip_check(const facts::Inventory& inventory, const pep508::MarkerEnvironment& env,
                         const tags::SupportedTags* supported, std::ostream& out,
                         std::ostream& err) {
  const rules::PackageSet set = rules::build_package_set(inventory, env);
  const rules::PipCheckResult result = rules::pip_check(set, inventory, supported);
  // pip prints these through rich, which drops BEL, BS, VT, FF and CR and keeps the rest
  // (ESC included): `check` prints what pip prints.
  for (const std::string& w : rules::pip_check_warnings(set, inventory)) {
    err << "WARNING: " << text::strip_controls_as_rich(w) << '\n';
  }
  if (const auto icu = names::unicode_case_error()) {
    err << fmt::format(
        "mlstack: warning: names with non-ASCII letters were lowercased in ASCII only: {}\n",
        *icu);
  }
  // One write for the usual few lines; a huge line (a requirement of a million specifiers)
  // goes out on its own, not copied into the buffer too.
  constexpr std::size_t k_buffered_line = std::size_t{1} << 16;
  std::string buffer;
  for (const std::string& line : rules::pip_check_lines(set, result)) {
    if (line.size() > k_buffered_line) {
      out << buffer << text::strip_controls_as_rich(line) << '\n';
      buffer.clear();
      continue;
    }
    buffer += text::strip_controls_as_rich(line);
    buffer += '\n';
  }
  out << buffer;
  if (const auto crash = rules::pip_crash(set, result)) {
    // pip stops here with a traceback and exit status 2; so does its drop-in.
    err << fmt::format("mlstack: error: pip check cannot check this environment: {}\n"
                       "hint: `mlstack doctor` reports every problem\n",
                       text::escape_controls(*crash));
    return ExitCode::usage_error;
  }
  return result.healthy(set) ? ExitCode::healthy : ExitCode::problems_found;
}

ExitCode run_check(const CheckOptions& options, std::ostream& out, std::ostream& err) {
  if (!options.report_file.empty() || !options.lock_file.empty()) {
    return run_check_input(options, out, err);  // check_input.cpp
  }
  if (options.target.sites.empty() &&
      (!options.target.python_version.empty() || !options.target.platform.empty())) {
    err << "mlstack: error: --python-version and --platform need --site, --report or --lock\n"
           "hint: run `mlstack check --help`\n";
    return ExitCode::usage_error;
  }
  auto target = load_target(options.target, pyenv::ScanDepth::pip_check, err);
  if (!target) {
    print_error(err, target.error());
    return ExitCode::usage_error;
  }
  const pep508::MarkerEnvironment env(target->python.markers);
  const auto supported = supported_tags(target->python, err);
  return print_pip_check(target->inventory, env, supported ? &*supported : nullptr, out, err);
}

namespace {

// LOAD-* from what each import order maps (`rep.loader`; LOAD-ARCH-MISSING needs its
// `gpu_code` and the GPUs), PROBE-* from the probes (`rep.probes`), compared with the
// prediction over the environment's site folders (and its prefix, for a virtual environment).
void add_loader_findings(report::Report& rep, const kb::Kb& kb) {
  std::vector<rules::Finding> found;
  if (rep.loader && rep.builds) {
    found = rules::loader_findings(*rep.loader, *rep.builds);
  }
  if (rep.loader && rep.gpu) {
    std::vector<rules::Finding> arch = kb::mapped_arch_findings(kb, *rep.loader, *rep.gpu);
    found.insert(found.end(), std::make_move_iterator(arch.begin()),
                 std::make_move_iterator(arch.end()));
  }
  if (rep.probes) {
    std::vector<std::string> roots = rep.python.site_dirs;
    if (rep.python.in_virtualenv && !rep.python.prefix.empty()) {
      roots.push_back(rep.python.prefix);
    }
    std::vector<rules::Finding> probed =
        rules::probe_findings(*rep.probes, rep.loader ? &*rep.loader : nullptr, roots);
    found.insert(found.end(), std::make_move_iterator(probed.begin()),
                 std::make_move_iterator(probed.end()));
  }
  rep.findings.insert(rep.findings.end(), std::make_move_iterator(found.begin()),
                      std::make_move_iterator(found.end()));
}

// The ids of the checks `rep` went through: doctor's own (those that ran for this target),
// then the knowledge base's rules.
std::vector<std::string> checks_run(const report::Report& rep, const kb::Kb& kb) {
  std::vector<std::string> ids(rules::k_package_checks.begin(), rules::k_package_checks.end());
  ids.insert(ids.end(), rules::k_gathering_checks.begin(), rules::k_gathering_checks.end());
  if (rep.loader) {
    ids.insert(ids.end(), rules::k_loader_checks.begin(), rules::k_loader_checks.end());
  }
  if (rep.probes) {
    ids.insert(ids.end(), rules::k_probe_checks.begin(), rules::k_probe_checks.end());
  }
  for (const kb::Rule& rule : kb.rules) {
    ids.push_back(rule.entry.id);
  }
  return ids;
}

// The doctor's report, or the error that stopped it (a bad `--kb` file, a target that cannot
// be inspected): the caller says how to show either.
Result<report::Report> doctor_report(const DoctorOptions& options, std::ostream& err) {
  const io::RealFileSystem fs;
  // Three independent gatherers: the knowledge base (parsing TOML), this machine's GPU
  // (dlopen + NVML) and the environment's scan. The first two run beside the scan.
  auto kb_future = std::async(std::launch::async, [&options, &fs]() -> Result<kb::Kb> {
    MLSTACK_TRY_ASSIGN(std::vector<kb::KbFile> files, read_kb_files(fs, options.kb_files));
    return kb::load_kb(files);
  });
  // An image is on no machine: its report has no GPU part. `--root` (a node's `/` mounted
  // in a container) is on this one.
  const bool probe_gpu = options.gpu == GpuProbe::automatic && options.target.image.empty();
  auto gpu_future = std::async(std::launch::async, [&options, &fs, probe_gpu] {
    if (probe_gpu) {
      return gather_gpu(options, fs);
    }
    facts::GpuFacts skipped;
    skipped.source = options.target.image.empty() ? "not probed (--no-gpu)"
                                                  : "not probed (--image)";
    return skipped;
  });
  // INSTALLER is only shown in JSON.
  std::unique_ptr<io::FileFactsCache> file_cache;
  auto target =
      load_target(options.target, pyenv::ScanDepth::full, err, options.json, &file_cache);
  auto kb = kb_future.get();
  facts::GpuFacts gpu_facts = gpu_future.get();
  // The knowledge base is mlstack's own input: a bad --kb file is a usage error.
  if (!kb) {
    return unexpected(std::move(kb).error());
  }
  if (!target) {
    return unexpected(std::move(target).error());
  }
  // Framework builds and CUDA libraries (file reads, ELF headers) beside the requirement
  // parsing (CPU): both only read the inventory.
  auto builds_future = std::async(std::launch::async, [&options, &target, &kb, &file_cache] {
    return gather_builds(options, *target, *kb, *file_cache);
  });
  const pep508::MarkerEnvironment env(target->python.markers);
  const auto supported = supported_tags(target->python, err);
  const rules::PackageSet set = rules::build_package_set(target->inventory, env);
  const rules::PipCheckResult pip =
      rules::pip_check(set, target->inventory, supported ? &*supported : nullptr);
  facts::BuildFacts builds = builds_future.get();
  // The loader's prediction for an interpreter target (not `--site`).
  std::optional<facts::LoaderFacts> loader;
  if (options.target.sites.empty()) {
    loader = gather_loader(*target, builds, *file_cache);
  }
  // Best effort: a read-only or full cache folder only costs the next run its reads.
  [[maybe_unused]] const Result<void> saved = file_cache->save();

  report::Report rep;
  rep.mlstack_version = std::string(k_version);
  rep.distributions = dist_rows(set, target->inventory, options.json,
                                !options.html.empty() || options.format == DoctorFormat::html);
  rep.findings = rules::package_findings(
      rules::PackageContext{target->python, target->inventory, env, set, pip});
  std::vector<rules::Finding> gathered = rules::fact_findings(gpu_facts, builds);
  rep.findings.insert(rep.findings.end(), std::make_move_iterator(gathered.begin()),
                      std::make_move_iterator(gathered.end()));
  const kb::Environment environment = rule_environment(*target);
  std::vector<rules::Finding> kb_findings = kb::evaluate(
      *kb, kb::KbInput{target->python, target->inventory, gpu_facts, builds, &environment});
  rep.findings.insert(rep.findings.end(), std::make_move_iterator(kb_findings.begin()),
                      std::make_move_iterator(kb_findings.end()));
  if (probe_gpu) {
    rep.gpu = std::move(gpu_facts);
  }
  rep.builds = std::move(builds);
  rep.loader = std::move(loader);
  if (options.target.sites.empty()) {
    rep.system = pyenv::read_system_facts(
        *target->fs, target->python,
        target->root_kind.empty() ? env_or_empty("MLSTACK_SYSFS_ROOT") : std::string());
  }
  if (options.probe) {
    rep.probes = run_probes(options, *rep.builds, target->python);
  }
  rep.python_version_source = target->python_version_source;
  rep.root_kind = target->root_kind;
  rep.root_path = target->root_path;
  rep.python_version_evidence = target->python_version_evidence;
  rep.python = std::move(target->python);
  add_loader_findings(rep, *kb);
  rep.checks = checks_run(rep, *kb);
  return rep;
}

}  // namespace

ExitCode run_doctor(const DoctorOptions& options, std::ostream& out, std::ostream& err) {
  Result<report::Report> rep = doctor_report(options, err);
  if (!rep) {
    print_error(err, rep.error());
    return ExitCode::usage_error;
  }
  if (!options.html.empty()) {
    std::ostringstream page;
    html::render_html(*rep, page);
    if (Result<void> written = io::write_file_atomic(options.html, page.str()); !written) {
      print_error(err, written.error());
      return ExitCode::usage_error;
    }
  }
  render_doctor(*rep, options, out);
  const rules::FindingCounts counts = rules::count(rep->findings);
  const bool failed = counts.errors > 0 || (options.strict && counts.warnings > 0);
  return failed ? ExitCode::problems_found : ExitCode::healthy;
}

namespace {

// The deadline's line, formatted before the timer is armed: the handler only writes it.
std::array<char, 128> g_deadline_line{};
std::size_t g_deadline_size = 0;

extern "C" void on_healthcheck_deadline(int /*signal*/) {
  [[maybe_unused]] const ssize_t n = write(STDOUT_FILENO, g_deadline_line.data(), g_deadline_size);
  _exit(static_cast<int>(ExitCode::problems_found));
}

}  // namespace

void arm_healthcheck_deadline(double seconds) {
  const std::string line = fmt::format("unhealthy: no answer within {} s\n", seconds);
  g_deadline_size = std::min(line.size(), g_deadline_line.size());
  std::copy_n(line.data(), g_deadline_size, g_deadline_line.data());
  struct sigaction action {};
  action.sa_handler = on_healthcheck_deadline;
  sigemptyset(&action.sa_mask);
  sigaction(SIGALRM, &action, nullptr);
  const auto micros = static_cast<long>(std::llround(seconds * 1e6));
  itimerval timer{};
  timer.it_value.tv_sec = micros / 1000000;
  timer.it_value.tv_usec = micros % 1000000;
  setitimer(ITIMER_REAL, &timer, nullptr);
}

ExitCode run_healthcheck(const DoctorOptions& options, std::ostream& out) {
  // The interpreter's probe must answer within the deadline too (it is a child process, which
  // the deadline's _exit would leave behind).
  DoctorOptions bounded = options;
  bounded.target.probe_timeout_s =
      std::min(options.target.probe_timeout_s, options.healthcheck_timeout_s);
  // The talk (notes about the target, warnings) is not part of a probe's one line.
  std::ostringstream talk;
  Result<report::Report> rep = doctor_report(bounded, talk);
  const report::HealthStatus status =
      rep ? report::health_status(rep->findings, options.strict)
          : report::health_failure(render(rep.error()));
  out << status.line << '\n';
  return status.healthy ? ExitCode::healthy : ExitCode::problems_found;
}

}  // namespace mlstack::cli
