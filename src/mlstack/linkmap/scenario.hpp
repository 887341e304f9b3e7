// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/build_facts.hpp"
#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/loader_facts.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/linkmap/model.hpp"
#include "mlstack/loader/resolve.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

/// One import order simulated over the ld.so emulation (loader::Process): the interpreter is
/// exec'ed, then each framework's dlopen calls run in order, each seeing what the ones before
/// it mapped ("a soname already loaded wins"); every object mapped is labelled (tracked
/// library, version, owning distribution, the rule that found it, why it was loaded).
namespace mlstack::linkmap {

/// The tracked library a shared object is, from its soname or file name: `cudart`, `cublas`,
/// `cublaslt`, `cudnn`, `cudnn_ops` (and the other cuDNN sub-libraries), `nccl`, `nvjitlink`,
/// `nvrtc`, `nvrtc_builtins`, `cufft`, `cusparse`, ... (cudalibs' table), `libstdcxx`; empty
/// for every other object. Pure.
[[nodiscard]] std::string tracked_library(std::string_view file_name);

/// What labels the objects: file owners and versions, read once for every scenario.
class Labeller {
 public:
  /// `builds` gives the versions (`cuda_libraries`, by real path) and the frameworks'
  /// distributions; `inventory` the files each distribution's RECORD lists.
  Labeller(const io::FileSystem& fs, const facts::BuildFacts& builds,
           const facts::Inventory& inventory);

  /// The real path (symlinks resolved), `path` itself when it cannot be resolved.
  [[nodiscard]] const std::string& real_path(const std::string& path) const;
  /// The distribution whose RECORD lists `path` or `real_path`, empty when none.
  [[nodiscard]] std::string owner(const std::string& path, const std::string& real_path) const;
  [[nodiscard]] bool is_framework_dist(const std::string& canonical_name) const;
  /// The version of the tracked library at `real_path` as the CUDA library search read it.
  [[nodiscard]] const facts::Sourced* version(const std::string& real_path) const;
  /// Whether `path` is inside an inspected site folder.
  [[nodiscard]] bool in_site(const std::string& path) const;

 private:
  const io::FileSystem& m_fs;
  mutable std::map<std::string, std::string> m_real;
  std::map<std::string, std::string> m_owners;  // normalized path -> distribution
  std::map<std::string, facts::Sourced> m_versions;
  std::vector<std::string> m_framework_dists;
  std::vector<std::string> m_sites;
};

struct ScenarioInput {
  const loader::LoaderConfig& config;
  const loader::ObjectReader& reader;
  const Labeller& labeller;
  std::string interpreter;  // the interpreter's real path
};

/// One process built up step by step, labelling what each step maps; `clone` goes on from the
/// same state another way (the orders that begin with the same framework share its import).
class Simulation {
 public:
  explicit Simulation(const ScenarioInput& input);
  [[nodiscard]] Simulation clone() const;
  /// Maps the interpreter; false (a problem) when it cannot be read.
  bool exec();
  /// `fw`'s import-time steps in order; false when a required one fails (its names go to
  /// `missing`) and the import ends there.
  bool import(const FrameworkLoad& fw);
  /// `fw`'s `first GPU use` steps.
  void first_gpu_use(const FrameworkLoad& fw);
  /// The scenario of `order` (its frameworks' problems first); symbol versions checked.
  [[nodiscard]] facts::LoadScenario take(const std::vector<const FrameworkLoad*>& order);

 private:
  Simulation(const ScenarioInput& input, loader::Process process);
  bool run(const FrameworkLoad& fw, const LoadStep& s);
  [[nodiscard]] bool applies(const LoadStep& s) const;
  [[nodiscard]] int caller_index(const std::string& caller) const;
  void label_new(const std::string& why, const std::string& when, const std::string& framework,
                 const std::string& origin, int target = -1);

  const ScenarioInput* m_in;
  loader::Process m_process;
  facts::LoadScenario m_out;
  int m_exe = -1;
  std::size_t m_labelled = 0;
  bool m_started = false;
};

/// The libraries one import order maps: the interpreter's own first, then every framework's
/// import-time steps in order (a required step that fails ends that framework's import, and
/// its names go to `missing`), then their `first GPU use` steps in the same order. Symbol
/// versions are checked over everything mapped.
[[nodiscard]] facts::LoadScenario simulate(const ScenarioInput& input,
                                           const std::vector<FrameworkLoad>& order);

}  // namespace mlstack::linkmap
