// SPDX-License-Identifier: MIT
#include "mlstack/resolve/resolver.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/lockfile/pip_report.hpp"
#include "mlstack/pyenv/interpreter_probe.hpp"
#include "mlstack/pyenv/spawn.hpp"
#include "mlstack/pyenv/synthesize.hpp"
#include "mlstack/rules/pip_check.hpp"
#include "mlstack/tags/supported_tags.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

namespace mlstack::resolve {
namespace {

constexpr std::size_t k_quoted_tail = 4096;

bool contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

// The end of a resolver's message, which says what went wrong (uv and pip print causes last).
std::string tail_of(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  if (text.size() > k_quoted_tail) {
    text = text.substr(text.size() - k_quoted_tail);
    text = text.substr(std::min(text.size(), text.find('\n') + 1));
  }
  return std::string(text);
}

bool is_executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// The glibc minor version of `target.glibc` (`2.31` → 31), or `fallback`.
int glibc_minor(const Target& target, int fallback) {
  const auto parts = text::split(target.glibc, '.');
  if (parts.size() != 2 || parts[0] != "2" || parts[1].empty() || parts[1].size() > 3) {
    return fallback;
  }
  int n = 0;
  for (const char c : parts[1]) {
    if (!text::is_ascii_digit(c)) {
      return fallback;
    }
    n = n * 10 + (c - '0');
  }
  return n;
}

// uv's `--python-platform` for the target: uv knows manylinux_2_17, 2_28 and 2_31 to 2_40.
std::string uv_platform(const Target& target) {
  const bool arm = target.platform == "linux-aarch64" || target.platform == "macos-arm64";
  const std::string arch = arm ? "aarch64" : "x86_64";
  if (target.platform.starts_with("linux-")) {
    int minor = glibc_minor(target, 28);
    if (minor > 40) {
      minor = 40;
    } else if (minor < 31 && minor >= 28) {
      minor = 28;
    } else if (minor < 28) {
      minor = 17;
    }
    return fmt::format("{}-manylinux_2_{}", arch, minor);
  }
  if (target.platform.starts_with("macos-")) {
    return arch + "-apple-darwin";
  }
  return "x86_64-pc-windows-msvc";
}

// pip's `--platform` values: each manylinux tag from the target's glibc down to 2_17, then
// manylinux2014 (which pip expands to manylinux2010 and manylinux1).
std::vector<std::string> pip_platforms(const Target& target) {
  std::vector<std::string> out;
  if (target.platform.starts_with("linux-")) {
    const std::string arch = target.platform == "linux-aarch64" ? "aarch64" : "x86_64";
    for (int m = std::max(glibc_minor(target, 17), 17); m >= 17; --m) {
      out.push_back(fmt::format("manylinux_2_{}_{}", m, arch));
    }
    out.push_back("manylinux2014_" + arch);
  } else if (target.platform == "macos-arm64") {
    out.emplace_back("macosx_14_0_arm64");
  } else if (target.platform == "macos-x86_64") {
    out.emplace_back("macosx_14_0_x86_64");
  } else {
    out.emplace_back("win_amd64");
  }
  return out;
}

void add_index(std::vector<std::string>& argv, const IndexOptions& index) {
  if (index.no_index) {
    argv.emplace_back("--no-index");
  }
  if (!index.index_url.empty()) {
    argv.emplace_back("--index-url");
    argv.push_back(index.index_url);
  }
  for (const std::string& u : index.extra_index_urls) {
    argv.emplace_back("--extra-index-url");
    argv.push_back(u);
  }
  for (const std::string& f : index.find_links) {
    argv.emplace_back("--find-links");
    argv.push_back(f);
  }
}

// uv does not read pip's configuration (pip.conf, `PIP_INDEX_URL`, `PIP_FIND_LINKS`): where
// the caller gave no index of its own and no `UV_*` index variable is set, pip's settings
// (`pip config list` of the interpreter that would run pip) are passed to uv, so both
// resolvers see the index the user configured. Asked once per process.
IndexOptions with_pip_configuration(IndexOptions index, const ResolverOptions& options) {
  if (!index.index_url.empty() || !index.find_links.empty() || index.no_index) {
    return index;
  }
  for (const char* var : {"UV_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX", "UV_EXTRA_INDEX_URL",
                          "UV_FIND_LINKS", "UV_NO_INDEX"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0') {
      return index;
    }
  }
  static const IndexOptions pip = [&options] {
    auto python =
        pyenv::resolve_interpreter(options.pip_python.empty() ? "python3" : options.pip_python);
    if (!python) {
      return IndexOptions{};
    }
    auto ran = pyenv::run_process({*python, "-m", "pip", "config", "list"},
                                  std::chrono::milliseconds{20'000});
    return ran && ran->exit_status == 0 ? index_options_from_pip_config(ran->stdout_text)
                                        : IndexOptions{};
  }();
  index.index_url = pip.index_url;
  index.no_index = pip.no_index;
  index.find_links = pip.find_links;
  for (const std::string& u : pip.extra_index_urls) {
    if (std::find(index.extra_index_urls.begin(), index.extra_index_urls.end(), u) ==
        index.extra_index_urls.end()) {
      index.extra_index_urls.push_back(u);
    }
  }
  return index;
}

// A private folder for the requirements and the lock, removed when the run ends.
class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/mlstack-resolve-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) {
      m_path = pattern;
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (!m_path.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(m_path, ec);
    }
  }
  [[nodiscard]] const std::string& path() const noexcept { return m_path; }

 private:
  std::string m_path;
};

}  // namespace

Failure failure_of(const Error& error) {
  switch (error.code) {
    case ErrorCode::not_found:
      return Failure::resolver_not_found;
    case ErrorCode::invalid_data:
      return Failure::no_solution;
    case ErrorCode::io:
      return Failure::index_unreachable;
    case ErrorCode::timeout:
      return Failure::timeout;
    case ErrorCode::parse:
      return Failure::bad_output;
    default:
      return Failure::failed;
  }
}

std::string_view to_string(Failure failure) {
  switch (failure) {
    case Failure::resolver_not_found:
      return "resolver not found";
    case Failure::no_solution:
      return "no solution";
    case Failure::index_unreachable:
      return "index unreachable";
    case Failure::timeout:
      return "timeout";
    case Failure::bad_output:
      return "unreadable resolver output";
    case Failure::failed:
      break;
  }
  return "resolver failed";
}

Failure classify_failure(Tool tool, std::string_view err) {
  constexpr std::array<std::string_view, 12> k_unreachable = {
      "Failed to fetch",
      "error sending request",
      "dns error",
      "tcp connect error",
      "Connection refused",
      "NewConnectionError",
      "Failed to establish a new connection",
      "Max retries exceeded",
      "Name or service not known",
      "Temporary failure in name resolution",
      "ConnectTimeoutError",
      "Network is unreachable",
  };
  for (const std::string_view u : k_unreachable) {
    if (contains(err, u)) {
      return Failure::index_unreachable;
    }
  }
  if (tool == Tool::uv) {
    if (contains(err, "No solution found when resolving")) {
      return Failure::no_solution;
    }
    return Failure::failed;
  }
  if (contains(err, "ResolutionImpossible") ||
      contains(err, "Could not find a version that satisfies") ||
      contains(err, "No matching distribution found") ||
      contains(err, "conflicting dependencies")) {
    return Failure::no_solution;
  }
  return Failure::failed;
}

std::string find_uv() {
  if (auto on_path = pyenv::resolve_interpreter("uv")) {
    return *on_path;
  }
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    return {};
  }
  for (const std::filesystem::path& dir : {self.parent_path(), self.parent_path().parent_path()}) {
    const std::string candidate = (dir / "refvenv" / "bin" / "uv").string();
    if (is_executable(candidate)) {
      return candidate;
    }
  }
  return {};
}

