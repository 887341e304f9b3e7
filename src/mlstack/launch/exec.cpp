// SPDX-License-Identifier: MIT
#include "mlstack/launch/exec.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"

namespace mlstack::launch {

int exec_command(const std::vector<std::string>& argv, const Plan& plan,
                 const std::string& shim_dir) {
  for (const Setting& s : plan.settings) {
    if (!s.kept) {
      setenv(s.name.c_str(), s.value.c_str(), 1);
    }
  }
  if (!shim_dir.empty()) {
    // Under an outer `mlstack run` the shim may be first already: not twice.
    const char* old_value = std::getenv("PYTHONPATH");
    const std::string old = old_value == nullptr ? std::string() : std::string(old_value);
    if (old != shim_dir && !old.starts_with(shim_dir + ":")) {
      const std::string path = old.empty() ? shim_dir : shim_dir + ":" + old;
      setenv("PYTHONPATH", path.c_str(), 1);
    }
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  std::fflush(stdout);
  execvp(args[0], args.data());
  const int error = errno;
  const std::string shown = text::escape_controls(argv[0]);
  if (error == ENOENT || error == ENOTDIR) {
    std::fputs(fmt::format("mlstack: error: `{}`: command not found\n", shown).c_str(), stderr);
    return k_exit_not_found;
  }
  std::fputs(
      fmt::format("mlstack: error: cannot execute `{}`: {}\n", shown, std::strerror(error)).c_str(),
      stderr);
  return k_exit_cannot_execute;
}

}  // namespace mlstack::launch
