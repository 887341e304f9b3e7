// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/site_folder.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/io/path.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

namespace mlstack::pyenv {
namespace {

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && text::iequals(s.substr(s.size() - suffix.size()), suffix);
}

bool is_distribution_entry(std::string_view name) {
  return ends_with_ci(name, ".dist-info") || ends_with_ci(name, ".egg-info") ||
         ends_with_ci(name, ".egg-link");
}

// `python3`, `python3.11`, `python3.13t`: a folder an interpreter keeps its library in.
bool is_python_lib_name(std::string_view name) {
  if (!name.starts_with("python") || name.size() == 6) {
    return false;
  }
  name.remove_prefix(6);
  if (name.ends_with('t')) {
    name.remove_suffix(1);
  }
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return text::is_ascii_digit(c) || c == '.';
  });
}

std::vector<io::DirEntry> list(const io::FileSystem& fs, const std::string& dir) {
  std::vector<io::DirEntry> entries;
  if (!fs.list_dir(dir, io::Follow::yes, entries).ok()) {
    entries.clear();
  }
  std::sort(entries.begin(), entries.end(),
            [](const io::DirEntry& a, const io::DirEntry& b) { return a.name < b.name; });
  return entries;
}

// `dir/site-packages` and `dir/dist-packages` when they are folders.
void add_site_children(const std::vector<io::DirEntry>& entries, const std::string& dir,
                       std::vector<std::string>& out) {
  for (const io::DirEntry& e : entries) {
    if (e.kind == io::FileKind::directory &&
        (e.name == "site-packages" || e.name == "dist-packages")) {
      out.push_back(io::join_path(dir, e.name));
    }
  }
}

// `lib/pythonX.Y/site-packages` and the like below `lib`.
void add_lib_children(const io::FileSystem& fs, const std::string& lib,
                      std::vector<std::string>& out) {
  for (const io::DirEntry& e : list(fs, lib)) {
    if (e.kind == io::FileKind::directory && is_python_lib_name(e.name)) {
      const std::string python_lib = io::join_path(lib, e.name);
      add_site_children(list(fs, python_lib), python_lib, out);
    }
  }
}

// The site-packages folders a user who named `dir` probably meant: in `dir` itself (a
// `lib/pythonX.Y`), in `dir/pythonX.Y` (a `lib`), in a prefix's `lib`, `lib64`, `Lib` (Windows) or `local/lib`, or in a
// root file system's `usr/lib` and `usr/local/lib`.
std::vector<std::string> site_folders_below(const io::FileSystem& fs, const std::string& dir,
                                            const std::vector<io::DirEntry>& entries) {
  std::vector<std::string> out;
  add_site_children(entries, dir, out);
  add_lib_children(fs, dir, out);  // `dir` is a prefix's `lib`
  constexpr std::array<std::string_view, 6> k_libs = {"lib",       "lib64",   "local/lib",
                                                      "usr/lib",   "usr/lib64", "usr/local/lib"};
  for (const std::string_view lib : k_libs) {
    add_lib_children(fs, io::join_path(dir, lib), out);
  }
  const std::string windows_lib = io::join_path(dir, "Lib");
  add_site_children(list(fs, windows_lib), windows_lib, out);
  return out;
}

std::string describe_kind(io::FileKind kind) {
  switch (kind) {
    case io::FileKind::regular:
      return "a file";
    case io::FileKind::fifo:
      return "a FIFO";
    case io::FileKind::socket:
      return "a socket";
    case io::FileKind::char_device:
    case io::FileKind::block_device:
      return "a device";
    default:
      return "not a folder";
  }
}

std::string_view base_name(std::string_view path) {
  while (path.size() > 1 && path.ends_with('/')) {
    path.remove_suffix(1);
  }
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::optional<std::string> python_version_from_site_path(std::string_view path) {
  while (path.size() > 1 && path.ends_with('/')) {
    path.remove_suffix(1);
  }
  const std::string_view last = base_name(path);
  if (last != "site-packages" && last != "dist-packages") {
    return std::nullopt;
  }
  path.remove_suffix(last.size());
  while (!path.empty() && path.ends_with('/')) {
    path.remove_suffix(1);
  }
  std::string_view lib = base_name(path);
  if (!lib.starts_with("python")) {
    return std::nullopt;
  }
  lib.remove_prefix(6);
  const auto parts = text::split(lib, '.');
  if (parts.size() != 2) {
    return std::nullopt;
  }
  for (const std::string_view p : parts) {
    if (p.empty() || p.size() > 3 ||
        !std::all_of(p.begin(), p.end(), [](char c) { return text::is_ascii_digit(c); })) {
      return std::nullopt;
    }
  }
  return std::string(lib);
}

Result<SiteFolder> check_site_folder(const io::FileSystem& fs, const std::string& path) {
  io::FileStat st;
  if (const io::IoStatus status = fs.stat(path, io::Follow::yes, st); !status.ok()) {
    if (status.kind == io::IoStatus::Kind::not_found ||
        status.kind == io::IoStatus::Kind::not_directory) {
      return unexpected(
          make_error(ErrorCode::not_found, fmt::format("--site `{}` does not exist", path)));
    }
    return unexpected(make_io_error(status, "use --site", path));
  }
  if (st.kind != io::FileKind::directory) {
    return unexpected(make_error(
        ErrorCode::invalid_data,
        fmt::format("--site `{}` is {}, expected a site-packages folder", path,
                    describe_kind(st.kind))));
  }
  std::vector<io::DirEntry> entries;
  if (const io::IoStatus status = fs.list_dir(path, io::Follow::yes, entries); !status.ok()) {
    return unexpected(make_io_error(status, "list --site", path));
  }
  SiteFolder folder;
  folder.path = path;
  folder.python_version = python_version_from_site_path(path);
  folder.has_distributions = std::any_of(entries.begin(), entries.end(), [](const auto& e) {
    return is_distribution_entry(e.name);
  });
  if (folder.has_distributions) {
    return folder;
  }
  std::sort(entries.begin(), entries.end(),
            [](const io::DirEntry& a, const io::DirEntry& b) { return a.name < b.name; });
  const std::vector<std::string> below = site_folders_below(fs, path, entries);
  if (below.empty()) {
    return folder;  // an empty site folder: the caller warns that nothing was found
  }
  const bool venv = std::any_of(entries.begin(), entries.end(),
                                [](const io::DirEntry& e) { return e.name == "pyvenv.cfg"; });
  std::string what = "is not a site-packages folder: it holds no distributions";
  if (venv) {
    what = "is a virtual environment, not a site-packages folder";
  } else if (is_python_lib_name(base_name(path))) {
    what = "is a Python library folder, not its site-packages folder";
  }
  std::string hint;
  if (below.size() == 1) {
    hint = fmt::format("did you mean `--site {}`?", below.front());
  } else {
    hint = "did you mean one of ";
    for (std::size_t i = 0; i < below.size(); ++i) {
      hint += fmt::format("{}`--site {}`", i == 0 ? "" : ", ", below[i]);
    }
    hint += "?";
  }
  if (const std::string python = io::join_path(path, "bin/python"); venv && fs.exists(python)) {
    hint += fmt::format(" (or `--python {}`)", python);
  }
  return unexpected(make_error(ErrorCode::invalid_data,
                               fmt::format("--site `{}` {}\nhint: {}", path, what, hint)));
}

}  // namespace mlstack::pyenv
