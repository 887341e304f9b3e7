// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/root_python.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/elf/elf_file.hpp"
#include "mlstack/pyenv/synthesize.hpp"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

namespace mlstack::pyenv {
namespace {

constexpr std::size_t k_max_small_file = std::size_t{1} << 20U;
constexpr std::size_t k_max_dpkg_status = std::size_t{64} << 20U;

std::string dirname(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) {
    return ".";
  }
  return slash == 0 ? std::string("/") : std::string(path.substr(0, slash));
}

std::string_view basename(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string join(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') {
    out += '/';
  }
  out += name;
  return out;
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return text::is_ascii_digit(c); });
}

bool is_regular(const io::FileSystem& fs, const std::string& path) {
  io::FileStat st;
  return fs.stat(path, io::Follow::yes, st).ok() && st.kind == io::FileKind::regular;
}

bool is_dir(const io::FileSystem& fs, const std::string& path) {
  io::FileStat st;
  return fs.stat(path, io::Follow::yes, st).ok() && st.kind == io::FileKind::directory;
}

// `pyvenv.cfg`'s `key = value` lines (as site.py reads them: split at the first `=`, both
// sides stripped, keys lowercased).
std::vector<std::pair<std::string, std::string>> parse_cfg(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::string_view line : text::split(text, '\n')) {
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    std::string key(text::trim(line.substr(0, eq)));
    std::transform(key.begin(), key.end(), key.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    out.emplace_back(std::move(key), std::string(text::trim(line.substr(eq + 1))));
  }
  return out;
}

std::string cfg_value(const std::vector<std::pair<std::string, std::string>>& cfg,
                      std::string_view key) {
  for (const auto& [k, v] : cfg) {
    if (k == key) {
      return v;
    }
  }
  return {};
}

// `3.11.2` from `3.11.2`, `3.11.2.final.0` (virtualenv's version_info) or a longer text; the
// major.minor must be `minor`.
std::optional<std::string> exact_version(std::string_view text, std::string_view minor) {
  const auto parts = text::split(text::trim(text), '.');
  if (parts.size() < 3 || !is_digits(parts[0]) || !is_digits(parts[1])) {
    return std::nullopt;
  }
  std::string_view micro = parts[2];
  std::size_t digits = 0;
  while (digits < micro.size() && text::is_ascii_digit(micro[digits])) {
    ++digits;
  }
  if (digits == 0) {
    return std::nullopt;
  }
  const std::string version = fmt::format("{}.{}.{}", parts[0], parts[1], micro.substr(0, digits));
  if (!minor.empty() && !version.starts_with(std::string(minor) + ".")) {
    return std::nullopt;
  }
  return version;
}

// The upstream part of a Debian version: no epoch, no revision (`3.11.2-6+deb12u6` → `3.11.2`).
std::string debian_upstream(std::string_view v) {
  if (const std::size_t colon = v.find(':'); colon != std::string_view::npos) {
    v.remove_prefix(colon + 1);
  }
  if (const std::size_t dash = v.rfind('-'); dash != std::string_view::npos) {
    v = v.substr(0, dash);
  }
  return std::string(v);
}

// The installed version of Debian package `package` in /var/lib/dpkg/status.
std::optional<std::string> dpkg_version(const io::FileSystem& fs, std::string_view package) {
  std::string status;
  if (!fs.read_file("/var/lib/dpkg/status", k_max_dpkg_status, status).ok()) {
    return std::nullopt;
  }
  const std::string header = fmt::format("Package: {}\n", package);
  std::size_t at = status.starts_with(header) ? 0 : status.find("\n" + header);
  if (at == std::string::npos) {
    return std::nullopt;
  }
  const std::size_t end = std::min(status.find("\n\n", at + 1), status.size());
  const std::string_view stanza(status.data() + at, end - at);
  const std::size_t v = stanza.find("\nVersion: ");
  if (v == std::string_view::npos || stanza.find("install ok installed") == std::string_view::npos) {
    return std::nullopt;
  }
  const std::size_t eol = std::min(stanza.find('\n', v + 1), stanza.size());
  return debian_upstream(stanza.substr(v + 10, eol - (v + 10)));
}

