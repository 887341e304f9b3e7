// SPDX-License-Identifier: MIT
#include "mlstack/rules/probe_findings.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mlstack::rules {
namespace {

const std::vector<std::string> k_roots = {"/venv/lib/python3.11/site-packages"};

facts::ProbeResult probe(std::vector<std::string> order, std::string status) {
  facts::ProbeResult p;
  p.order = std::move(order);
  p.status = std::move(status);
  p.wall_s = 2.25;
  return p;
}

TEST(ComparedLibrary, VenvCudaFoldersCudaLibrariesAndLibstdcxx) {
  EXPECT_TRUE(compared_library("/venv/lib/python3.11/site-packages/torch/lib/libc10.so", k_roots));
  EXPECT_TRUE(compared_library("/usr/local/cuda-13.0/lib64/libnvrtc-builtins.so.13.0", k_roots));
  EXPECT_TRUE(compared_library("/usr/lib/x86_64-linux-gnu/libcudnn.so.9.1.0", k_roots));
  EXPECT_TRUE(compared_library("/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", k_roots));
  EXPECT_FALSE(compared_library("/usr/lib/x86_64-linux-gnu/libc.so.6", k_roots));
  EXPECT_FALSE(compared_library("/usr/lib/x86_64-linux-gnu/libcuda.so.580.65.06", k_roots));
  EXPECT_FALSE(compared_library("/venv/lib/python3.11/site-packages-other/x.so", k_roots));
  EXPECT_FALSE(compared_library("/venv/lib/python3.11/site-packages/torch/py.typed", k_roots));
}

TEST(ProbeFindings, NothingWithoutProbes) {
  facts::ProbeFacts probes;
  probes.probes = {probe({"torch"}, "crash")};
  EXPECT_TRUE(probe_findings(probes, nullptr, k_roots).empty());
}

TEST(ProbeCrash, NamesSignalStderrAndTheOrderThatPassed) {
  facts::ProbeFacts probes;
  probes.done = true;
  facts::ProbeResult crash = probe({"torch", "tensorflow"}, "crash");
  crash.signal = 11;
  crash.signal_name = "SIGSEGV";
  crash.stderr_tail = "a\n\nFatal Python error: Segmentation fault\n";
  probes.probes = {probe({"torch"}, "ok"), crash, probe({"tensorflow", "torch"}, "ok")};
  const auto found = probe_findings(probes, nullptr, k_roots);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, "PROBE-CRASH");
  EXPECT_EQ(found[0].title, "`import torch; import tensorflow` crashed with SIGSEGV after 2.2 s");
  EXPECT_EQ(found[0].evidence,
            (std::vector<std::string>{"stderr: a", "stderr: Fatal Python error: Segmentation fault",
                                      "probe: crash in 2.2 s"}));
  EXPECT_EQ(found[0].fix, "import in this order: `import tensorflow; import torch` (its probe passed)");
}

