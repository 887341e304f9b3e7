// SPDX-License-Identifier: MIT
#include "mlstack/cli/target.hpp"

#include <chrono>
#include <cmath>
#include <map>
#include <ostream>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/io/root_file_system.hpp"
#include "mlstack/pyenv/root_python.hpp"
#include "mlstack/pyenv/interpreter_probe.hpp"
#include "mlstack/pyenv/site_folder.hpp"
#include "mlstack/pyenv/synthesize.hpp"
#include "mlstack/version.hpp"

namespace mlstack::cli {
namespace {

constexpr std::string_view k_default_python_version = "3.12";

// `--python-version`, else the version the `--site` paths name (`lib/python3.11/...`), else
// the default; `note` says which was assumed, for stderr.
Result<std::string> site_python_version(const TargetOptions& options,
                                        const std::vector<pyenv::SiteFolder>& folders,
                                        std::ostream& err, std::string& note,
                                        std::string& source) {
  if (!options.python_version.empty()) {
    source = "option";
    const std::string_view given = options.python_version;
    const std::size_t second_dot = given.find('.', given.find('.') + 1);
    for (const pyenv::SiteFolder& f : folders) {
      if (f.python_version && *f.python_version != given.substr(0, second_dot)) {
        err << text::escape_controls(
            fmt::format("mlstack: warning: --python-version is {}, but `{}` is for Python {}\n",
                        given, f.path, *f.python_version));
      }
    }
    return options.python_version;
  }
  std::map<std::string, std::string> named;  // version → the first folder naming it
  for (const pyenv::SiteFolder& f : folders) {
    if (f.python_version) {
      named.emplace(*f.python_version, f.path);
    }
  }
  if (named.size() > 1) {
    std::string list;
    for (const auto& [version, path] : named) {
      list += fmt::format("{}{} (`{}`)", list.empty() ? "" : ", ", version, path);
    }
    return unexpected(make_error(
        ErrorCode::invalid_data,
        fmt::format("the --site folders are for different Python versions: {}\n"
                    "hint: give the version the environment runs with `--python-version`",
                    list)));
  }
  if (named.size() == 1) {
    const auto& [version, path] = *named.begin();
    source = "site_path";
    note = fmt::format(
        "mlstack: note: assuming Python {} (from `{}`); --python-version sets another\n",
        version, path);
    return version;
  }
  source = "default";
  note = fmt::format(
      "mlstack: note: assuming Python {} (the default); --python-version sets another\n",
      k_default_python_version);
  return std::string(k_default_python_version);
}

// The file-facts cache of the environment on `sys_path`, valid for this mlstack binary only
// (its version and its executable's identity: a rebuild derives afresh).
std::unique_ptr<io::FileFactsCache> open_file_cache(const io::FileSystem& fs,
                                                    const facts::PythonFacts& python,
                                                    const std::string& root) {
  const std::string dir = io::default_cache_dir();
  if (dir.empty() || io::cache_disabled_by_environment()) {
    return std::make_unique<io::FileFactsCache>();
  }
  // An unpacked root's files have their own identities, under the root's paths.
  std::string key = root.empty() ? std::string() : "root " + root + "\n";
  for (const std::string& entry : python.sys_path) {
    key += entry;
    key += '\n';
  }
  // realpath, then stat: under valgrind only readlink("/proc/self/exe") names the program.
  std::string exe;
  io::FileStat self;
  if (!fs.realpath("/proc/self/exe", exe).ok() || !fs.stat(exe, io::Follow::yes, self).ok()) {
    return std::make_unique<io::FileFactsCache>();
  }
  const std::string writer = fmt::format("mlstack {} {} {} {} {}", k_version, self.size,
                                         self.mtime_ns, self.inode, self.device);
  return std::make_unique<io::FileFactsCache>(
      fmt::format("{}/files-{:016x}.bin", dir, io::fingerprint(key)), writer);
}

// `--root DIR` / `--image ARCHIVE`: the file system, the interpreter (`--python PATH` inside
// it, else `python3` on its PATH) and its facts, read from the root's files.
Result<void> load_foreign_root(const TargetOptions& options, Target& target, std::ostream& err) {
  std::string path_env(pyenv::k_default_root_path);
  if (!options.root.empty()) {
    const io::FileSystem& real = io::real_file_system();
    std::string absolute;
    io::FileStat st;
    if (const io::IoStatus s = real.realpath(options.root, absolute); !s.ok()) {
      return unexpected(io::make_io_error(s, "read the root", options.root));
    }
    if (!real.stat(absolute, io::Follow::yes, st).ok() || st.kind != io::FileKind::directory) {
      return unexpected(make_error(ErrorCode::invalid_data,
                                   fmt::format("--root `{}` is not a folder", options.root)));
    }
    target.fs = std::make_shared<io::RootFileSystem>(absolute);
    target.root_kind = "directory";
    target.root_path = absolute;
  } else {
    if (auto opened = open_image_target(options.image, target); !opened) {  // image_target.cpp
      return unexpected(std::move(opened).error());
    }
    if (const auto it = target.environment.find("PATH"); it != target.environment.end()) {
      path_env = it->second;
    }
  }
  const io::FileSystem& fs = *target.fs;
  pyenv::RootPython python;
  if (!options.python.empty()) {
    MLSTACK_TRY_ASSIGN(python, pyenv::describe_root_python(fs, options.python));
  } else {
    std::vector<std::string> problems;
    std::vector<pyenv::RootPython> found = pyenv::find_root_pythons(fs, path_env, problems);
    for (const std::string& p : problems) {
      err << text::escape_controls(fmt::format("mlstack: warning: {}\n", p));
    }
    if (found.empty()) {
      return unexpected(make_error(
          ErrorCode::not_found,
          fmt::format("no Python interpreter (`python3`, `python`) on the PATH of `{}` ({})\n"
                      "hint: name one inside it with `--python PATH`",
                      target.root_path, path_env)));
    }
    python = std::move(found.front());
    for (std::size_t i = 1; i < found.size(); ++i) {
      err << text::escape_controls(fmt::format(
          "mlstack: note: `{}` (Python {}) is there too, later on PATH; `--python {}` "
          "inspects it\n",
          found[i].executable, found[i].version, found[i].executable));
    }
  }
  MLSTACK_TRY_ASSIGN(target.python,
                     pyenv::root_python_facts(python, pyenv::root_glibc_version(fs)));
  target.python_version_source = "root_files";
  target.python_version_evidence = python.version_source;
  return {};
}

}  // namespace

Result<Target> load_target(const TargetOptions& options, pyenv::ScanDepth depth,
                           std::ostream& err, bool read_installer,
                           std::unique_ptr<io::FileFactsCache>* file_cache) {
  Target target;
  target.fs = std::shared_ptr<const io::FileSystem>(&io::real_file_system(),
                                                    [](const io::FileSystem*) {});
  std::vector<pyenv::SiteFolder> folders;
  if (options.foreign()) {
    if (auto loaded = load_foreign_root(options, target, err); !loaded) {
      return unexpected(std::move(loaded).error());
    }
  } else if (!options.sites.empty()) {
    for (const std::string& site : options.sites) {
      MLSTACK_TRY_ASSIGN(pyenv::SiteFolder folder, pyenv::check_site_folder(*target.fs, site));
      folders.push_back(std::move(folder));
    }
    std::string note;
    MLSTACK_TRY_ASSIGN(const std::string version,
                       site_python_version(options, folders, err, note,
                                           target.python_version_source));
    const std::string platform = options.platform.empty() ? "linux-x86_64" : options.platform;
    MLSTACK_TRY_ASSIGN(target.python, pyenv::synthesize_facts(version, platform, options.sites));
    err << text::escape_controls(note);
  } else {
    pyenv::ProbeOptions probe;
    probe.timeout = std::chrono::milliseconds(
        static_cast<std::int64_t>(std::llround(options.probe_timeout_s * 1000.0)));
    const std::string python = options.python.empty() ? "python3" : options.python;
    MLSTACK_TRY_ASSIGN(target.python, pyenv::probe_interpreter(python, probe));
  }
  pyenv::ScanOptions scan;
  scan.depth = depth;
  scan.read_installer = read_installer;
  if (file_cache != nullptr) {
    // An image's members have no identity of this machine's to key a cache on.
    *file_cache = target.root_kind == "image"
                      ? std::make_unique<io::FileFactsCache>()
                      : open_file_cache(io::real_file_system(), target.python, target.root_path);
    scan.file_cache = file_cache->get();
  }
  target.inventory = pyenv::scan(target.python, *target.fs, scan);
  for (const pyenv::SiteFolder& f : folders) {
    if (!f.has_distributions) {
      err << text::escape_controls(
          fmt::format("mlstack: warning: no distributions found in `{}`\n", f.path));
    }
  }
  return target;
}

}  // namespace mlstack::cli