// NUL-terminated strings of `section` in the ELF file at `path` that `accept` takes.
std::optional<std::string> find_string(const io::FileSystem& fs, const std::string& path,
                                       const std::function<std::optional<std::string>(std::string_view)>& accept) {
  auto file = elf::ElfFile::open(fs, path);
  if (!file) {
    return std::nullopt;
  }
  const auto rodata = file->section(".rodata");
  if (!rodata) {
    return std::nullopt;
  }
  const std::string_view bytes(reinterpret_cast<const char*>(rodata->bytes.data()),  // NOLINT
                               rodata->bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::size_t nul = std::min(bytes.find('\0', i), bytes.size());
    if (nul > i) {
      if (auto found = accept(bytes.substr(i, nul - i))) {
        return found;
      }
    }
    i = nul + 1;
  }
  return std::nullopt;
}

// `3.11.2`, `3.13.0rc1`, `3.12.1+`: PY_VERSION as patchlevel.h spells it.
bool is_py_version(std::string_view s, std::string_view minor) {
  const std::string prefix = std::string(minor) + ".";
  if (!s.starts_with(prefix) || s.size() > prefix.size() + 8) {
    return false;
  }
  std::string_view rest = s.substr(prefix.size());
  if (rest.ends_with('+')) {
    rest.remove_suffix(1);
  }
  std::size_t i = 0;
  while (i < rest.size() && text::is_ascii_digit(rest[i])) {
    ++i;
  }
  if (i == 0) {
    return false;
  }
  if (i == rest.size()) {
    return true;
  }
  std::size_t letters = i;
  while (letters < rest.size() && rest[letters] >= 'a' && rest[letters] <= 'z') {
    ++letters;
  }
  const std::string_view level = rest.substr(i, letters - i);
  return (level == "a" || level == "b" || level == "rc") && is_digits(rest.substr(letters));
}

// `3.11` from an interpreter's file name (`python3.11`); empty for `python3`.
std::string minor_from_name(std::string_view name) {
  if (!name.starts_with("python")) {
    return {};
  }
  name.remove_prefix(6);
  const auto parts = text::split(name, '.');
  if (parts.size() != 2 || !is_digits(parts[0]) || !is_digits(parts[1])) {
    return {};
  }
  return std::string(name);
}

// `pythonX.Y` folders under `dir` (`/usr/lib`), newest first.
std::vector<std::string> minors_under(const io::FileSystem& fs, const std::string& dir) {
  std::vector<io::DirEntry> entries;
  std::vector<std::string> out;
  if (!fs.list_dir(dir, io::Follow::yes, entries).ok()) {
    return out;
  }
  for (const io::DirEntry& e : entries) {
    if (std::string minor = minor_from_name(e.name); !minor.empty()) {
      out.push_back(std::move(minor));
    }
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return std::stoi(a.substr(a.find('.') + 1)) > std::stoi(b.substr(b.find('.') + 1));
  });
  return out;
}

std::string platform_of(const io::FileSystem& fs, const std::string& path) {
  auto file = elf::ElfFile::open(fs, path);
  if (file) {
    if (auto dynamic = file->dynamic(); dynamic && dynamic->machine == EM_AARCH64) {
      return "linux-aarch64";
    }
  }
  return "linux-x86_64";
}

}  // namespace

std::optional<std::string> python_version_in_binary(const io::FileSystem& fs,
                                                    const std::string& path,
                                                    std::string_view minor) {
  // PY_VERSION is a string of its own, unless the linker merged it into the tail of a longer
  // one (`.../Python-3.11.7`: SHF_MERGE string tails): then it follows a `-`, `/` or space.
  std::optional<std::string> tail;
  auto whole = find_string(fs, path, [minor, &tail](std::string_view s) -> std::optional<std::string> {
    if (is_py_version(s, minor)) {
      return std::string(s);
    }
    if (!tail) {
      const std::size_t at = s.rfind(std::string(minor) + ".");
      if (at != std::string_view::npos && at > 0 &&
          (s[at - 1] == '-' || s[at - 1] == '/' || s[at - 1] == ' ') &&
          is_py_version(s.substr(at), minor)) {
        tail = std::string(s.substr(at));
      }
    }
    return std::nullopt;
  });
  return whole ? whole : tail;
}

