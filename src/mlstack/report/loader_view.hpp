// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlstack/facts/loader_facts.hpp"

/// What the reports show of the loader's prediction, shared by the terminal report
/// (text_loader.cpp) and the HTML page: per import order, the tracked libraries it maps, and
/// for a pair only what differs from each framework imported alone (what the order changes).
/// Pure; the strings are not escaped.
namespace mlstack::report {

/// `import torch; import tensorflow`.
[[nodiscard]] std::string order_text(const std::vector<std::string>& order);

/// A wheel's file below its site folder (`nvidia/cudnn/lib/libcudnn.so.9`), others whole;
/// `a/b/../c` read as `a/c` (symlinks not followed).
[[nodiscard]] std::string short_path(std::string_view path);

/// One import order as the reports show it.
struct ScenarioView {
  struct Row {
    const facts::MappedLibrary* library = nullptr;
    // `by torch`, `tensorflow alone: nvidia/cudnn/lib/libcudnn.so.9`, `only in this order`,
    // `at first GPU use`.
    std::vector<std::string> notes;
  };
  std::vector<Row> rows;
  std::size_t tracked = 0;  // tracked libraries the order maps (rows may show fewer)
  // For a pair, only those no framework of it shows alone: the problems the order adds.
  std::vector<const std::string*> missing;
  std::vector<const facts::MissingSymbolVersion*> versions;
  // `no tracked library`, `the files each maps alone`; empty when there are rows or problems.
  std::string summary;
};

[[nodiscard]] ScenarioView scenario_view(const facts::LoaderFacts& loader,
                                         const facts::LoadScenario& scenario);

}  // namespace mlstack::report