TEST(ProbeFailures, TimeoutImportErrorExitNotRun) {
  facts::ProbeFacts probes;
  probes.done = true;
  probes.timeout_s = 30;
  facts::ProbeResult err = probe({"jax"}, "import-error");
  err.error = "ImportError: libcudnn.so.9: cannot open shared object file";
  facts::ProbeResult exit = probe({"cupy"}, "exit");
  exit.exit_code = 3;
  probes.probes = {probe({"torch"}, "timeout"), err, exit, probe({"onnxruntime"}, "not-run")};
  const auto found = probe_findings(probes, nullptr, k_roots);
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0].id, "PROBE-TIMEOUT");
  EXPECT_EQ(found[0].title, "`import torch` did not finish within 30 s: its process group was killed");
  EXPECT_NE(found[0].fix.find("--probe-timeout 120"), std::string::npos);
  EXPECT_EQ(found[1].id, "PROBE-IMPORT-ERROR");
  EXPECT_EQ(found[1].title,
            "`import jax` raised ImportError: libcudnn.so.9: cannot open shared object file");
  EXPECT_EQ(found[2].id, "PROBE-EXIT");
  EXPECT_EQ(found[3].id, "PROBE-NOT-RUN");
  // In a pair, the import that raised is named.
  facts::ProbeResult pair = probe({"torch", "tensorflow"}, "import-error");
  pair.error = "ImportError: the probe's summary";
  pair.imports = {facts::ProbeImport{"torch", "ok", 4.5, "2.15.0", "", {}},
                  facts::ProbeImport{"tensorflow", "import-error", 0, "",
                                     "ImportError: version `GLIBCXX_3.4.32' not found", {}}};
  probes.probes = {pair};
  const auto raised = probe_findings(probes, nullptr, k_roots);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].title, "`import torch; import tensorflow`: `import tensorflow` raised "
                             "ImportError: version `GLIBCXX_3.4.32' not found");
  EXPECT_EQ(raised[0].evidence, (std::vector<std::string>{"import torch: ok (2.15.0)",
                                                          "import tensorflow: import-error",
                                                          "probe: import-error in 2.2 s"}));
  EXPECT_EQ(found[3].severity, Severity::warning);
}

TEST(ProbeMismatch, ComparesImportTimeFilesWithinTheRestriction) {
  facts::LoaderFacts loader;
  loader.emulated = true;
  facts::LoadScenario s;
  s.order = {"torch"};
  const std::string site = k_roots[0];
  facts::MappedLibrary a;
  a.real_path = site + "/torch/lib/libtorch_cuda.so";
  facts::MappedLibrary lazy;
  lazy.real_path = site + "/nvidia/cudnn/lib/libcudnn_engines_precompiled.so.9";
  lazy.when = "first GPU use";
  facts::MappedLibrary libc;
  libc.real_path = "/usr/lib/x86_64-linux-gnu/libz.so.1";
  s.libraries = {a, lazy, libc};
  loader.scenarios = {s};
  facts::ProbeFacts probes;
  probes.done = true;
  facts::ProbeResult ok = probe({"torch"}, "ok");
  ok.mapped = {a.real_path, "/usr/lib/x86_64-linux-gnu/libc.so.6"};
  // TensorFlow-style: what listing the devices maps is the first GPU use, not compared.
  ok.mapped.push_back(lazy.real_path);
  ok.mapped_by_devices = {lazy.real_path};
  probes.probes = {ok};
  EXPECT_TRUE(probe_findings(probes, &loader, k_roots).empty());
  probes.probes[0].mapped.push_back("/usr/local/cuda-13.0/lib64/libnvrtc-builtins.so.13.0");
  probes.probes[0].mapped.erase(probes.probes[0].mapped.begin());
  const auto found = probe_findings(probes, &loader, k_roots);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, "PROBE-MISMATCH");
  EXPECT_EQ(found[0].severity, Severity::warning);  // nvrtc-builtins is a CUDA library
  EXPECT_EQ(found[0].title,
            "`import torch` mapped 1 file(s) not predicted and did not map 1 predicted file(s)");
  EXPECT_EQ(found[0].evidence,
            (std::vector<std::string>{
                "observed, not predicted: /usr/local/cuda-13.0/lib64/libnvrtc-builtins.so.13.0",
                "predicted, not observed: " + a.real_path}));
  // Only other files (an extension module): info.
  probes.probes[0].mapped = {a.real_path, site + "/numpy/random/_common.cpython-311-x86_64-linux-gnu.so"};
  const auto modules = probe_findings(probes, &loader, k_roots);
  ASSERT_EQ(modules.size(), 1u);
  EXPECT_EQ(modules[0].severity, Severity::info);
  // A probe that did not finish is not compared.
  probes.probes[0].status = "crash";
  const auto crashed = probe_findings(probes, &loader, k_roots);
  ASSERT_EQ(crashed.size(), 1u);
  EXPECT_EQ(crashed[0].id, "PROBE-CRASH");
}

}  // namespace
}  // namespace mlstack::rules