std::string root_glibc_version(const io::FileSystem& fs) {
  for (const char* dir : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                          "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64",
                          "/usr/lib64", "/lib", "/usr/lib"}) {
    const std::string libc = join(dir, "libc.so.6");
    if (!is_regular(fs, libc)) {
      continue;
    }
    // "GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36."
    auto found = find_string(fs, libc, [](std::string_view s) -> std::optional<std::string> {
      const std::size_t at = s.find("release version ");
      if (at == std::string_view::npos || !s.starts_with("GNU C Library")) {
        return std::nullopt;
      }
      std::string_view v = s.substr(at + 16);
      std::size_t n = 0;
      while (n < v.size() && (text::is_ascii_digit(v[n]) || v[n] == '.')) {
        ++n;
      }
      v = v.substr(0, n);
      while (v.ends_with('.')) {
        v.remove_suffix(1);
      }
      return v.empty() ? std::nullopt : std::optional<std::string>(v);
    });
    if (found) {
      return *found;
    }
  }
  if (auto v = dpkg_version(fs, "libc6")) {
    const auto parts = text::split(*v, '.');
    if (parts.size() >= 2 && is_digits(parts[0]) && is_digits(parts[1].substr(0, 2))) {
      std::string_view minor = parts[1];
      std::size_t n = 0;
      while (n < minor.size() && text::is_ascii_digit(minor[n])) {
        ++n;
      }
      return fmt::format("{}.{}", parts[0], minor.substr(0, n));
    }
  }
  return {};
}

