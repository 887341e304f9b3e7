// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/linkmap/model.hpp"

#include "temp_tree.hpp"

#include <string>
#include <vector>

namespace mlstack::linkmap::testing {

/// A model's input over a temporary site folder `<tree>/site` (CPython 3.11 suffixes).
struct FixtureInput {
  explicit FixtureInput(const pyenv::testing::TempTree& tree) : site(tree / "site") {
    python.sys_path = {site};
    python.tags.ext_suffix = ".cpython-311-x86_64-linux-gnu.so";
    build.location = site;
  }
  [[nodiscard]] ModelInput input() const { return {build, inventory, python, fs}; }
  std::string site;
  facts::FrameworkBuild build;
  facts::Inventory inventory;
  facts::PythonFacts python;
  io::RealFileSystem fs;
};

/// Each step as `when | caller | candidates | required`, paths relative to `site`.
inline std::vector<std::string> render(const FrameworkLoad& load, const std::string& site) {
  const auto rel = [&site](const std::string& path) {
    return path.rfind(site + "/", 0) == 0 ? path.substr(site.size() + 1) : path;
  };
  std::vector<std::string> out;
  for (const LoadStep& s : load.steps) {
    std::string line = s.when + " | " + (s.caller.empty() ? "python" : rel(s.caller)) + " |";
    for (const std::string& c : s.candidates) {
      line += " " + rel(c);
    }
    line += s.required ? " | required" : " | optional";
    out.push_back(line);
  }
  return out;
}

}  // namespace mlstack::linkmap::testing
