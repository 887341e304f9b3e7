// SPDX-License-Identifier: MIT
#include "mlstack/facts/gpu_facts_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mlstack::facts {
namespace {

TEST(GpuFactsJson, WritesSchemaKeysInOrder) {
  GpuFacts f;
  f.driver_present = true;
  f.source = "proc";
  f.driver_version = "580.126.09";
  f.kernel_module_version = "580.126.09";
  f.problems = {"driver/library version mismatch: ..."};
  GpuDevice d;
  d.index = 1;
  d.name = "NVIDIA A100-SXM4-80GB";
  d.memory_total_mib = 81920;
  d.mig = "enabled";
  GpuProcess p;
  p.pid = 9;
  p.used_memory_mib = 10;
  d.compute_processes.push_back(p);
  p.pid = 10;
  p.used_memory_known = false;
  d.compute_processes.push_back(p);
  MigDevice mig;
  mig.index = 3;
  mig.uuid = "MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f";
  mig.gpu_instance_id = 9;
  mig.memory_total_mib = 9728;
  mig.cuda_ordinal = 0;
  d.mig_devices.push_back(mig);
  f.devices.push_back(d);
  EXPECT_EQ(gpu_facts_to_json(f).dump(),
            R"({"driver_version":"580.126.09","cuda_driver_version":null,"source":"proc",)"
            R"("kernel_module_version":"580.126.09","nvml_version":null,"devices":[{"index":1,)"
            R"("name":"NVIDIA A100-SXM4-80GB","uuid":null,"memory_total_mib":81920,)"
            R"("compute_capability":null,"mig":"enabled","processes":[{"pid":9,)"
            R"("used_memory_mib":10},{"pid":10,"used_memory_mib":null}],"mig_devices":[{)"
            R"("index":3,"uuid":"MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f","name":null,)"
            R"("gpu_instance_id":9,"compute_instance_id":0,"memory_total_mib":9728,)"
            R"("cuda_ordinal":0}]}],)"
            R"("problems":["driver/library version mismatch: ..."],"visibility_problems":[]})");
}

TEST(GpuFactsJson, DefaultIsNoDriver) {
  EXPECT_EQ(gpu_facts_to_json(GpuFacts{})["source"], "none");
}

}  // namespace
}  // namespace mlstack::facts
