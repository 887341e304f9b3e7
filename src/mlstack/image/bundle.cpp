// SPDX-License-Identifier: MIT
#include "mlstack/image/bundle.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <set>
#include <system_error>

#include "mlstack/elf/elf_file.hpp"
#include "mlstack/pyenv/spawn.hpp"

namespace mlstack::image {
namespace {

namespace fs = std::filesystem;

Error io_error(std::string message) { return make_error(ErrorCode::io, std::move(message)); }

std::string find_library(const std::vector<std::string>& dirs, const std::string& soname) {
  for (const std::string& dir : dirs) {
    std::error_code ec;
    const fs::path candidate = fs::path(dir) / soname;
    if (fs::is_regular_file(candidate, ec)) {
      return candidate.string();
    }
  }
  return {};
}

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    if (dir.empty()) {
      continue;
    }
    std::error_code ec;
    const fs::path candidate = fs::path(dir) / program;
    if (fs::is_regular_file(candidate, ec)) {
      return candidate.string();
    }
  }
  return {};
}

// Copies the contents of `from` (symbolic links followed) to `to`, with `mode`.
Result<bool> copy_contents(const std::string& from, const fs::path& to, fs::perms mode) {
  std::error_code ec;
  fs::remove(to, ec);
  fs::copy_file(fs::canonical(from, ec), to, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    return unexpected(io_error(fmt::format("cannot copy `{}` to `{}`: {}", from, to.string(),
                                           ec.message())));
  }
  fs::permissions(to, mode, ec);
  if (ec) {
    return unexpected(io_error(fmt::format("cannot set the mode of `{}`: {}", to.string(),
                                           ec.message())));
  }
  return true;
}

Result<std::string> interpreter_of(const elf::ElfFile& file) {
  const auto interp = file.section(".interp");
  if (!interp) {
    return unexpected(make_error(
        ErrorCode::unsupported,
        fmt::format("`{}` has no ELF interpreter (a static executable needs no bundle)",
                    file.path())));
  }
  std::string path(reinterpret_cast<const char*>(interp->bytes.data()), interp->bytes.size());
  path.resize(path.find('\0') == std::string::npos ? path.size() : path.find('\0'));
  return path;
}

// Runs patchelf (`argv`) on `file`; its failure is an error naming the file.
Result<bool> run_patchelf(const std::vector<std::string>& argv, const fs::path& file) {
  auto run = pyenv::run_process(argv, std::chrono::seconds(60));
  if (!run) {
    return unexpected(std::move(run).error());
  }
  if (run->exit_status != 0) {
    return unexpected(make_error(
        ErrorCode::io, fmt::format("patchelf failed on `{}` (exit status {}): {}", file.string(),
                                   run->exit_status, run->stderr_text)));
  }
  return true;
}

}  // namespace

