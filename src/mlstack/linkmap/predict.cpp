// SPDX-License-Identifier: MIT
#include "mlstack/linkmap/predict.hpp"

#include "mlstack/linkmap/cached_object_reader.hpp"
#include "mlstack/linkmap/model_files.hpp"
#include "mlstack/linkmap/scenario.hpp"

#include <fmt/format.h>

namespace mlstack::linkmap {

std::vector<FrameworkLoad> framework_loads(const PredictInput& input) {
  std::vector<FrameworkLoad> loads;
  for (const facts::FrameworkBuild& build : input.builds.frameworks) {
    loads.push_back(
        framework_load(ModelInput{build, input.inventory, input.python, input.fs}));
  }
  for (std::size_t t = 0; t < loads.size(); ++t) {
    const facts::FrameworkBuild& tf = input.builds.frameworks[t];
    if (tf.name != "tensorflow" || !tensorflow_imports_jax(input.fs, tf.location)) {
      continue;
    }
    for (std::size_t j = 0; j < loads.size(); ++j) {
      if (loads[j].framework != "jax") {
        continue;
      }
      for (LoadStep s : loads[j].steps) {
        s.why = fmt::format("tensorflow/lite/python/util.py imports jax: {}", s.why);
        loads[t].steps.push_back(std::move(s));
      }
      for (const std::string& p : loads[j].problems) {
        loads[t].problems.push_back(fmt::format("its import of jax: {}", p));
      }
    }
  }
  return loads;
}

facts::LoaderFacts predict(const PredictInput& input) {
  facts::LoaderFacts out;
  out.emulated = true;
  out.interpreter = input.interpreter;
  out.ld_library_path = input.config.ld_library_path;
  out.cache = input.cache_path;
  out.default_dirs = input.config.default_dirs;
  const std::vector<FrameworkLoad> loads = framework_loads(input);
  const Labeller labeller(input.fs, input.builds, input.inventory);
  // The orders share their searches (loader::SearchMemo): same settings, same files.
  loader::LoaderConfig config = input.config;
  if (!config.memo) {
    config.memo = loader::make_search_memo();
  }
  const ScenarioInput scenario{config, input.reader, labeller, input.interpreter};
  // Every order starts with the interpreter, and the orders that begin with one framework
  // share its import: each is simulated once and cloned (loader::Process::clone).
  Simulation base(scenario);
  const bool started = base.exec();
  const std::size_t n = loads.size();
  std::vector<facts::LoadScenario> alone(n);
  std::vector<std::vector<facts::LoadScenario>> pairs(n, std::vector<facts::LoadScenario>(n));
  for (std::size_t i = 0; i < n; ++i) {
    Simulation first = base.clone();
    const bool first_ok = started && first.import(loads[i]);
    for (std::size_t j = 0; j < n; ++j) {
      Simulation sim = first.clone();
      std::vector<const FrameworkLoad*> order = {&loads[i]};
      bool second_ok = false;
      if (j != i) {
        order.push_back(&loads[j]);
        second_ok = sim.import(loads[j]);
      }
      if (first_ok) {
        sim.first_gpu_use(loads[i]);
      }
      if (second_ok) {
        sim.first_gpu_use(loads[j]);
      }
      (j == i ? alone[i] : pairs[i][j]) = sim.take(order);
    }
  }
  for (facts::LoadScenario& s : alone) {
    out.scenarios.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      out.scenarios.push_back(std::move(pairs[i][j]));
      out.scenarios.push_back(std::move(pairs[j][i]));
    }
  }
  return out;
}

facts::LoaderFacts predict_target(const io::FileSystem& fs, const TargetLoaderInput& target,
                                  const facts::BuildFacts& builds, const facts::Inventory& inventory,
                                  const facts::PythonFacts& python, io::FileFactsCache& cache) {
  const TargetLoader settings = target_loader(fs, target);
  const loader::ElfObjectReader elf(fs);
  const CachedObjectReader reader(elf, fs, cache);
  facts::LoaderFacts out = predict(PredictInput{settings.config, reader, fs, builds, inventory,
                                                python, settings.interpreter, settings.cache_path});
  out.problems.insert(out.problems.begin(), settings.problems.begin(), settings.problems.end());
  return out;
}

}  // namespace mlstack::linkmap
