// SPDX-License-Identifier: MIT
// The one test that talks to the machine's real NVML (ctest label `gpu`). It skips where no
// driver answers: no libnvidia-ml.so.1, or an NVML whose init fails (a driver-less image, the
// toolkit's stub).
#include "mlstack/gpu/real_nvml.hpp"

#include "mlstack/gpu/gather.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

namespace mlstack::gpu {
namespace {

TEST(RealNvmlSmoke, ReadsTheMachinesGpus) {
  const RealNvml nvml(k_default_nvml_library);
  if (const auto error = nvml.load_error()) {
    GTEST_SKIP() << "no NVML here: " << *error;
  }
  const NvmlStatus init = nvml.init();
  if (init != NvmlStatus::success) {
    GTEST_SKIP() << "NVML at " << nvml.library_path()
                 << " does not initialize: " << nvml.error_string(init);
  }
  nvml.shutdown();
  const io::RealFileSystem fs;
  const facts::GpuFacts f = gather_gpu_facts(&nvml, fs, GpuOptions{});
  EXPECT_EQ(f.source, "nvml");
  EXPECT_TRUE(f.driver_present);
  EXPECT_TRUE(f.problems.empty()) << f.problems.front();
  EXPECT_FALSE(f.driver_version.empty());
  EXPECT_FALSE(f.cuda_driver_api_version.empty());
  EXPECT_EQ(f.devices.size(), f.total_device_count);
  for (const facts::GpuDevice& d : f.devices) {
    SCOPED_TRACE(d.index);
    EXPECT_FALSE(d.name.empty());
    EXPECT_TRUE(d.uuid.starts_with("GPU-")) << d.uuid;
    EXPECT_GT(d.memory_total_mib, 0U);
    EXPECT_FALSE(d.compute_capability.empty());
    if (d.mig != "enabled") {
      EXPECT_TRUE(d.mig_devices.empty());
    }
    // On a MIG machine: what docs/gpu.md lists as unverified without one.
    for (const facts::MigDevice& m : d.mig_devices) {
      SCOPED_TRACE(m.index);
      std::cout << "GPU " << d.index << " MIG device " << m.index << ": " << m.uuid << " `"
                << m.name << "` GI " << m.gpu_instance_id << " CI " << m.compute_instance_id << " "
                << m.memory_total_mib << " MiB\n";
      EXPECT_TRUE(m.uuid.starts_with("MIG-")) << m.uuid;
      EXPECT_GT(m.memory_total_mib, 0U);
      EXPECT_LT(m.memory_total_mib, d.memory_total_mib);
    }
  }
  // On a live driver the kernel module answers too, and agrees.
  if (!f.kernel_module_version.empty()) {
    EXPECT_EQ(f.kernel_module_version, f.driver_version);
  }
}

TEST(RealNvmlSmoke, RefusesTheToolkitStub) {
  for (const char* stub : {"/usr/local/cuda/lib64/stubs/libnvidia-ml.so",
                           "/usr/local/cuda/targets/x86_64-linux/lib/stubs/libnvidia-ml.so"}) {
    if (!std::filesystem::exists(stub)) {
      continue;
    }
    const RealNvml nvml(stub);
    ASSERT_TRUE(nvml.load_error()) << stub;
    EXPECT_EQ(nvml.init(), NvmlStatus::library_not_found);
    return;
  }
  GTEST_SKIP() << "the CUDA toolkit's NVML stub is not installed here";
}

}  // namespace
}  // namespace mlstack::gpu
