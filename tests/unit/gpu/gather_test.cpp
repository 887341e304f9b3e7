// SPDX-License-Identifier: MIT
// gather_gpu_facts over the fake libnvidia-ml.so.1 (tests/fake_nvml) and the fixtures in
// tests/data/nvml/*.json, each one machine: what NVML answers and what /proc and /sys hold.
#include "mlstack/gpu/gather.hpp"

#include "mlstack/facts/gpu_facts_json.hpp"
#include "mlstack/gpu/real_nvml.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>

#ifndef MLSTACK_FAKE_NVML_LIBRARY
#error "tests/fake_nvml must be built with the gpu tests"
#endif

namespace mlstack::gpu {
namespace {

using nlohmann::json;

/// Files by path; every other call answers "not found".
class MapFileSystem final : public io::FileSystem {
 public:
  std::map<std::string, std::string> files;
  std::map<std::string, io::IoStatus> failures;

  [[nodiscard]] io::IoStatus list_dir(const std::string& /*path*/, io::Follow /*follow*/,
                                      std::vector<io::DirEntry>& /*out*/) const override {
    return io::IoStatus::from_errno(ENOENT);
  }
  [[nodiscard]] io::IoStatus read_file(const std::string& path, std::size_t /*max_bytes*/,
                                       std::string& out) const override {
    if (auto f = failures.find(path); f != failures.end()) {
      return f->second;
    }
    const auto it = files.find(path);
    if (it == files.end()) {
      return io::IoStatus::from_errno(ENOENT);
    }
    out = it->second;
    return {};
  }
  [[nodiscard]] io::IoStatus stat(const std::string& /*path*/, io::Follow /*follow*/,
                                  io::FileStat& /*out*/) const override {
    return io::IoStatus::from_errno(ENOENT);
  }
  [[nodiscard]] io::IoStatus realpath(const std::string& /*path*/,
                                      std::string& /*out*/) const override {
    return io::IoStatus::from_errno(ENOENT);
  }
};

std::string fixture_path(std::string_view name) {
  return std::string(MLSTACK_TEST_DATA_DIR) + "/nvml/" + std::string(name) + ".json";
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

/// One fixture, ready to gather: the fake's JSON (possibly edited), the files, the library.
struct Machine {
  json doc;
  MapFileSystem fs;
  std::string library;
  std::filesystem::path json_path;

  explicit Machine(std::string_view name) : doc(read_json(fixture_path(name))) {
    json_path = fixture_path(name);
    const json files = doc.value("files", json::object());
    for (const auto& [path, content] : files.items()) {
      fs.files[path] = content.get<std::string>();
    }
    const auto kind = doc.value("library", std::string("fake"));
    if (kind == "absent") {
      library = std::string(MLSTACK_TEST_DATA_DIR) + "/nvml/absent/libnvidia-ml.so.1";
    } else if (kind == "legacy") {
      library = MLSTACK_LEGACY_NVML_LIBRARY;
    } else {
      library = MLSTACK_FAKE_NVML_LIBRARY;
    }
  }

  /// Writes the (edited) JSON next to the build's temp files and points the fake at it.
  void use_edited_json() {
    json_path = std::filesystem::temp_directory_path() /
                ("mlstack-gpu-test-" + std::to_string(::getpid()) + ".json");
    std::ofstream(json_path) << doc.dump();
  }

  facts::GpuFacts gather(GpuOptions options = {}) {
    ::setenv("MLSTACK_FAKE_NVML_JSON", json_path.c_str(), 1);
    options.nvml_library = library;
    return gather_gpu_facts(fs, options);
  }
};

TEST(GatherFake, H200Driver580) {
  Machine m("h200-580");
  const facts::GpuFacts f = m.gather();
  EXPECT_TRUE(f.problems.empty()) << f.problems.front();
  EXPECT_TRUE(f.driver_present);
  EXPECT_EQ(f.source, "nvml");
  EXPECT_EQ(f.nvml_status, "ok");
  EXPECT_EQ(f.nvml_library, MLSTACK_FAKE_NVML_LIBRARY);
  EXPECT_EQ(f.driver_version, "580.159.04");
  EXPECT_EQ(f.kernel_module_version, "580.159.04");
  EXPECT_EQ(f.kernel_module_flavor, "proprietary");
  EXPECT_EQ(f.cuda_driver_api_version, "13.0");
  EXPECT_EQ(f.nvml_version, "13.580.159.04");
  EXPECT_FALSE(f.cuda_visible_devices_set);
  EXPECT_EQ(f.total_device_count, 1U);
  ASSERT_EQ(f.devices.size(), 1U);
  const facts::GpuDevice& d = f.devices[0];
  EXPECT_EQ(d.index, 0);
  EXPECT_EQ(d.cuda_ordinal, 0);
  EXPECT_EQ(d.name, "NVIDIA H200");
  EXPECT_EQ(d.uuid, "GPU-5f1d2c3b-8a4e-4b7a-9c6d-0e1f2a3b4c5d");
  EXPECT_EQ(d.pci_bus_id, "00000000:18:00.0");
  EXPECT_EQ(d.memory_total_mib, 143771U);
  EXPECT_EQ(d.memory_used_mib, 107927U);
  EXPECT_EQ(d.compute_capability, "9.0");
  EXPECT_EQ(d.mig, "disabled");
  ASSERT_EQ(d.compute_processes.size(), 1U);
  EXPECT_EQ(d.compute_processes[0].pid, 4242U);
  EXPECT_EQ(d.compute_processes[0].used_memory_mib, 107927U);
  EXPECT_TRUE(d.compute_processes[0].used_memory_known);

  EXPECT_EQ(facts::gpu_facts_to_json(f).dump(2), R"({
  "driver_version": "580.159.04",
  "cuda_driver_version": "13.0",
  "source": "nvml",
  "kernel_module_version": "580.159.04",
  "nvml_version": "13.580.159.04",
  "devices": [
    {
      "index": 0,
      "name": "NVIDIA H200",
      "uuid": "GPU-5f1d2c3b-8a4e-4b7a-9c6d-0e1f2a3b4c5d",
      "memory_total_mib": 143771,
      "compute_capability": "9.0",
      "mig": "disabled",
      "processes": [
        {
          "pid": 4242,
          "used_memory_mib": 107927
        }
      ],
      "mig_devices": []
    }
  ],
  "problems": [],
  "visibility_problems": []
})");
}

TEST(GatherFake, NoDriver) {
  Machine m("no-driver");
  const facts::GpuFacts f = m.gather();
  EXPECT_FALSE(f.driver_present);
  EXPECT_EQ(f.source, "none");
  EXPECT_TRUE(f.problems.empty());  // a fact, not an error
  EXPECT_TRUE(f.devices.empty());
  EXPECT_TRUE(f.nvml_status.starts_with("not loaded: cannot load `" + m.library + "`: "))
      << f.nvml_status;
  EXPECT_EQ(facts::gpu_facts_to_json(f).dump(),
            R"({"driver_version":null,"cuda_driver_version":null,"source":"none",)"
            R"("kernel_module_version":null,"nvml_version":null,"devices":[],"problems":[],"visibility_problems":[]})");
}

TEST(GatherFake, KernelModuleWithoutNvmlIsAProblem) {
  // A container started without the NVIDIA runtime sees the host's /proc but no library.
  Machine m("h200-580");
  m.library = Machine("no-driver").library;
  const facts::GpuFacts f = m.gather();
  EXPECT_TRUE(f.driver_present);
  EXPECT_EQ(f.source, "proc");
  EXPECT_EQ(f.driver_version, "580.159.04");
  EXPECT_TRUE(f.devices.empty());
  ASSERT_EQ(f.problems.size(), 1U);
  EXPECT_TRUE(f.problems[0].starts_with(
      "the NVIDIA kernel module 580.159.04 is loaded (/proc/driver/nvidia/version) but NVML is "
      "not usable: cannot load `"))
      << f.problems[0];
  EXPECT_NE(f.problems[0].find("hint: in a container"), std::string::npos);
}

TEST(GatherFake, ProbeOrderFallsBackToSysfs) {
  Machine m("h200-580");
  m.library = Machine("no-driver").library;
  m.fs.files.erase("/proc/driver/nvidia/version");
  facts::GpuFacts f = m.gather();
  EXPECT_EQ(f.source, "sysfs");
  EXPECT_EQ(f.driver_version, "580.159.04");
  EXPECT_EQ(f.kernel_module_flavor, "");

  // An unreadable /proc file is a problem; sysfs still answers.
  m.fs.failures["/proc/driver/nvidia/version"] = io::IoStatus::from_errno(EACCES);
  f = m.gather();
  EXPECT_EQ(f.source, "sysfs");
  ASSERT_GE(f.problems.size(), 1U);
  EXPECT_EQ(f.problems[0], "cannot read `/proc/driver/nvidia/version`: permission denied");

  // An unparsable one too.
  m.fs.failures.clear();
  m.fs.files["/proc/driver/nvidia/version"] = "NVRM version: garbage\n";
  f = m.gather();
  EXPECT_EQ(f.source, "sysfs");
  ASSERT_GE(f.problems.size(), 1U);
  EXPECT_EQ(f.problems[0],
            "`/proc/driver/nvidia/version`: expected `NVIDIA UNIX`, found `garbage`");
}

TEST(GatherFake, OldDriver470) {
  Machine m("old-driver-470");
  const facts::GpuFacts f = m.gather();
  EXPECT_TRUE(f.problems.empty()) << f.problems.front();
  EXPECT_EQ(f.source, "nvml");
  EXPECT_EQ(f.driver_version, "470.82.01");
  EXPECT_EQ(f.cuda_driver_api_version, "11.4");
  ASSERT_EQ(f.devices.size(), 1U);
  EXPECT_EQ(f.devices[0].name, "Tesla T4");
  EXPECT_EQ(f.devices[0].compute_capability, "7.5");
  EXPECT_EQ(f.devices[0].memory_total_mib, 15109U);
  EXPECT_EQ(f.devices[0].mig, "unsupported");
}

TEST(GatherFake, LegacyEntryPointsGiveTheSameFacts) {
  // The legacy fake exports no _v2/_v3 calls and no MIG: the loader falls back to the
  // unsuffixed calls and reads processes with the 16-byte v1 layout.
  for (const char* name : {"h200-580", "old-driver-470"}) {
    SCOPED_TRACE(name);
    Machine modern(name);
    Machine legacy(name);
    legacy.library = MLSTACK_LEGACY_NVML_LIBRARY;
    facts::GpuFacts a = modern.gather();
    const facts::GpuFacts b = legacy.gather();
    EXPECT_TRUE(b.problems.empty()) << b.problems.front();
    for (facts::GpuDevice& d : a.devices) {
      d.mig = "unsupported";  // the legacy library has no nvmlDeviceGetMigMode
    }
    EXPECT_EQ(facts::gpu_facts_to_json(a), facts::gpu_facts_to_json(b));
  }
}

TEST(GatherFake, RmVersionMismatch) {
  Machine m("rm-mismatch");
  const facts::GpuFacts f = m.gather();
  EXPECT_TRUE(f.driver_present);
  EXPECT_EQ(f.source, "proc");
  EXPECT_EQ(f.driver_version, "580.126.09");
  EXPECT_EQ(f.kernel_module_version, "580.126.09");
  EXPECT_EQ(f.kernel_module_flavor, "open");
  EXPECT_EQ(f.nvml_version, "580.159");
  EXPECT_EQ(f.nvml_status,
            "init failed: Driver/library version mismatch (NVML_ERROR_LIB_RM_VERSION_MISMATCH)");
  EXPECT_TRUE(f.devices.empty());
  ASSERT_EQ(f.problems.size(), 1U);
  EXPECT_EQ(f.problems[0],
            "driver/library version mismatch: the user-space driver (NVML 580.159) does not match "
            "the loaded kernel module 580.126.09 (/proc/driver/nvidia/version) (`nvmlInit_v2`: "
            "Driver/library version mismatch (NVML_ERROR_LIB_RM_VERSION_MISMATCH)); hint: reboot, "
            "or reload the `nvidia` kernel modules, after a driver upgrade");
}

TEST(GatherFake, KernelModuleDiffersFromNvmlDriver) {
  Machine m("h200-580");
  m.fs.files["/proc/driver/nvidia/version"] =
      "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.126.09  Release Build\n";
  const facts::GpuFacts f = m.gather();
  EXPECT_EQ(f.source, "nvml");
  EXPECT_EQ(f.driver_version, "580.159.04");
  EXPECT_EQ(f.kernel_module_version, "580.126.09");
  ASSERT_EQ(f.problems.size(), 1U);
  EXPECT_EQ(f.problems[0],
            "the kernel module is 580.126.09 (/proc/driver/nvidia/version) but NVML reports "
            "driver 580.159.04; hint: reboot, or reload the `nvidia` kernel modules, after a "
            "driver upgrade");
}

TEST(GatherFake, Mig) {
  Machine m("mig");
  facts::GpuFacts f = m.gather();
  EXPECT_TRUE(f.problems.empty()) << f.problems.front();
  ASSERT_EQ(f.devices.size(), 2U);
  EXPECT_EQ(f.devices[0].name, "NVIDIA A100-SXM4-80GB");
  EXPECT_EQ(f.devices[0].mig, "enabled");
  EXPECT_EQ(f.devices[0].memory_total_mib, 81920U);
  EXPECT_EQ(f.devices[0].compute_capability, "8.0");
  EXPECT_TRUE(f.devices[0].compute_processes.empty());  // NO_PERMISSION: not a problem
  EXPECT_EQ(f.devices[1].mig, "disabled");              // enable pending until reset
  ASSERT_EQ(f.devices[1].compute_processes.size(), 1U);
  EXPECT_FALSE(f.devices[1].compute_processes[0].used_memory_known);
  EXPECT_EQ(facts::gpu_facts_to_json(f)["devices"][1]["processes"].dump(),
            R"([{"pid":777,"used_memory_mib":null}])");

  // A MIG list that names no MIG device: CUDA sees nothing.
  GpuOptions options;
  options.cuda_visible_devices = "MIG-8a1b2c3d-0000-0000-0000-000000000000";
  f = m.gather(options);
  EXPECT_TRUE(f.problems.empty()) << f.problems.front();
  EXPECT_TRUE(f.cuda_visible_devices_set);
  EXPECT_TRUE(f.devices.empty());
  EXPECT_EQ(f.total_device_count, 2U);
}

TEST(GatherFake, MigDevices) {
  Machine m("mig");
  const facts::GpuFacts f = m.gather();
  EXPECT_TRUE(f.problems.empty()) << f.problems.front();
  ASSERT_EQ(f.devices.size(), 2U);
  EXPECT_TRUE(f.devices[1].mig_devices.empty());  // MIG pending, not enabled
  const std::vector<facts::MigDevice>& migs = f.devices[0].mig_devices;
  ASSERT_EQ(migs.size(), 3U);
  EXPECT_EQ(migs[0].index, 0);
  EXPECT_EQ(migs[0].uuid, "MIG-3a0c2f6e-5b1d-5e7a-9c44-0d1e2f3a4b5c");
  EXPECT_EQ(migs[0].name, "NVIDIA A100-SXM4-80GB MIG 3g.40gb");
  EXPECT_EQ(migs[0].gpu_instance_id, 2U);
  EXPECT_EQ(migs[0].compute_instance_id, 0U);
  EXPECT_EQ(migs[0].memory_total_mib, 40192U);
  EXPECT_EQ(migs[1].memory_total_mib, 19968U);
  EXPECT_EQ(migs[2].index, 2);
  EXPECT_EQ(migs[2].gpu_instance_id, 9U);
  EXPECT_EQ(migs[2].memory_total_mib, 9728U);
  for (const facts::MigDevice& mig : migs) {
    EXPECT_EQ(mig.cuda_ordinal, -1);  // not known without a MIG list
  }
  EXPECT_EQ(facts::gpu_facts_to_json(f)["devices"][0]["mig_devices"][1].dump(),
            R"({"index":1,"uuid":"MIG-7b2e4d6f-8a9c-5b0d-a1e2-3f4a5b6c7d8e",)"
            R"("name":"NVIDIA A100-SXM4-80GB MIG 2g.20gb","gpu_instance_id":3,)"
            R"("compute_instance_id":0,"memory_total_mib":19968,"cuda_ordinal":null})");
  EXPECT_EQ(facts::gpu_facts_to_json(f)["devices"][1]["mig_devices"].dump(), "[]");

  // Empty slots (NVML_ERROR_NOT_FOUND) are skipped: the indices stay NVML's.
  m.doc["devices"][0]["mig_devices"].erase(1);
  m.use_edited_json();
  const facts::GpuFacts gap = m.gather();
  EXPECT_TRUE(gap.problems.empty()) << gap.problems.front();
  ASSERT_EQ(gap.devices[0].mig_devices.size(), 2U);
  EXPECT_EQ(gap.devices[0].mig_devices[1].index, 2);
  std::filesystem::remove(m.json_path);
}

TEST(GatherFake, CudaVisibleDevicesSelectsMigDevices) {
  Machine m("mig");  // driver 550: one MIG device per CUDA process
  GpuOptions options;
  options.cuda_visible_devices = "MIG-7b2e";
  facts::GpuFacts f = m.gather(options);
  EXPECT_TRUE(f.problems.empty()) << f.problems.front();
  ASSERT_EQ(f.devices.size(), 1U);  // the GPU that holds it
  EXPECT_EQ(f.devices[0].index, 0);
  EXPECT_EQ(f.devices[0].cuda_ordinal, -1);  // the GPU itself is no CUDA device
  ASSERT_EQ(f.devices[0].mig_devices.size(), 3U);
  EXPECT_EQ(f.devices[0].mig_devices[0].cuda_ordinal, -1);
  EXPECT_EQ(f.devices[0].mig_devices[1].cuda_ordinal, 0);
  EXPECT_EQ(f.devices[0].mig_devices[2].cuda_ordinal, -1);

  // Before R570 the second entry is not used, and doctor says so.
  options.cuda_visible_devices = "MIG-7b2e,MIG-3a0c";
  f = m.gather(options);
  ASSERT_EQ(f.devices.size(), 1U);
  EXPECT_EQ(f.devices[0].mig_devices[1].cuda_ordinal, 0);
  EXPECT_EQ(f.devices[0].mig_devices[0].cuda_ordinal, -1);
  ASSERT_EQ(f.visibility_problems.size(), 1U);
  EXPECT_EQ(f.visibility_problems[0],
            "`CUDA_VISIBLE_DEVICES=MIG-7b2e,MIG-3a0c` lists MIG devices that CUDA will not use: "
            "MIG-3a0c2f6e-5b1d-5e7a-9c44-0d1e2f3a4b5c (GPU 0 MIG device 0); a CUDA process "
            "enumerates a single MIG device with driver 550.54.15 (before R570); hint: run one "
            "process per MIG device");

  // From R570 on, one compute instance per GPU instance: both are used, in list order.
  m.doc["driver_version"] = "570.124.06";
  m.fs.files["/proc/driver/nvidia/version"] =
      "NVRM version: NVIDIA UNIX x86_64 Kernel Module  570.124.06  Release Build\n";
  m.use_edited_json();
  f = m.gather(options);
  EXPECT_TRUE(f.problems.empty()) << f.problems.front();
  EXPECT_TRUE(f.visibility_problems.empty()) << f.visibility_problems.front();
  ASSERT_EQ(f.devices.size(), 1U);
  EXPECT_EQ(f.devices[0].mig_devices[1].cuda_ordinal, 0);
  EXPECT_EQ(f.devices[0].mig_devices[0].cuda_ordinal, 1);

  // Two compute instances of one GPU instance: CUDA keeps one of them.
  m.doc["devices"][0]["mig_devices"][2]["gpu_instance_id"] = 3;
  m.doc["devices"][0]["mig_devices"][2]["compute_instance_id"] = 1;
  m.use_edited_json();
  options.cuda_visible_devices = "MIG-7b9f,MIG-7b2e,MIG-3a0c";
  f = m.gather(options);
  EXPECT_EQ(f.devices[0].mig_devices[2].cuda_ordinal, 0);
  EXPECT_EQ(f.devices[0].mig_devices[1].cuda_ordinal, -1);
  EXPECT_EQ(f.devices[0].mig_devices[0].cuda_ordinal, 1);
  ASSERT_EQ(f.visibility_problems.size(), 1U);
  EXPECT_EQ(f.visibility_problems[0],
            "`CUDA_VISIBLE_DEVICES=MIG-7b9f,MIG-7b2e,MIG-3a0c` lists MIG devices that CUDA will "
            "not use: MIG-7b2e4d6f-8a9c-5b0d-a1e2-3f4a5b6c7d8e (GPU 0 MIG device 1); a CUDA "
            "process enumerates one compute instance per GPU instance, 64 at most, with driver "
            "570.124.06 (which compute instance of a GPU instance it keeps is not documented; the "
            "first listed is assumed); hint: run one process per MIG device");

  // Ambiguous (`MIG-7b` names two) ends the list, as for GPU UUIDs.
  options.cuda_visible_devices = "MIG-7b,MIG-3a0c";
  f = m.gather(options);
  EXPECT_TRUE(f.devices.empty());
  std::filesystem::remove(m.json_path);
}

TEST(GatherFake, MigErrorsBecomeProblems) {
  Machine m("mig");
  json& migs = m.doc["devices"][0]["mig_devices"];
  migs[0]["errors"] = {{"nvmlDeviceGetName", "NVML_ERROR_NOT_SUPPORTED"}};  // silent
  migs[2]["errors"] = {{"nvmlDeviceGetMemoryInfo", "NVML_ERROR_UNKNOWN"}};
  m.use_edited_json();
  facts::GpuFacts f = m.gather();
  ASSERT_EQ(f.devices[0].mig_devices.size(), 3U);
  EXPECT_EQ(f.devices[0].mig_devices[0].name, "");
  EXPECT_EQ(f.devices[0].mig_devices[2].memory_total_mib, 0U);
  EXPECT_EQ(f.problems, std::vector<std::string>{
                            "nvml: `nvmlDeviceGetMemoryInfo` failed for GPU 0 MIG device 2: "
                            "Unknown Error (NVML_ERROR_UNKNOWN)"});

  // A handle that cannot be had stops that GPU's enumeration with one problem.
  m.doc["devices"][0]["errors"]["nvmlDeviceGetMigDeviceHandleByIndex"] = "NVML_ERROR_NO_PERMISSION";
  m.use_edited_json();
  f = m.gather();
  EXPECT_TRUE(f.devices[0].mig_devices.empty());
  EXPECT_EQ(f.problems, std::vector<std::string>{
                            "nvml: `nvmlDeviceGetMigDeviceHandleByIndex` failed for GPU 0 MIG "
                            "device 0: Insufficient Permissions (NVML_ERROR_NO_PERMISSION)"});

  // NOT_SUPPORTED from the count: no MIG devices, no problem.
  m.doc["devices"][0]["errors"] = {
      {"nvmlDeviceGetComputeRunningProcesses_v3", "NVML_ERROR_NO_PERMISSION"},
      {"nvmlDeviceGetMaxMigDeviceCount", "NVML_ERROR_NOT_SUPPORTED"}};
  m.use_edited_json();
  f = m.gather();
  EXPECT_TRUE(f.problems.empty()) << f.problems.front();
  EXPECT_EQ(f.devices[0].mig, "enabled");
  EXPECT_TRUE(f.devices[0].mig_devices.empty());
  std::filesystem::remove(m.json_path);
}

TEST(GatherFake, MigEntryPointsThroughRealNvml) {
  Machine m("mig");
  ::setenv("MLSTACK_FAKE_NVML_JSON", m.json_path.c_str(), 1);
  const RealNvml nvml(MLSTACK_FAKE_NVML_LIBRARY);
  ASSERT_EQ(nvml.init(), NvmlStatus::success);
  NvmlDevice gpu;
  ASSERT_EQ(nvml.device_handle_by_index(0, gpu), NvmlStatus::success);
  bool is_mig = true;
  EXPECT_EQ(nvml.device_is_mig_device_handle(gpu, is_mig), NvmlStatus::success);
  EXPECT_FALSE(is_mig);
  unsigned count = 0;
  EXPECT_EQ(nvml.device_max_mig_device_count(gpu, count), NvmlStatus::success);
  EXPECT_EQ(count, 7U);
  NvmlDevice mig;
  EXPECT_EQ(nvml.device_mig_device_handle_by_index(gpu, 6, mig), NvmlStatus::not_found);
  ASSERT_EQ(nvml.device_mig_device_handle_by_index(gpu, 2, mig), NvmlStatus::success);
  EXPECT_EQ(nvml.device_is_mig_device_handle(mig, is_mig), NvmlStatus::success);
  EXPECT_TRUE(is_mig);
  unsigned id = 0;
  EXPECT_EQ(nvml.device_gpu_instance_id(mig, id), NvmlStatus::success);
  EXPECT_EQ(id, 9U);
  EXPECT_EQ(nvml.device_compute_instance_id(mig, id), NvmlStatus::success);
  EXPECT_EQ(id, 0U);
  EXPECT_EQ(nvml.device_gpu_instance_id(gpu, id), NvmlStatus::not_supported);
  NvmlDevice other;  // GPU 1: MIG only pending
  ASSERT_EQ(nvml.device_handle_by_index(1, other), NvmlStatus::success);
  EXPECT_EQ(nvml.device_max_mig_device_count(other, count), NvmlStatus::success);
  EXPECT_EQ(count, 0U);
  EXPECT_EQ(nvml.device_mig_device_handle_by_index(other, 0, mig), NvmlStatus::not_supported);
  nvml.shutdown();

  // A library without the MIG entry points answers function_not_found, never crashes.
  const RealNvml legacy(MLSTACK_LEGACY_NVML_LIBRARY);
  ASSERT_EQ(legacy.init(), NvmlStatus::success);
  ASSERT_EQ(legacy.device_handle_by_index(0, gpu), NvmlStatus::success);
  EXPECT_EQ(legacy.device_max_mig_device_count(gpu, count), NvmlStatus::function_not_found);
  EXPECT_EQ(legacy.device_mig_device_handle_by_index(gpu, 0, mig), NvmlStatus::function_not_found);
  EXPECT_EQ(legacy.device_is_mig_device_handle(gpu, is_mig), NvmlStatus::function_not_found);
  EXPECT_EQ(legacy.device_gpu_instance_id(gpu, id), NvmlStatus::function_not_found);
  EXPECT_EQ(legacy.device_compute_instance_id(gpu, id), NvmlStatus::function_not_found);
  legacy.shutdown();
}

TEST(GatherFake, TooNewGpu) {
  Machine m("too-new-gpu");
  facts::GpuFacts f = m.gather();
  EXPECT_TRUE(f.problems.empty()) << f.problems.front();
  EXPECT_EQ(f.driver_version, "570.124.06");
  EXPECT_EQ(f.cuda_driver_api_version, "12.8");
  EXPECT_EQ(f.kernel_module_flavor, "open");
  ASSERT_EQ(f.devices.size(), 2U);
  EXPECT_EQ(f.devices[0].compute_capability, "8.6");
  EXPECT_EQ(f.devices[1].name, "NVIDIA RTX PRO 6000 Blackwell Workstation Edition");
  EXPECT_EQ(f.devices[1].compute_capability, "12.0");
  EXPECT_EQ(f.devices[1].mig, "unsupported");
}

TEST(GatherFake, CudaVisibleDevicesFiltersAndOrders) {
  Machine m("too-new-gpu");
  GpuOptions options;
  options.cuda_visible_devices = "1";
  facts::GpuFacts f = m.gather(options);
  EXPECT_EQ(f.total_device_count, 2U);
  ASSERT_EQ(f.devices.size(), 1U);
  EXPECT_EQ(f.devices[0].index, 1);  // NVML's index kept
  EXPECT_EQ(f.devices[0].cuda_ordinal, 0);
  EXPECT_EQ(f.devices[0].compute_capability, "12.0");
  // Mixed models + ordinals + default FASTEST_FIRST order: CUDA may number them differently.
  EXPECT_TRUE(f.problems.empty());
  ASSERT_EQ(f.visibility_problems.size(), 1U);
  EXPECT_EQ(f.visibility_problems[0],
            "`CUDA_VISIBLE_DEVICES=1` numbers GPUs in CUDA's FASTEST_FIRST order, which can "
            "differ from the PCI bus order used here on a machine with different GPU models; "
            "hint: set `CUDA_DEVICE_ORDER=PCI_BUS_ID`");

  options.cuda_device_order = "PCI_BUS_ID";
  f = m.gather(options);
  EXPECT_TRUE(f.problems.empty());
  EXPECT_TRUE(f.visibility_problems.empty());
  ASSERT_EQ(f.devices.size(), 1U);

  options = {};
  options.cuda_visible_devices = "GPU-b6000000,GPU-a4000000";
  f = m.gather(options);
  EXPECT_TRUE(f.problems.empty());  // UUIDs do not depend on the order
  ASSERT_EQ(f.devices.size(), 2U);
  EXPECT_EQ(f.devices[0].index, 1);
  EXPECT_EQ(f.devices[0].cuda_ordinal, 0);
  EXPECT_EQ(f.devices[1].index, 0);
  EXPECT_EQ(f.devices[1].cuda_ordinal, 1);

  options.cuda_visible_devices = "";
  f = m.gather(options);
  EXPECT_TRUE(f.cuda_visible_devices_set);
  EXPECT_TRUE(f.devices.empty());
  EXPECT_EQ(f.total_device_count, 2U);
}

TEST(GatherFake, NvmlErrorsBecomeProblems) {
  Machine m("h200-580");
  m.doc["devices"][0]["errors"] = {{"nvmlDeviceGetUUID", "NVML_ERROR_GPU_IS_LOST"},
                                   {"nvmlDeviceGetComputeRunningProcesses_v3", 999}};
  m.doc["errors"] = {{"nvmlSystemGetCudaDriverVersion_v2", "NVML_ERROR_FUNCTION_NOT_FOUND"}};
  m.use_edited_json();
  const facts::GpuFacts f = m.gather();
  EXPECT_EQ(f.source, "nvml");
  EXPECT_EQ(f.cuda_driver_api_version, "");
  ASSERT_EQ(f.devices.size(), 1U);
  EXPECT_EQ(f.devices[0].uuid, "");
  EXPECT_EQ(f.devices[0].name, "NVIDIA H200");
  const std::vector<std::string> expected = {
      "nvml: `nvmlSystemGetCudaDriverVersion_v2` failed: Function Not Found "
      "(NVML_ERROR_FUNCTION_NOT_FOUND)",
      "nvml: `nvmlDeviceGetUUID` failed for GPU 0: GPU is lost (NVML_ERROR_GPU_IS_LOST)",
      "nvml: `nvmlDeviceGetComputeRunningProcesses_v3` failed for GPU 0: Unknown Error "
      "(NVML_ERROR_UNKNOWN)",
  };
  EXPECT_EQ(f.problems, expected);
  std::filesystem::remove(m.json_path);
}

// NVML's answers are bounded: a device count of 0xFFFFFFFF reads 64 slots (the fake has one
// device, so 63 handles fail), a process count of 0xFFFFFFFF is not allocated, and a count
// written past the buffer keeps the buffer's entries.
TEST(GatherFake, HostileCountsAreBounded) {
  Machine m("h200-580");
  m.doc["device_count"] = 0xFFFFFFFFU;
  m.doc["devices"][0]["process_count"] = 0xFFFFFFFFU;
  m.use_edited_json();
  const facts::GpuFacts f = m.gather();
  EXPECT_EQ(f.total_device_count, 64U);
  ASSERT_EQ(f.devices.size(), 64U);
  EXPECT_EQ(f.devices[0].name, "NVIDIA H200");
  EXPECT_TRUE(f.devices[0].compute_processes.empty());
  ASSERT_GE(f.problems.size(), 2U);
  EXPECT_EQ(f.problems[0],
            "nvml: `nvmlDeviceGetCount_v2` answered 4294967295 devices, more than a driver can "
            "have; only the first 64 are read");
  EXPECT_EQ(f.problems[1], "nvml: GPU 0 lists more than 4096 compute processes; they are not read");

  Machine lying("h200-580");
  lying.doc["devices"][0]["process_count"] = 3U;
  lying.doc["devices"][0]["process_count_filled"] = 0xFFFFFFFFU;
  lying.use_edited_json();
  const facts::GpuFacts g = lying.gather();
  EXPECT_TRUE(g.problems.empty()) << g.problems.front();
  ASSERT_EQ(g.devices.size(), 1U);
  // Room for the 3 claimed plus 8: the 11 entries of the buffer, not 4 billion.
  EXPECT_EQ(g.devices[0].compute_processes.size(), 11U);
  EXPECT_EQ(g.devices[0].compute_processes[0].pid, 4242U);
  std::filesystem::remove(m.json_path);
  std::filesystem::remove(lying.json_path);
}

TEST(GatherFake, InitFailureWithoutKernelModuleIsNoDriver) {
  Machine m("h200-580");
  m.doc["init"] = "NVML_ERROR_DRIVER_NOT_LOADED";
  m.use_edited_json();
  m.fs.files.clear();
  facts::GpuFacts f = m.gather();
  EXPECT_FALSE(f.driver_present);
  EXPECT_EQ(f.source, "none");
  EXPECT_TRUE(f.problems.empty());
  EXPECT_EQ(f.nvml_status, "init failed: Driver Not Loaded (NVML_ERROR_DRIVER_NOT_LOADED)");

  // With a kernel module loaded, the same failure is a problem.
  m.fs.files["/sys/module/nvidia/version"] = "580.159.04\n";
  f = m.gather();
  EXPECT_EQ(f.source, "sysfs");
  ASSERT_EQ(f.problems.size(), 1U);
  EXPECT_EQ(f.problems[0],
            "nvml: `nvmlInit_v2` failed: Driver Not Loaded (NVML_ERROR_DRIVER_NOT_LOADED), "
            "although the kernel module 580.159.04 is loaded");
  std::filesystem::remove(m.json_path);
}

TEST(GatherFake, NeverUsesTheToolkitStub) {
  // The fake answers every call, so facts from NVML would prove the stub was used.
  const auto dir =
      std::filesystem::temp_directory_path() / ("mlstack-gpu-stub-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "stubs");
  std::filesystem::create_directories(dir / "lib");
  std::filesystem::copy_file(MLSTACK_FAKE_NVML_LIBRARY, dir / "stubs" / "libnvidia-ml.so",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(dir / "lib" / "libnvidia-ml.so.1");
  std::filesystem::create_symlink(dir / "stubs" / "libnvidia-ml.so",
                                  dir / "lib" / "libnvidia-ml.so.1");
  for (const auto& path : {dir / "stubs" / "libnvidia-ml.so", dir / "lib" / "libnvidia-ml.so.1"}) {
    SCOPED_TRACE(path.string());
    Machine m("no-driver");
    ::setenv("MLSTACK_FAKE_NVML_JSON", fixture_path("h200-580").c_str(), 1);
    const RealNvml nvml(path.string());
    ASSERT_TRUE(nvml.load_error());
    EXPECT_NE(nvml.load_error()->find("is the CUDA toolkit's link-time stub"), std::string::npos)
        << *nvml.load_error();
    EXPECT_EQ(nvml.init(), NvmlStatus::library_not_found);
    const facts::GpuFacts f = gather_gpu_facts(&nvml, m.fs, GpuOptions{});
    EXPECT_FALSE(f.driver_present);
    EXPECT_EQ(f.source, "none");
    EXPECT_TRUE(f.problems.empty());
  }
  std::filesystem::remove_all(dir);
}

TEST(GatherFake, NullNvmlReadsFilesOnly) {
  Machine m("h200-580");
  const facts::GpuFacts f = gather_gpu_facts(nullptr, m.fs, GpuOptions{});
  EXPECT_EQ(f.source, "proc");
  EXPECT_EQ(f.nvml_status, "not used");
  EXPECT_TRUE(f.problems.empty());
}

TEST(GpuOptionsEnvironment, ReadsVariables) {
  const std::map<std::string, std::string> env = {{"MLSTACK_NVML_LIBRARY", "/x/libnvidia-ml.so.1"},
                                                  {"CUDA_VISIBLE_DEVICES", ""}};
  const GpuOptions options =
      gpu_options_from_environment([&](const char* name) -> std::optional<std::string> {
        const auto it = env.find(name);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
      });
  EXPECT_EQ(options.nvml_library, "/x/libnvidia-ml.so.1");
  EXPECT_EQ(options.cuda_visible_devices, std::optional<std::string>(""));
  EXPECT_EQ(options.cuda_device_order, std::nullopt);
  EXPECT_EQ(nvml_library_to_load(options), "/x/libnvidia-ml.so.1");
  EXPECT_EQ(nvml_library_to_load(GpuOptions{}), "libnvidia-ml.so.1");
}

TEST(ToolkitStubPath, RecognizesStubsFolders) {
  EXPECT_TRUE(is_toolkit_stub_path("/usr/local/cuda/lib64/stubs/libnvidia-ml.so"));
  EXPECT_TRUE(
      is_toolkit_stub_path("/usr/local/cuda/targets/x86_64-linux/lib/stubs/libnvidia-ml.so"));
  EXPECT_TRUE(is_toolkit_stub_path("stubs/libnvidia-ml.so.1"));
  EXPECT_FALSE(is_toolkit_stub_path("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"));
  EXPECT_FALSE(is_toolkit_stub_path("libnvidia-ml.so.1"));
  EXPECT_FALSE(is_toolkit_stub_path("/opt/stubs"));
  EXPECT_FALSE(is_toolkit_stub_path("/opt/mystubs/libnvidia-ml.so.1"));
}

}  // namespace
}  // namespace mlstack::gpu
