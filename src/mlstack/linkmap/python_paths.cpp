// SPDX-License-Identifier: MIT
#include "mlstack/linkmap/python_paths.hpp"

#include "mlstack/linkmap/model_files.hpp"

#include <utility>

namespace mlstack::linkmap::detail {

std::vector<std::string> search_dirs(const ModelInput& input) {
  if (!input.python.sys_path.empty()) {
    return input.python.sys_path;
  }
  if (!input.build.location.empty()) {
    return {input.build.location};
  }
  return {};
}

std::vector<std::string> site_dirs(const ModelInput& input) {
  if (!input.python.site_dirs.empty()) {
    return input.python.site_dirs;
  }
  return search_dirs(input);
}

std::string package_dir(const ModelInput& input, std::string_view relative) {
  for (const std::string& dir : search_dirs(input)) {
    std::string path = dir + "/" + std::string(relative);
    io::FileStat st;
    if (input.fs.stat(path, io::Follow::yes, st).ok() && st.kind == io::FileKind::directory) {
      return path;
    }
  }
  return {};
}

std::string extension_module(const ModelInput& input, const std::string& dir,
                             std::string_view name) {
  if (dir.empty()) {
    return {};
  }
  return linkmap::extension_module(input.fs, dir, name, input.python.tags.ext_suffix)
      .value_or(std::string());
}

void add_module_steps(const ModelInput& input, std::string_view package,
                      const std::vector<std::string_view>& stems, const std::string& why,
                      std::vector<LoadStep>& steps) {
  const std::string dir = package_dir(input, package);
  for (const std::string_view stem : stems) {
    if (std::string path = extension_module(input, dir, stem); !path.empty()) {
      steps.push_back(import_step(std::move(path), why, false));
    }
  }
}

void add_numpy_steps(const ModelInput& input, const std::string& why,
                     std::vector<LoadStep>& steps) {
  add_module_steps(input, "numpy",
                   {"_core/_multiarray_umath", "core/_multiarray_umath", "linalg/_umath_linalg"},
                   why, steps);
}

LoadStep import_step(std::string path, std::string why, bool required, std::string when) {
  LoadStep step;
  step.candidates.push_back(std::move(path));
  step.why = std::move(why);
  step.when = std::move(when);
  step.required = required;
  return step;
}

LoadStep dlopen_step(std::string candidate, std::string caller, std::string why, std::string when,
                     bool required) {
  LoadStep step;
  step.candidates.push_back(std::move(candidate));
  step.caller = std::move(caller);
  step.why = std::move(why);
  step.when = std::move(when);
  step.required = required;
  return step;
}

std::string cuda_major(std::string_view version) {
  std::size_t end = 0;
  while (end < version.size() && version[end] >= '0' && version[end] <= '9') {
    ++end;
  }
  return std::string(version.substr(0, end));
}

}  // namespace mlstack::linkmap::detail
