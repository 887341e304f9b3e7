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
      ]
    }
  ],
  "problems": []
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
            R"("kernel_module_version":null,"nvml_version":null,"devices":[],"problems":[]})");
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

  // MIG UUIDs are not mapped to instances yet: devices stay, CUDA ordinals unknown.
  GpuOptions options;
  options.cuda_visible_devices = "MIG-8a1b2c3d-0000-0000-0000-000000000000";
  f = m.gather(options);
  EXPECT_TRUE(f.cuda_visible_devices_set);
  ASSERT_EQ(f.devices.size(), 2U);
  EXPECT_EQ(f.devices[0].cuda_ordinal, -1);
  EXPECT_EQ(f.devices[1].cuda_ordinal, -1);
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
  ASSERT_EQ(f.problems.size(), 1U);
  EXPECT_EQ(f.problems[0],
            "`CUDA_VISIBLE_DEVICES=1` numbers GPUs in CUDA's FASTEST_FIRST order, which can "
            "differ from the PCI bus order used here on a machine with different GPU models; "
            "hint: set `CUDA_DEVICE_ORDER=PCI_BUS_ID`");

  options.cuda_device_order = "PCI_BUS_ID";
  f = m.gather(options);
  EXPECT_TRUE(f.problems.empty());
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
