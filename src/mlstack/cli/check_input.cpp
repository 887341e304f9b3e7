// SPDX-License-Identifier: MIT
// `mlstack check --report FILE` and `mlstack check --lock FILE`: the package checks on what a
// resolver would install, with no environment installed (docs/check-inputs.md).
#include "mlstack/base/text.hpp"
#include "mlstack/cli/commands.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/lockfile/pip_report.hpp"
#include "mlstack/lockfile/pylock.hpp"
#include "mlstack/pyenv/interpreter_probe.hpp"
#include "mlstack/pyenv/synthesize.hpp"
#include "mlstack/tags/supported_tags.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <ostream>
#include <string>

namespace mlstack::cli {
namespace {

ExitCode fail(std::ostream& err, const std::string& message) {
  err << "mlstack: error: " << text::escape_controls(message) << '\n';
  return ExitCode::usage_error;
}

// The input file: regular files only (a FIFO would block), 64 MiB at most.
Result<std::string> read_input(const std::string& path) {
  const io::RealFileSystem fs;
  io::FileStat st;
  io::IoStatus status = fs.stat(path, io::Follow::yes, st);
  if (status.ok() && st.kind != io::FileKind::regular) {
    status.kind = io::IoStatus::Kind::not_regular;
  }
  if (!status.ok()) {
    return unexpected(io::make_io_error(status, "read", path));
  }
  return io::read_text(fs, path);
}

// The target the input is checked for: `--python-version` / `--platform` (no interpreter),
// else `--python PY`, else (`need_one`, for a lock) `python3` on PATH; none: a report's own
// marker environment, without a platform check.
Result<std::optional<facts::PythonFacts>> input_target(const TargetOptions& t, bool need_one,
                                                       const std::string& default_version) {
  if (!t.python_version.empty() || !t.platform.empty()) {
    const std::string version = t.python_version.empty() ? default_version : t.python_version;
    const std::string platform = t.platform.empty() ? "linux-x86_64" : t.platform;
    MLSTACK_TRY_ASSIGN(facts::PythonFacts f, pyenv::synthesize_facts(version, platform, {}));
    return std::optional<facts::PythonFacts>(std::move(f));
  }
  if (t.python.empty() && !need_one) {
    return std::optional<facts::PythonFacts>();
  }
  pyenv::ProbeOptions probe;
  probe.timeout = std::chrono::milliseconds(
      static_cast<std::int64_t>(std::llround(t.probe_timeout_s * 1000.0)));
  MLSTACK_TRY_ASSIGN(facts::PythonFacts f,
                     pyenv::probe_interpreter(t.python.empty() ? "python3" : t.python, probe));
  return std::optional<facts::PythonFacts>(std::move(f));
}

}  // namespace

ExitCode run_check_input(const CheckOptions& options, std::ostream& out, std::ostream& err) {
  const TargetOptions& t = options.target;
  if (!options.report_file.empty() && !options.lock_file.empty()) {
    return fail(err, "--report excludes --lock");
  }
  if (!t.sites.empty()) {
    return fail(
        err, options.report_file.empty() ? "--site excludes --lock" : "--site excludes --report");
  }
  if (!t.python.empty() && (!t.python_version.empty() || !t.platform.empty())) {
    return fail(err, "--python excludes --python-version and --platform");
  }
  const bool is_report = !options.report_file.empty();
  const std::string& path = is_report ? options.report_file : options.lock_file;
  auto content = read_input(path);
  if (!content) {
    return fail(err, render(content.error()));
  }
  std::optional<lockfile::ResolvedSet> report;
  std::optional<lockfile::Pylock> lock;
  std::string default_version = "3.12";
  if (is_report) {
    auto parsed = lockfile::read_pip_report(*content, path);
    if (!parsed) {
      return fail(err, render(parsed.error()));
    }
    report = std::move(*parsed);
    if (const auto v = report->environment->find("python_full_version");
        v != report->environment->end()) {
      default_version = v->second;
    }
  } else {
    auto parsed = lockfile::read_pylock(*content, path);
    if (!parsed) {
      return fail(err, render(parsed.error()));
    }
    lock = std::move(*parsed);
  }
  auto target = input_target(t, !is_report, default_version);
  if (!target) {
    return fail(err, render(target.error()));
  }
  std::optional<tags::SupportedTags> supported;
  if (*target) {
    auto computed = tags::SupportedTags::from_facts((*target)->tags);
    if (computed) {
      supported = std::move(*computed);
    } else {
      err << "WARNING: platform check skipped: " << text::escape_controls(render(computed.error()))
          << '\n';
    }
  }
  const pep508::MarkerEnvironment env(*target ? (*target)->markers : *report->environment);
  if (is_report) {
    return print_pip_check(report->inventory, env, supported ? &*supported : nullptr, out, err);
  }
  const lockfile::LockCheck check =
      lockfile::check_lock(*lock, env, supported ? &*supported : nullptr);
  for (const std::string& note : check.notes) {
    err << "mlstack: note: " << text::escape_controls(fmt::format("{}: {}", path, note)) << '\n';
  }
  // As `check` on an environment: pip's line when nothing is wrong.
  std::string lines = check.problems.empty() ? "No broken requirements found.\n" : "";
  for (const std::string& p : check.problems) {
    lines += text::escape_controls(p);
    lines += '\n';
  }
  out << lines;
  return check.problems.empty() ? ExitCode::healthy : ExitCode::problems_found;
}

}  // namespace mlstack::cli