std::vector<std::string> resolver_argv(Tool tool, const std::string& program,
                                       const std::string& requirements_file,
                                       const std::string& output, const Target& target,
                                       const IndexOptions& index) {
  std::vector<std::string> argv;
  if (tool == Tool::uv) {
    argv = {program, "pip", "compile", "--quiet", "--no-header", "--format", "pylock.toml",
            "--python-version", target.python_version, "--python-platform", uv_platform(target),
            // A target other than this machine's Python needs no interpreter for wheels; uv
            // must not download one (it would, for a Python version not installed here).
            "--no-python-downloads", "--only-binary", ":all:"};
    add_index(argv, index);
    argv.insert(argv.end(), {requirements_file, "--output-file", output});
    return argv;
  }
  argv = {program,
          "-m",
          "pip",
          "install",
          "--quiet",
          "--dry-run",
          "--ignore-installed",
          "--disable-pip-version-check",
          "--no-input",
          "--report",
          output,
          // pip before 23.1 takes `--python-version` / `--platform` only with `--target`; a dry
          // run writes nothing there.
          "--target",
          output + ".target",
          "--python-version",
          target.python_version,
          "--implementation",
          "cp",
          "--only-binary=:all:"};
  for (const std::string& p : pip_platforms(target)) {
    argv.emplace_back("--platform");
    argv.push_back(p);
  }
  add_index(argv, index);
  argv.insert(argv.end(), {"--requirement", requirements_file});
  return argv;
}

