// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/interpreter_probe.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/facts/python_facts_json.hpp"
#include "mlstack/io/file_facts_cache.hpp"
#include "mlstack/pyenv/facts_cache.hpp"
#include "mlstack/pyenv/spawn.hpp"
#include "mlstack/pyenv/tags_probe_source.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace mlstack::pyenv {
namespace {

constexpr std::string_view k_marker = "MLSTACK-PROBE-JSON:";

// Runs on Python 3.6+, stdlib only. `_MLSTACK_TAGS` (the tags snippet's source) is defined
// before this text. The tags snippet prints its JSON; its `print` is captured.
constexpr std::string_view k_probe_main = R"py(
import json as _json, os as _os, platform as _platform, sys as _sys

def _mlstack_full_version(info):
    version = "{}.{}.{}".format(info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version

def _mlstack_probe():
    safe_path = bool(getattr(_sys.flags, "safe_path", False))
    # `-c` puts "" first unless PYTHONSAFEPATH/-P is in effect.
    path = list(_sys.path if safe_path else _sys.path[1:])
    sites = []
    try:
        import site
        sites = list(site.getsitepackages())
        if site.ENABLE_USER_SITE:
            user = site.getusersitepackages()
            if user:
                sites.append(user)
    except Exception:
        pass
    markers = {
        "implementation_name": _sys.implementation.name,
        "implementation_version": _mlstack_full_version(_sys.implementation.version),
        "os_name": _os.name,
        "platform_machine": _platform.machine(),
        "platform_release": _platform.release(),
        "platform_system": _platform.system(),
        "platform_version": _platform.version(),
        "python_full_version": _platform.python_version(),
        "platform_python_implementation": _platform.python_implementation(),
        "python_version": ".".join(_platform.python_version_tuple()[:2]),
        "sys_platform": _sys.platform,
    }
    tags = {}
    if _MLSTACK_TAGS:
        printed = []
        scope = {"__name__": "__main__", "print": lambda *a, **k: printed.append(a)}
        try:
            exec(compile(_MLSTACK_TAGS, "<tag_facts_probe>", "exec"), scope)
            if printed and printed[-1]:
                tags = _json.loads(printed[-1][0])
        except Exception as e:
            _sys.stderr.write("mlstack: tag facts failed: {!r}\n".format(e))
    facts = {
        "executable": _sys.executable,
        "version": _platform.python_version(),
        "prefix": _sys.prefix,
        "base_prefix": getattr(_sys, "base_prefix", _sys.prefix),
        "in_virtualenv": _sys.prefix != getattr(_sys, "base_prefix", _sys.prefix),
        "sys_path": path,
        "site_dirs": sites,
        "markers": markers,
        "tags": tags,
    }
    _sys.stdout.write("\nMLSTACK-PROBE-JSON:" + _json.dumps(facts) + "\n")
    _sys.stdout.flush()

_mlstack_probe()
)py";

// `path` made absolute against the working directory, lexically: a venv's `bin/python` is a
// symlink whose target is another environment's interpreter, so it is not resolved.
std::string absolute_path(const std::string& path) {
  if (path.starts_with('/')) {
    return path;
  }
  std::string cwd(4096, '\0');
  if (::getcwd(cwd.data(), cwd.size()) == nullptr) {
    return path;
  }
  cwd.resize(cwd.find('\0'));
  std::string_view rest = path;
  while (rest.starts_with("./")) {
    rest.remove_prefix(2);
  }
  return cwd + (cwd.ends_with('/') ? "" : "/") + std::string(rest);
}

std::string first_line(std::string_view text) {
  text = text::trim(text);
  // The last line of a traceback says what went wrong.
  const std::size_t nl = text.find_last_of('\n');
  return std::string(nl == std::string_view::npos ? text : text.substr(nl + 1));
}

}  // namespace

std::string probe_script() {
  std::string script = "_MLSTACK_TAGS = ";
  script += text::python_repr(detail::k_tags_probe_source);
  script += '\n';
  script += k_probe_main;
  return script;
}

Result<std::string> resolve_interpreter(std::string_view python) {
  if (python.empty()) {
    return unexpected(make_error(ErrorCode::not_found, "expected an interpreter, found ``"));
  }
  if (python.find('/') != std::string_view::npos) {
    return std::string(python);
  }
  const char* path_env = std::getenv("PATH");
  const std::string path_list = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  for (const std::string_view dir : text::split(path_list, ':')) {
    std::string candidate = dir.empty() ? std::string(".") : std::string(dir);
    candidate += '/';
    candidate += python;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return unexpected(
      make_error(ErrorCode::not_found, fmt::format("`{}` was not found on PATH", python)));
}

Result<facts::PythonFacts> run_probe(const std::string& python, std::chrono::milliseconds timeout) {
  struct stat st {};
  if (::stat(python.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return unexpected(
        make_error(ErrorCode::invalid_data,
                   fmt::format("`{}` is not a Python interpreter: it is a directory", python)));
  }
  auto output = run_process({python, "-c", probe_script()}, timeout);
  if (!output) {
    return unexpected(std::move(output).error());
  }
  const std::string& out = output->stdout_text;
  const std::size_t at = out.rfind(k_marker);
  if (at == std::string::npos) {
    std::string why =
        fmt::format("it printed no probe output (exit status {})", output->exit_status);
    const std::string last = first_line(output->stderr_text);
    if (!last.empty()) {
      why += ": " + last;
    }
    return unexpected(make_error(ErrorCode::invalid_data,
                                 fmt::format("`{}` is not a Python interpreter: {}", python, why)));
  }
  std::string_view json_text = std::string_view(out).substr(at + k_marker.size());
  json_text = json_text.substr(0, json_text.find('\n'));
  auto facts = facts::parse_python_facts_json(json_text);
  if (!facts) {
    return unexpected(make_error(
        ErrorCode::invalid_data,
        fmt::format("`{}` printed unreadable probe output: {}", python, to_string(facts.error()))));
  }
  facts->executable = absolute_path(python);
  return facts;
}

Result<facts::PythonFacts> probe_interpreter(std::string_view python, const ProbeOptions& options,
                                             ProbeSource* source) {
  MLSTACK_TRY_ASSIGN(const std::string path, resolve_interpreter(python));
  const bool use_cache = options.cache == CacheMode::use && !io::cache_disabled_by_environment();
  FactsCache cache(options.cache_dir);
  if (use_cache) {
    if (auto hit = cache.load(path)) {
      if (source != nullptr) {
        *source = ProbeSource::cache;
      }
      hit->executable = absolute_path(path);
      return std::move(*hit);
    }
  }
  MLSTACK_TRY_ASSIGN(facts::PythonFacts facts, run_probe(path, options.timeout));
  if (source != nullptr) {
    *source = ProbeSource::interpreter;
  }
  if (use_cache) {
    // Best effort: a missing or read-only cache dir only costs the next run a probe.
    [[maybe_unused]] const Result<void> stored = cache.store(path, facts);
  }
  return facts;
}

}  // namespace mlstack::pyenv
