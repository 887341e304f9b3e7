// SPDX-License-Identifier: MIT
#include "mlstack/report/report.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mlstack::report {
namespace {

Report with_loader_and_probes() {
  Report r;
  r.mlstack_version = "0.0.0";
  r.python.version = "3.11.7";
  facts::LoaderFacts loader;
  loader.emulated = true;
  loader.interpreter = "/usr/bin/python3.11";
  loader.cache = "/etc/ld.so.cache";
  facts::LoadScenario s;
  s.order = {"torch", "tensorflow"};
  facts::MappedLibrary cudnn;
  cudnn.library = "cudnn";
  cudnn.path = "/venv/lib/python3.11/site-packages/torch/lib/../../nvidia/./cudnn/lib/libcudnn.so.9";
  cudnn.real_path = cudnn.path;
  cudnn.soname = "libcudnn.so.9";
  cudnn.version = {"9.10.2.21", "nvidia_cudnn_cu12-9.10.2.21.dist-info"};
  cudnn.origin = "wheel";
  cudnn.package = "nvidia-cudnn-cu12";
  cudnn.rule = "dlopen_path";
  cudnn.why = "dlopen by torch/__init__.py (_load_global_deps)";
  cudnn.loaded_by = "torch";
  facts::MappedLibrary engines = cudnn;
  engines.library = "cudnn_engines_precompiled";
  engines.path = "/venv/lib/python3.11/site-packages/nvidia/cudnn/lib/"
                 "libcudnn_engines_precompiled.so.9";
  engines.version = {};
  engines.when = "first GPU use";
  facts::MappedLibrary other;  // not tracked: not in the table
  other.path = "/venv/lib/python3.11/site-packages/torch/lib/libc10.so";
  s.libraries = {other, cudnn, engines};
  s.missing = {"libcurand.so.10 (needed by /x.so): not found"};
  loader.scenarios = {s};
  r.loader = loader;
  facts::ProbeFacts probes;
  probes.done = true;
  probes.timeout_s = 60;
  probes.jobs = 2;
  probes.wall_s = 7.94;
  facts::ProbeResult ok;
  ok.order = {"torch"};
  ok.status = "ok";
  ok.wall_s = 5.31;
  ok.versions = {{"torch", "2.15.0"}};
  ok.devices = {{"torch", {}}};
  facts::ProbeResult crash;
  crash.order = {"torch", "tensorflow"};
  crash.status = "crash";
  crash.signal = 11;
  crash.signal_name = "SIGSEGV";
  crash.wall_s = 2.08;
  crash.stderr_tail = "Fatal Python error: Segmentation fault\n";
  probes.probes = {ok, crash};
  r.probes = probes;
  return r;
}

TEST(LoaderText, TablesOfTrackedLibrariesAndProbes) {
  std::ostringstream out;
  render_text(with_loader_and_probes(), out, TextOptions{});
  const std::string text = out.str();
  const std::string loader =
      "Loader (predicted, 1 import order; a pair lists what differs from each framework alone)\n"
      "  LD_LIBRARY_PATH  unset\n"
      "  ld.so cache      /etc/ld.so.cache\n"
      "  import torch; import tensorflow\n"
      "    cudnn                      9.10.2.21  wheel   nvidia/cudnn/lib/libcudnn.so.9 (by torch)\n"
      "    cudnn_engines_precompiled  -          wheel   "
      "nvidia/cudnn/lib/libcudnn_engines_precompiled.so.9\n"
      "                                                  (by torch; at first GPU use)\n"
      "    missing  libcurand.so.10 (needed by /x.so): not found\n"
      "\n";
  EXPECT_NE(text.find(loader), std::string::npos) << text;
  const std::string probes =
      "Probes (2 import orders, 2 at a time, 7.9 s; timeout 60 s each)\n"
      "  import torch                     ok       5.3 s  torch 2.15.0; no GPU\n"
      "  import torch; import tensorflow  crash    2.1 s  SIGSEGV\n"
      "\n";
  EXPECT_NE(text.find(probes), std::string::npos) << text;
}

TEST(LoaderText, APairListsWhatDiffersFromEachAlone) {
  Report r = with_loader_and_probes();
  facts::LoaderFacts& loader = *r.loader;
  facts::LoadScenario pair = loader.scenarios[0];
  pair.missing.clear();
  pair.libraries.pop_back();  // the engines
  facts::LoadScenario torch = pair;
  torch.order = {"torch"};
  facts::LoadScenario tf = pair;
  tf.order = {"tensorflow"};
  tf.libraries[1].path = "/usr/lib/x86_64-linux-gnu/libcudnn.so.9";
  tf.libraries[1].real_path = tf.libraries[1].path;
  tf.libraries[1].loaded_by = "tensorflow";
  facts::LoadScenario other_order = pair;
  other_order.order = {"tensorflow", "torch"};
  other_order.libraries = tf.libraries;
  loader.scenarios = {torch, tf, pair, other_order};
  std::ostringstream out;
  render_text(r, out, TextOptions{Color::never, 80});
  const std::string text = out.str();
  EXPECT_NE(text.find("  import torch; import tensorflow\n"
                      "    cudnn    9.10.2.21  wheel   nvidia/cudnn/lib/libcudnn.so.9 (by torch;\n"
                      "                                tensorflow alone:\n"
                      "                                /usr/lib/x86_64-linux-gnu/libcudnn.so.9)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  import tensorflow; import torch\n"
                      "    cudnn    9.10.2.21  wheel   /usr/lib/x86_64-linux-gnu/libcudnn.so.9 (by\n"
                      "                                tensorflow; torch alone:\n"
                      "                                nvidia/cudnn/lib/libcudnn.so.9)\n"),
            std::string::npos)
      << text;
  // An order whose files are each framework's own says so in one line; a missing file the
  // framework misses alone too is not repeated.
  torch.missing = {"libcurand.so.10 (dlopen): not found; torch at first GPU use (x)"};
  pair.missing = torch.missing;
  loader.scenarios = {torch, torch, pair};
  loader.scenarios[1].order = {"tensorflow"};
  std::ostringstream same;
  render_text(r, same, TextOptions{});
  EXPECT_NE(same.str().find("  import torch; import tensorflow: the files each maps alone\n"),
            std::string::npos)
      << same.str();
}

TEST(LoaderText, AbsentSectionsWhenNotGathered) {
  Report r = with_loader_and_probes();
  r.loader.reset();
  r.probes.reset();
  std::ostringstream out;
  render_text(r, out, TextOptions{});
  EXPECT_EQ(out.str().find("Loader"), std::string::npos);
  EXPECT_EQ(out.str().find("Probes"), std::string::npos);
}

TEST(LoaderJson, LoaderAndProbesAreAdded) {
  std::ostringstream out;
  render_json(with_loader_and_probes(), out);
  const auto j = nlohmann::json::parse(out.str());
  const auto& lib = j.at("loader").at("scenarios").at(0).at("libraries").at(1);
  EXPECT_EQ(lib.at("library"), "cudnn");
  EXPECT_EQ(lib.at("version").at("value"), "9.10.2.21");
  EXPECT_EQ(lib.at("why"), "dlopen by torch/__init__.py (_load_global_deps)");
  EXPECT_TRUE(j.at("loader").at("scenarios").at(0).at("libraries").at(0).at("library").is_null());
  EXPECT_EQ(j.at("loader").at("settings").at("ld_library_path"), nullptr);
  const auto& crash = j.at("probes").at("results").at(1);
  EXPECT_EQ(crash.at("status"), "crash");
  EXPECT_EQ(crash.at("signal"), "SIGSEGV");
  EXPECT_EQ(j.at("probes").at("results").at(0).at("versions").at("torch"), "2.15.0");
  Report none = with_loader_and_probes();
  none.loader.reset();
  none.probes.reset();
  std::ostringstream bare;
  render_json(none, bare);
  EXPECT_FALSE(nlohmann::json::parse(bare.str()).contains("loader"));
}

// The same report as a file: tests/cli/validate_schema.py checks it against
// docs/doctor.schema.json (`MLSTACK_UPDATE_GOLDEN=1` rewrites it).
TEST(LoaderJson, EqualsTheSchemaCheckedFixture) {
  const std::string path = std::string(MLSTACK_TEST_DATA_DIR) + "/report/loader-probes.json";
  std::ostringstream out;
  render_json(with_loader_and_probes(), out);
  if (std::getenv("MLSTACK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path) << out.str();
  }
  std::ifstream in(path);
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(out.str(), expected.str());
}

}  // namespace
}  // namespace mlstack::report