Result<facts::PythonFacts> target_facts(const Target& target) {
  MLSTACK_TRY_ASSIGN(facts::PythonFacts f,
                     pyenv::synthesize_facts(target.python_version, target.platform, {}));
  if (!target.glibc.empty() && !f.tags.glibc_version.empty()) {
    f.tags.glibc_version = target.glibc;
  }
  return f;
}

IndexOptions index_options_from_pip_config(std::string_view config_list) {
  // Lines `section.key='value'` (Python's repr of the value); sections `:env:`, `global`,
  // `install`, other commands' are not pip install's.
  std::map<std::string, std::string, std::less<>> values;
  std::size_t start = 0;
  while (start < config_list.size()) {
    std::size_t nl = config_list.find('\n', start);
    nl = nl == std::string_view::npos ? config_list.size() : nl;
    const std::string_view line = config_list.substr(start, nl - start);
    start = nl + 1;
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || line.size() < eq + 3) {
      continue;
    }
    std::string_view value = line.substr(eq + 1);
    if ((value.front() == '\'' || value.front() == '"') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    values.emplace(std::string(line.substr(0, eq)), std::string(value));
  }
  const auto setting = [&values](std::string_view key) -> std::string {
    for (std::string_view section : {":env:.", "install.", "global."}) {
      const auto it = values.find(std::string(section) + std::string(key));
      if (it != values.end()) {
        return it->second;
      }
    }
    return {};
  };
  const auto words = [](std::string text) {
    // A multi-line value (pip.conf's usual form of several URLs) is printed as Python's
    // repr: its newlines are the two characters `\n`.
    for (std::size_t at = 0; (at = text.find("\\n", at)) != std::string::npos;) {
      text.replace(at, 2, " ");
    }
    std::vector<std::string> out;
    std::size_t i = 0;
    while ((i = text.find_first_not_of(" \t\r\n", i)) != std::string::npos) {
      const std::size_t end = text.find_first_of(" \t\r\n", i);
      out.push_back(text.substr(i, end == std::string::npos ? end : end - i));
      i = end;
    }
    return out;
  };
  IndexOptions index;
  index.index_url = setting("index-url");
  index.extra_index_urls = words(setting("extra-index-url"));
  index.find_links = words(setting("find-links"));
  const std::string no_index = text::to_lower(setting("no-index"));
  index.no_index = no_index == "1" || no_index == "true" || no_index == "yes" || no_index == "on";
  return index;
}

