// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/build_facts.hpp"
#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/loader_facts.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/linkmap/model.hpp"
#include "mlstack/loader/resolve.hpp"

#include <string>
#include <vector>

/// What the dynamic loader would map for every installed framework alone and every pair in
/// both orders (docs/frameworks.md, "What an import maps").
namespace mlstack::linkmap {

struct PredictInput {
  const loader::LoaderConfig& config;
  const loader::ObjectReader& reader;
  const io::FileSystem& fs;
  const facts::BuildFacts& builds;
  const facts::Inventory& inventory;
  const facts::PythonFacts& python;
  std::string interpreter;  // the interpreter's real path
  std::string cache_path;   // the ld.so cache `config.cache` was read from, empty when none
};

/// Each framework's load model (`framework_load`), in `builds.frameworks` order. TensorFlow's
/// import also imports jax when both are installed (tensorflow/lite/python/util.py): its load
/// then ends with JAX's steps.
[[nodiscard]] std::vector<FrameworkLoad> framework_loads(const PredictInput& input);

/// Every framework alone, then every pair in both orders, simulated (`simulate`).
[[nodiscard]] facts::LoaderFacts predict(const PredictInput& input);

}  // namespace mlstack::linkmap

#include "mlstack/io/file_facts_cache.hpp"
#include "mlstack/linkmap/target_config.hpp"

namespace mlstack::linkmap {

/// The prediction for a target interpreter of this machine: its loader settings
/// (`target_loader`), the ELF files read through `cache` (`CachedObjectReader`), `predict`.
/// The settings' problems are the result's.
[[nodiscard]] facts::LoaderFacts predict_target(const io::FileSystem& fs,
                                                const TargetLoaderInput& target,
                                                const facts::BuildFacts& builds,
                                                const facts::Inventory& inventory,
                                                const facts::PythonFacts& python,
                                                io::FileFactsCache& cache);

}  // namespace mlstack::linkmap