Result<RootPython> describe_root_python(const io::FileSystem& fs, const std::string& executable) {
  RootPython py;
  py.executable = executable;
  if (const io::IoStatus s = fs.realpath(executable, py.real_executable); !s.ok()) {
    return unexpected(io::make_io_error(s, "read the interpreter", executable));
  }
  if (!is_regular(fs, py.real_executable)) {
    return unexpected(make_error(ErrorCode::invalid_data,
                                 fmt::format("`{}` is not a file", executable)));
  }
  // A virtual environment: pyvenv.cfg beside the interpreter's folder (site.py's rule).
  const std::string bin = dirname(executable);
  const std::string venv = dirname(bin);
  std::string cfg_text;
  std::vector<std::pair<std::string, std::string>> cfg;
  for (const std::string& candidate : {join(bin, "pyvenv.cfg"), join(venv, "pyvenv.cfg")}) {
    if (fs.read_file(candidate, k_max_small_file, cfg_text).ok()) {
      py.in_virtualenv = true;
      py.prefix = dirname(candidate);
      cfg = parse_cfg(cfg_text);
      break;
    }
  }
  py.base_prefix = dirname(dirname(py.real_executable));
  if (!py.in_virtualenv) {
    py.prefix = py.base_prefix;
  }
  // X.Y: the real interpreter's name, else the pythonX.Y folder of its prefix.
  std::string minor = minor_from_name(basename(py.real_executable));
  if (minor.empty()) {
    const auto minors = minors_under(fs, join(py.base_prefix, "lib"));
    if (!minors.empty()) {
      minor = minors.front();
    }
  }
  if (minor.empty()) {
    return unexpected(make_error(
        ErrorCode::not_found,
        fmt::format("cannot tell the Python version of `{}`: no pythonX.Y name or folder",
                    executable)));
  }
  // The exact version: pyvenv.cfg (venv writes `version`, virtualenv `version_info`), the
  // binary's PY_VERSION (or its libpython's), dpkg's record of the package.
  for (const char* key : {"version", "version_info"}) {
    if (auto v = exact_version(cfg_value(cfg, key), minor)) {
      py.version = *v;
      py.version_source = fmt::format("{} ({})", join(py.prefix, "pyvenv.cfg"), key);
      break;
    }
  }
  if (py.version.empty()) {
    std::vector<std::string> binaries = {py.real_executable};
    for (const std::string& lib :
         {join(py.base_prefix, fmt::format("lib/libpython{}.so.1.0", minor)),
          join(py.base_prefix, fmt::format("lib/x86_64-linux-gnu/libpython{}.so.1.0", minor)),
          join(py.base_prefix, fmt::format("lib/aarch64-linux-gnu/libpython{}.so.1.0", minor))}) {
      if (is_regular(fs, lib)) {
        binaries.push_back(lib);
      }
    }
    for (const std::string& b : binaries) {
      if (auto v = python_version_in_binary(fs, b, minor)) {
        py.version = *v;
        py.version_source = fmt::format("{} (PY_VERSION)", b);
        break;
      }
    }
  }
  // dpkg's record only speaks for Debian's own interpreter.
  if (py.version.empty() && py.base_prefix == "/usr") {
    for (const std::string& package :
         {fmt::format("python{}-minimal", minor), fmt::format("libpython{}-minimal", minor)}) {
      if (auto v = dpkg_version(fs, package); v && exact_version(*v, minor)) {
        py.version = *exact_version(*v, minor);
        py.version_source = fmt::format("/var/lib/dpkg/status ({})", package);
        break;
      }
    }
  }
  if (py.version.empty()) {
    return unexpected(make_error(
        ErrorCode::not_found,
        fmt::format("cannot tell the exact Python version of `{}`: no pyvenv.cfg version, no "
                    "PY_VERSION in the binary or its libpython, no dpkg record",
                    executable)));
  }
  // sys.path: the standard library, then the site folders as site.py computes them (Debian's
  // patched site.py for its own /usr Python: dist-packages).
  const std::string stdlib = join(py.base_prefix, "lib/python" + minor);
  const std::string nodot = minor.substr(0, 1) + minor.substr(2);
  py.sys_path = {join(py.base_prefix, "lib/python" + nodot + ".zip"), stdlib,
                 join(stdlib, "lib-dynload")};
  std::vector<std::string> base_sites;
  const bool debian = py.base_prefix == "/usr" && is_dir(fs, "/usr/lib/python3/dist-packages");
  if (debian) {
    base_sites = {"/usr/local/lib/python" + minor + "/dist-packages",
                  "/usr/lib/python3/dist-packages", "/usr/lib/python" + minor + "/dist-packages"};
  } else {
    // site.getsitepackages(): sys.platlibdir first (`lib64` where the distribution sets it, as
    // Fedora does: its folder is there), then `lib`.
    const std::string platlib = join(py.base_prefix, "lib64/python" + minor);
    if (is_dir(fs, platlib)) {
      base_sites.push_back(join(platlib, "site-packages"));
    }
    base_sites.push_back(join(stdlib, "site-packages"));
  }
  if (py.in_virtualenv) {
    py.site_dirs.push_back(join(py.prefix, "lib/python" + minor + "/site-packages"));
    std::string system = cfg_value(cfg, "include-system-site-packages");
    std::transform(system.begin(), system.end(), system.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    if (system == "true") {
      py.site_dirs.insert(py.site_dirs.end(), base_sites.begin(), base_sites.end());
    }
  } else {
    py.site_dirs = base_sites;
  }
  py.sys_path.insert(py.sys_path.end(), py.site_dirs.begin(), py.site_dirs.end());
  py.platform = platform_of(fs, py.real_executable);
  return py;
}

std::vector<RootPython> find_root_pythons(const io::FileSystem& fs, std::string_view path_env,
                                          std::vector<std::string>& problems) {
  std::vector<RootPython> out;
  std::set<std::pair<std::string, std::string>> seen;  // (real interpreter, prefix)
  for (std::string_view dir : text::split(path_env, ':')) {
    if (dir.empty() || dir.front() != '/') {
      continue;  // a relative PATH entry depends on the working directory
    }
    for (const char* name : {"python3", "python"}) {
      const std::string candidate = join(dir, name);
      if (!is_regular(fs, candidate)) {
        continue;
      }
      auto py = describe_root_python(fs, candidate);
      if (!py) {
        problems.push_back(render(py.error()));
        break;
      }
      if (seen.emplace(py->real_executable, py->prefix).second) {
        out.push_back(std::move(*py));
      }
      break;
    }
  }
  return out;
}

Result<facts::PythonFacts> root_python_facts(const RootPython& python,
                                             std::string_view glibc_version) {
  // synthesize_facts takes X.Y.Z; a pre-release keeps its full text in the markers.
  const auto numeric = exact_version(python.version, "");
  MLSTACK_TRY_ASSIGN(facts::PythonFacts facts,
                     synthesize_facts(numeric.value_or(python.version), python.platform,
                                      python.site_dirs));
  facts.executable = python.executable;
  facts.version = python.version;
  facts.prefix = python.prefix;
  facts.base_prefix = python.base_prefix;
  facts.in_virtualenv = python.in_virtualenv;
  facts.sys_path = python.sys_path;
  facts.site_dirs = python.site_dirs;
  if (!glibc_version.empty()) {
    facts.tags.glibc_version = std::string(glibc_version);
  }
  return facts;
}

}  // namespace mlstack::pyenv