Result<Resolution> resolve(const std::vector<std::string>& requirements, const Target& target,
                           const IndexOptions& index, const ResolverOptions& options) {
  // The target must be one the checks can describe, before anything runs.
  MLSTACK_TRY_ASSIGN([[maybe_unused]] const facts::PythonFacts described, target_facts(target));
  Tool tool = options.tool.value_or(Tool::uv);
  std::string program;
  if (tool == Tool::uv) {
    program = options.uv.empty() ? find_uv() : options.uv;
    if (program.empty() && !options.tool) {
      tool = Tool::pip;  // no uv: pip, as documented
    } else if (program.empty() || !is_executable(program)) {
      return unexpected(make_error(
          ErrorCode::not_found,
          program.empty() ? std::string("uv was not found on PATH (nor build/refvenv/bin/uv)")
                          : fmt::format("uv was not found at `{}`", program)));
    }
  }
  if (tool == Tool::pip) {
    auto python =
        pyenv::resolve_interpreter(options.pip_python.empty() ? "python3" : options.pip_python);
    if (!python || !is_executable(*python)) {
      return unexpected(make_error(
          ErrorCode::not_found, fmt::format("no interpreter to run pip: {}",
                                            python ? fmt::format("`{}` is not executable", *python)
                                                   : python.error().message)));
    }
    program = *python;
  }

  const TempDir dir;
  if (dir.path().empty()) {
    return unexpected(make_error(ErrorCode::io,
                                 "cannot create a temporary folder for the "
                                 "resolver"));
  }
  const std::string req_file = dir.path() + "/requirements.in";
  {
    std::string text;
    for (const std::string& r : requirements) {
      text += r;
      text += '\n';
    }
    if (auto written = io::write_file_atomic(req_file, text); !written) {
      return unexpected(std::move(written).error());
    }
  }
  const std::string output = dir.path() + (tool == Tool::uv ? "/pylock.toml" : "/report.json");
  Resolution r;
  r.tool = tool;
  r.argv = resolver_argv(tool, program, req_file, output, target,
                         tool == Tool::uv ? with_pip_configuration(index, options) : index);
  const auto start = std::chrono::steady_clock::now();
  auto ran = pyenv::run_process(r.argv, options.timeout,
                                pyenv::OutputLimits{options.max_output, options.max_output});
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string name = tool == Tool::uv ? "uv pip compile" : "pip install --dry-run";
  if (!ran) {
    Error e = std::move(ran).error();
    if (e.code != ErrorCode::timeout) {
      e.code = ErrorCode::unsupported;  // a failed exec, output past the cap
    }
    e.message = fmt::format("{}: {}", name, e.message);
    return unexpected(std::move(e));
  }
  r.resolver_stderr = tail_of(ran->stderr_text);
  if (ran->exit_status != 0) {
    const std::string said =
        tail_of(ran->stderr_text.empty() ? ran->stdout_text : ran->stderr_text);
    Failure kind = classify_failure(tool, ran->stderr_text + ran->stdout_text);
    if (tool == Tool::pip && contains(said, "No module named pip")) {
      kind = Failure::resolver_not_found;
    }
    const ErrorCode code = kind == Failure::no_solution          ? ErrorCode::invalid_data
                           : kind == Failure::index_unreachable  ? ErrorCode::io
                           : kind == Failure::resolver_not_found ? ErrorCode::not_found
                                                                 : ErrorCode::unsupported;
    return unexpected(make_error(code, fmt::format("{} failed ({}, exit {}):\n{}", name,
                                                   to_string(kind), ran->exit_status, said)));
  }
  const io::RealFileSystem fs;
  auto text = io::read_text(fs, output);
  if (!text) {
    return unexpected(make_error(
        ErrorCode::parse, fmt::format("{} wrote no output: {}", name, render(text.error()))));
  }
  r.lock_text = std::move(*text);
  if (tool == Tool::uv) {
    auto lock = lockfile::read_pylock(r.lock_text, "pylock.toml");
    if (!lock) {
      return unexpected(make_error(ErrorCode::parse, render(lock.error())));
    }
    r.lock = std::move(*lock);
    for (const lockfile::LockPackage& p : r.lock->packages) {
      facts::InstalledDist d;
      d.location = "pylock.toml";
      d.info_path = fmt::format("line {}", p.line);
      d.raw_name = p.name;
      d.canonical_name = p.canonical_name;
      d.version_text = p.version;
      r.resolved.inventory.dists.push_back(std::move(d));
    }
  } else {
    auto report = lockfile::read_pip_report(r.lock_text, "report.json");
    if (!report) {
      return unexpected(make_error(ErrorCode::parse, render(report.error())));
    }
    r.resolved = std::move(*report);
  }
  return r;
}

Result<ResolutionCheck> check_resolution(const Resolution& resolution, const Target& target) {
  MLSTACK_TRY_ASSIGN(const facts::PythonFacts described, target_facts(target));
  MLSTACK_TRY_ASSIGN(const tags::SupportedTags supported,
                     tags::SupportedTags::from_facts(described.tags));
  const pep508::MarkerEnvironment env(described.markers);
  ResolutionCheck check;
  if (resolution.lock) {
    const lockfile::LockCheck lc = lockfile::check_lock(*resolution.lock, env, &supported);
    check.lines = lc.problems;
    check.warnings = lc.notes;
    check.healthy = lc.problems.empty();
    if (check.healthy) {
      check.lines.emplace_back("No broken requirements found.");
    }
    return check;
  }
  const facts::Inventory& inventory = resolution.resolved.inventory;
  const rules::PackageSet set = rules::build_package_set(inventory, env);
  const rules::PipCheckResult result = rules::pip_check(set, inventory, &supported);
  check.lines = rules::pip_check_lines(set, result);
  check.warnings = rules::pip_check_warnings(set, inventory);
  check.healthy = result.healthy(set) && !rules::pip_crash(set, result);
  return check;
}

}  // namespace mlstack::resolve
