// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/inventory.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace mlstack::testing {

/// A minimal Inventory of a site folder: every `name-version.dist-info` with its
/// `Requires-Dist` lines. Independent of pyenv on purpose: these tests are about the
/// framework and library readers, not about distribution discovery.
inline facts::Inventory fixture_inventory(const std::string& site) {
  facts::Inventory inv;
  std::vector<std::filesystem::path> infos;
  for (const auto& e : std::filesystem::directory_iterator(site)) {
    if (e.path().extension() == ".dist-info") {
      infos.push_back(e.path());
    }
  }
  std::sort(infos.begin(), infos.end());
  for (const auto& p : infos) {
    const auto stem = p.stem().string();
    const auto dash = stem.find('-');
    facts::InstalledDist d;
    d.location = site;
    d.info_path = p.string();
    d.canonical_name = stem.substr(0, dash);
    std::transform(
        d.canonical_name.begin(), d.canonical_name.end(), d.canonical_name.begin(),
        [](char c) { return c == '_' || c == '.' ? '-' : static_cast<char>(std::tolower(c)); });
    d.raw_name = d.canonical_name;
    d.version_text = stem.substr(dash + 1);
    std::ifstream in(p / "METADATA");
    std::string line;
    while (std::getline(in, line) && !line.empty()) {
      if (line.starts_with("Requires-Dist: ")) {
        d.requires_dist.push_back(line.substr(15));
      }
    }
    inv.dists.push_back(std::move(d));
  }
  return inv;
}

}  // namespace mlstack::testing