Result<Bundle> make_bundle(const BundleSources& sources, const std::string& dir,
                           const std::string& image_dir) {
  auto exe = elf::ElfFile::open(sources.executable);
  if (!exe) {
    return unexpected(std::move(exe).error());
  }
  auto interp = interpreter_of(*exe);
  if (!interp) {
    return unexpected(std::move(interp).error());
  }
  auto dynamic = exe->dynamic();
  if (!dynamic) {
    return unexpected(std::move(dynamic).error());
  }
  std::string patchelf = sources.patchelf.empty() ? find_on_path("patchelf") : sources.patchelf;
  if (patchelf.empty()) {
    return unexpected(make_error(
        ErrorCode::not_found,
        "patchelf not found on PATH: it sets the bundled mlstack's interpreter (Debian package "
        "`patchelf`)"));
  }

  const fs::path lib = fs::path(dir) / "lib";
  const fs::path bin = fs::path(dir) / "bin";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(lib, ec);
  fs::create_directories(bin, ec);
  if (ec) {
    return unexpected(io_error(fmt::format("cannot create `{}`: {}", dir, ec.message())));
  }

  Bundle bundle;
  const std::string interp_name = fs::path(*interp).filename().string();
  bundle.interpreter = image_dir + "/lib/" + interp_name;
  const fs::perms exec_mode = fs::perms::owner_all | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec;
  const fs::perms lib_mode = exec_mode;
  if (auto ok = copy_contents(*interp, lib / interp_name, lib_mode); !ok) {
    return unexpected(std::move(ok).error());
  }
  std::set<std::string> done = {interp_name};
  // Copies what `who` needs (DT_NEEDED, transitively) to lib/, once each.
  auto carry = [&](const std::string& who, const std::vector<std::string>& needed) -> Result<bool> {
    std::deque<std::pair<std::string, std::string>> queue;  // soname, who needs it
    for (const auto& n : needed) {
      queue.emplace_back(n, who);
    }
    while (!queue.empty()) {
      const auto [soname, needer] = queue.front();
      queue.pop_front();
      if (!done.insert(soname).second) {
        continue;
      }
      const std::string found = find_library(sources.library_dirs, soname);
      if (found.empty()) {
        return unexpected(make_error(
            ErrorCode::not_found,
            fmt::format("`{}` needs `{}`, which is in none of the library folders", needer,
                        soname)));
      }
      if (auto ok = copy_contents(found, lib / soname, lib_mode); !ok) {
        return ok;
      }
      bundle.libraries.push_back(soname);
      auto so = elf::ElfFile::open(found);
      if (!so) {
        return unexpected(std::move(so).error());
      }
      if (auto needs = so->dynamic()) {
        for (const auto& n : needs->needed) {
          queue.emplace_back(n, found);
        }
      }
    }
    return true;
  };
  if (auto ok = carry(sources.executable, dynamic->needed); !ok) {
    return unexpected(std::move(ok).error());
  }
  const std::string strip = sources.strip.empty() ? find_on_path("strip") : sources.strip;
  // DT_RPATH, not DT_RUNPATH: it also serves the libraries' own DT_NEEDED (libelf → libz,
  // libonnx_proto → libprotobuf).
  auto set_rpath = [&](const fs::path& file) -> Result<bool> {
    return run_patchelf({patchelf, "--force-rpath", "--set-rpath", image_dir + "/lib",
                         file.string()},
                        file);
  };
  if (!sources.plugins.empty()) {
    const fs::path plugin_dir = lib / "mlstack";
    fs::create_directories(plugin_dir, ec);
    if (ec) {
      return unexpected(io_error(fmt::format("cannot create `{}`: {}", plugin_dir.string(),
                                             ec.message())));
    }
    for (const std::string& plugin : sources.plugins) {
      auto so = elf::ElfFile::open(plugin);
      if (!so) {
        return unexpected(std::move(so).error());
      }
      auto needs = so->dynamic();
      if (!needs) {
        return unexpected(std::move(needs).error());
      }
      if (auto ok = carry(plugin, needs->needed); !ok) {
        return unexpected(std::move(ok).error());
      }
      const std::string name = fs::path(plugin).filename().string();
      const fs::path copy = plugin_dir / name;
      if (auto ok = copy_contents(plugin, copy, lib_mode); !ok) {
        return unexpected(std::move(ok).error());
      }
      if (!strip.empty()) {
        (void)pyenv::run_process({strip, "--strip-debug", copy.string()},
                                 std::chrono::seconds(60));
      }
      if (auto ok = set_rpath(copy); !ok) {
        return unexpected(std::move(ok).error());
      }
      bundle.plugins.push_back(name);
    }
  }
  std::sort(bundle.libraries.begin(), bundle.libraries.end());

  const fs::path target = bin / "mlstack";
  if (auto ok = copy_contents(sources.executable, target, exec_mode); !ok) {
    return unexpected(std::move(ok).error());
  }
  if (!strip.empty()) {
    auto stripped = pyenv::run_process({strip, "--strip-debug", target.string()},
                                       std::chrono::seconds(60));
    bundle.stripped = stripped && stripped->exit_status == 0;
  }
  if (auto ok = run_patchelf({patchelf, "--set-interpreter", bundle.interpreter, "--force-rpath",
                              "--set-rpath", image_dir + "/lib", target.string()},
                             target);
      !ok) {
    return unexpected(std::move(ok).error());
  }
  return bundle;
}

}  // namespace mlstack::image
