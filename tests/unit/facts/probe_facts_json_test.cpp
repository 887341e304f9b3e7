// SPDX-License-Identifier: MIT
#include "mlstack/facts/probe_facts_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mlstack::facts {
namespace {

TEST(ProbeFactsJson, WritesSchemaKeysInOrder) {
  ProbeFacts f;
  f.done = true;
  f.python = "/venv/bin/python";
  f.timeout_s = 10;
  f.jobs = 2;
  f.environment = {"XLA_PYTHON_CLIENT_PREALLOCATE=false"};
  f.wall_s = 1.23456;
  f.cpu_s = 2.5;
  ProbeResult r;
  r.order = {"torch", "jax"};
  r.status = "crash";
  r.exit_code = 139;
  r.signal = 11;
  r.signal_name = "SIGSEGV";
  r.wall_s = 0.5;
  r.versions = {{"torch", "2.15.0"}};
  r.devices = {{"torch", {}}};
  r.backends = {{"jax", {"cpu"}}};
  ProbeImport torch;
  torch.framework = "torch";
  torch.status = "ok";
  torch.import_s = 0.25;
  torch.version = "2.15.0";
  torch.mapped_new = {"/t/libtorch.so"};
  ProbeImport jax;
  jax.framework = "jax";
  jax.status = "crash";
  r.imports = {torch, jax};
  r.baseline = {"/usr/bin/python3.11"};
  r.mapped = {"/t/libtorch.so", "/usr/bin/python3.11"};
  r.stderr_tail = "Fatal Python error: Segmentation fault";
  r.notes = {"jax: devices not listed"};
  f.probes.push_back(r);
  EXPECT_EQ(
      probes_to_json(f).dump(),
      R"({"python":"/venv/bin/python","timeout_s":10.0,"jobs":2,"gpu":false,)"
      R"("environment":["XLA_PYTHON_CLIENT_PREALLOCATE=false"],"wall_s":1.235,"cpu_s":2.5,)"
      R"("results":[{"order":["torch","jax"],"status":"crash","exit_code":139,)"
      R"("signal":"SIGSEGV","signal_number":11,"wall_s":0.5,"cpu_s":0.0,)"
      R"("versions":{"torch":"2.15.0"},"devices":{"torch":[]},"backends":{"jax":["cpu"]},)"
      R"("imports":[{"framework":"torch","status":"ok","import_s":0.25,"version":"2.15.0",)"
      R"("error":null,"mapped_new":["/t/libtorch.so"]},{"framework":"jax","status":"crash",)"
      R"("import_s":0.0,"version":null,"error":null,"mapped_new":[]}],)"
      R"("baseline":["/usr/bin/python3.11"],"mapped":["/t/libtorch.so","/usr/bin/python3.11"],)"
      R"("mapped_by_devices":[],"error":null,)"
      R"("stderr_tail":"Fatal Python error: Segmentation fault","output_truncated":false,)"
      R"("notes":["jax: devices not listed"]}]})");
}

TEST(ProbeFactsJson, WritesNullsForWhatIsUnknown) {
  ProbeFacts f;
  ProbeResult r;
  r.order = {"cupy"};
  r.status = "not-run";
  r.error = "cannot run `/x/python`: no such file or directory";
  f.probes.push_back(r);
  const nlohmann::ordered_json j = probes_to_json(f);
  EXPECT_TRUE(j["python"].is_null());
  EXPECT_TRUE(j["results"][0]["signal"].is_null());
  EXPECT_TRUE(j["results"][0]["signal_number"].is_null());
  EXPECT_TRUE(j["results"][0]["stderr_tail"].is_null());
  EXPECT_EQ(j["results"][0]["devices"], nlohmann::ordered_json::object());
  EXPECT_EQ(j["results"][0]["error"], r.error);
}

}  // namespace
}  // namespace mlstack::facts
