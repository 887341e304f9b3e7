// SPDX-License-Identifier: MIT
#include "mlstack/gpu/gather.hpp"

#include "mlstack/gpu/detail/process_list.hpp"
#include "mlstack/gpu/driver_version.hpp"
#include "mlstack/gpu/real_nvml.hpp"
#include "mlstack/gpu/visible_devices.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace mlstack::gpu {
namespace {

constexpr std::size_t k_version_file_limit = 64 * 1024;
// The Linux driver handles at most 32 GPUs (NV_MAX_DEVICES in NVIDIA's open kernel modules);
// a larger count is a library answering nonsense (reading 4 billion handles would not end).
constexpr unsigned k_max_nvml_devices = 64;
constexpr std::uint64_t k_mib = 1024 * 1024;

// The kernel module as /proc or /sys tells it.
struct KernelModule {
  std::string version;
  std::string flavor;  // empty from sysfs
  std::string source;  // `proc` or `sysfs`
  std::string path;
};

// Reads one version file. nullopt when it is absent or unusable; an unusable file (anything
// but "not found") is also a problem.
template <class Parse>
std::optional<KernelModule> read_version_file(const io::FileSystem& fs, const std::string& path,
                                              std::string source, Parse parse,
                                              std::vector<std::string>& problems) {
  std::string content;
  const io::IoStatus status = fs.read_file(path, k_version_file_limit, content);
  if (status.kind == io::IoStatus::Kind::not_found ||
      status.kind == io::IoStatus::Kind::not_directory) {
    return std::nullopt;
  }
  if (!status.ok()) {
    problems.push_back(to_string(io::make_io_error(status, "read", path)));
    return std::nullopt;
  }
  auto module = parse(content);
  if (!module) {
    problems.push_back(fmt::format("`{}`: {}", path, module.error().message));
    return std::nullopt;
  }
  module->source = std::move(source);
  module->path = path;
  return std::move(module).value();
}

std::optional<KernelModule> read_kernel_module(const io::FileSystem& fs, const GpuOptions& options,
                                               std::vector<std::string>& problems) {
  auto from_proc = read_version_file(
      fs, options.proc_driver_version_path, "proc",
      [](std::string_view content) -> Result<KernelModule> {
        MLSTACK_TRY_ASSIGN(KernelModuleInfo info, parse_proc_driver_version(content));
        return KernelModule{info.version.text(), std::string(to_string(info.flavor)), {}, {}};
      },
      problems);
  if (from_proc) {
    return from_proc;
  }
  return read_version_file(
      fs, options.sys_module_version_path, "sysfs",
      [](std::string_view content) -> Result<KernelModule> {
        MLSTACK_TRY_ASSIGN(DriverVersion version, parse_sys_module_version(content));
        return KernelModule{version.text(), {}, {}, {}};
      },
      problems);
}

std::string describe(const Nvml& nvml, NvmlStatus status) {
  return fmt::format("{} ({})", nvml.error_string(status), nvml_status_name(status));
}

// Collects NVML call failures as problems, naming the call and the device.
class Reporter {
 public:
  Reporter(const Nvml& nvml, std::vector<std::string>& problems)
      : m_nvml(nvml), m_problems(problems) {}

  // True on success; otherwise records "`call` failed[ for GPU n]: ..." and returns false.
  bool check(NvmlStatus status, std::string_view call, std::optional<unsigned> gpu = {}) {
    return check_at(status, call, gpu ? fmt::format(" for GPU {}", *gpu) : std::string());
  }

  void problem(std::string message) { m_problems.push_back(std::move(message)); }

  // The same for MIG device `mig` of GPU `gpu`: "`call` failed for GPU n MIG device m: ...".
  bool check_mig(NvmlStatus status, std::string_view call, unsigned gpu, unsigned mig) {
    return check_at(status, call, fmt::format(" for GPU {} MIG device {}", gpu, mig));
  }

 private:
  bool check_at(NvmlStatus status, std::string_view call, const std::string& where) {
    if (status == NvmlStatus::success) {
      return true;
    }
    m_problems.push_back(
        fmt::format("nvml: `{}` failed{}: {}", call, where, describe(m_nvml, status)));
    return false;
  }

  const Nvml& m_nvml;
  std::vector<std::string>& m_problems;
};

// The MIG devices of a MIG-enabled GPU: every slot below nvmlDeviceGetMaxMigDeviceCount that
// holds one (NVML_ERROR_NOT_FOUND: an empty slot). NVML API reference, "Multi Instance GPU
// Management": nvmlDeviceGetMaxMigDeviceCount, nvmlDeviceGetMigDeviceHandleByIndex,
// nvmlDeviceGetGpuInstanceId, nvmlDeviceGetComputeInstanceId; nvmlDeviceGetUUID, _GetName and
// _GetMemoryInfo take the MIG device handle as they take a GPU's.
void read_mig_devices(const Nvml& nvml, NvmlDevice gpu, unsigned index, facts::GpuDevice& device,
                      Reporter& report) {
  unsigned slots = 0;
  const NvmlStatus counted = nvml.device_max_mig_device_count(gpu, slots);
  if (counted == NvmlStatus::not_supported ||
      !report.check(counted, "nvmlDeviceGetMaxMigDeviceCount", index)) {
    return;
  }
  // 7 on today's GPUs; the bound only guards against a library that answers nonsense.
  slots = std::min<unsigned>(slots, k_cuda_max_mig_devices);
  for (unsigned slot = 0; slot < slots; ++slot) {
    NvmlDevice handle;
    const NvmlStatus found = nvml.device_mig_device_handle_by_index(gpu, slot, handle);
    if (found == NvmlStatus::not_found) {
      continue;
    }
    if (!report.check_mig(found, "nvmlDeviceGetMigDeviceHandleByIndex", index, slot)) {
      return;  // one problem per GPU: what fails for one slot would most likely fail for all
    }
    facts::MigDevice mig;
    mig.index = static_cast<int>(slot);
    report.check_mig(nvml.device_uuid(handle, mig.uuid), "nvmlDeviceGetUUID", index, slot);
    unsigned id = 0;
    if (report.check_mig(nvml.device_gpu_instance_id(handle, id), "nvmlDeviceGetGpuInstanceId",
                         index, slot)) {
      mig.gpu_instance_id = id;
    }
    if (report.check_mig(nvml.device_compute_instance_id(handle, id),
                         "nvmlDeviceGetComputeInstanceId", index, slot)) {
      mig.compute_instance_id = id;
    }
    NvmlMemory memory;
    if (report.check_mig(nvml.device_memory(handle, memory), "nvmlDeviceGetMemoryInfo", index,
                         slot)) {
      mig.memory_total_mib = memory.total / k_mib;
    }
    // The name (`... MIG 3g.40gb`) is a nicety: a driver that does not name MIG devices is fine.
    const NvmlStatus named = nvml.device_name(handle, mig.name);
    if (named != NvmlStatus::not_supported) {
      report.check_mig(named, "nvmlDeviceGetName", index, slot);
    }
    device.mig_devices.push_back(std::move(mig));
  }
}

facts::GpuDevice read_device(const Nvml& nvml, NvmlDevice handle, unsigned index,
                             Reporter& report) {
  facts::GpuDevice device;
  device.index = static_cast<int>(index);
  report.check(nvml.device_name(handle, device.name), "nvmlDeviceGetName", index);
  report.check(nvml.device_uuid(handle, device.uuid), "nvmlDeviceGetUUID", index);
  report.check(nvml.device_pci_bus_id(handle, device.pci_bus_id), "nvmlDeviceGetPciInfo_v3", index);
  NvmlMemory memory;
  if (report.check(nvml.device_memory(handle, memory), "nvmlDeviceGetMemoryInfo", index)) {
    device.memory_total_mib = memory.total / k_mib;
    device.memory_used_mib = memory.used / k_mib;
  }
  int major = 0;
  int minor = 0;
  if (report.check(nvml.device_cuda_compute_capability(handle, major, minor),
                   "nvmlDeviceGetCudaComputeCapability", index)) {
    device.compute_capability = fmt::format("{}.{}", major, minor);
  }
  unsigned current = 0;
  unsigned pending = 0;
  const NvmlStatus mig = nvml.device_mig_mode(handle, current, pending);
  if (mig == NvmlStatus::not_supported || mig == NvmlStatus::function_not_found) {
    device.mig = "unsupported";  // pre-Ampere GPUs, or a driver older than MIG (R450)
  } else if (report.check(mig, "nvmlDeviceGetMigMode", index)) {
    device.mig = current == k_nvml_mig_enable ? "enabled" : "disabled";
    if (current == k_nvml_mig_enable) {
      read_mig_devices(nvml, handle, index, device, report);
    }
  }
  std::vector<NvmlProcess> processes;
  const NvmlStatus listed = nvml.device_compute_running_processes(handle, processes);
  // NOT_SUPPORTED: the device cannot list them; NO_PERMISSION: a MIG-enabled GPU lists the
  // aggregate only to privileged callers. Neither is a problem of the machine.
  if (listed == NvmlStatus::insufficient_size) {
    report.problem(
        fmt::format("nvml: GPU {} lists more than {} compute processes; they are not "
                    "read",
                    index, detail::k_max_nvml_processes));
  } else if (listed != NvmlStatus::not_supported && listed != NvmlStatus::no_permission &&
             report.check(listed, "nvmlDeviceGetComputeRunningProcesses_v3", index)) {
    for (const NvmlProcess& p : processes) {
      facts::GpuProcess process;
      process.pid = p.pid;
      process.used_memory_known = p.used_gpu_memory != k_nvml_value_not_available;
      process.used_memory_mib = process.used_memory_known ? p.used_gpu_memory / k_mib : 0;
      device.compute_processes.push_back(process);
    }
  }
  return device;
}

// NVML's driver version, else the kernel module's; nullopt when neither parses.
std::optional<DriverVersion> driver_of(const facts::GpuFacts& facts) {
  for (const std::string* text : {&facts.driver_version, &facts.kernel_module_version}) {
    if (auto version = DriverVersion::parse(*text)) {
      return std::move(version).value();
    }
  }
  return std::nullopt;
}

// Under a `MIG-` list: the GPUs that hold a MIG device CUDA enumerates, ordered by their first
// such MIG device; CUDA ordinals on the MIG devices; a problem for listed MIG devices that
// CUDA will not enumerate.
void apply_visible_mig_devices(facts::GpuFacts& facts, const VisibleDevices& visible,
                               const std::vector<std::string>& uuids, const GpuOptions& options) {
  std::vector<MigDeviceRef> refs;
  std::vector<std::pair<std::size_t, std::size_t>> where;  // (device, MIG device) of each ref
  for (std::size_t i = 0; i < facts.devices.size(); ++i) {
    facts::GpuDevice& device = facts.devices[i];
    device.cuda_ordinal = -1;  // a MIG-enabled GPU is no CUDA device itself
    for (std::size_t j = 0; j < device.mig_devices.size(); ++j) {
      const facts::MigDevice& mig = device.mig_devices[j];
      refs.push_back(MigDeviceRef{i, mig.uuid, mig.gpu_instance_id, mig.compute_instance_id});
      where.emplace_back(i, j);
    }
  }
  const std::optional<DriverVersion> driver = driver_of(facts);
  const MigEnumeration enumeration = mig_enumeration_of_driver(driver ? driver->major() : 0);
  const MigSelection selection = select_visible_mig_devices(visible, uuids, refs, enumeration);
  std::vector<std::size_t> gpus;
  for (std::size_t k = 0; k < selection.selected.size(); ++k) {
    const auto [i, j] = where[selection.selected[k]];
    facts.devices[i].mig_devices[j].cuda_ordinal = static_cast<int>(k);
    if (std::find(gpus.begin(), gpus.end(), i) == gpus.end()) {
      gpus.push_back(i);
    }
  }
  if (!selection.ignored.empty()) {
    std::vector<std::string> ignored;
    for (const std::size_t m : selection.ignored) {
      const auto [i, j] = where[m];
      ignored.push_back(fmt::format("{} (GPU {} MIG device {})", refs[m].uuid,
                                    facts.devices[i].index, facts.devices[i].mig_devices[j].index));
    }
    const std::string with =
        driver ? fmt::format("driver {}", driver->text()) : std::string("an unknown driver");
    const std::string rule =
        enumeration == MigEnumeration::single_device
            ? fmt::format("a CUDA process enumerates a single MIG device with {} (before R570)",
                          with)
            : fmt::format(
                  "a CUDA process enumerates one compute instance per GPU instance, {} at most, "
                  "with {} (which compute instance of a GPU instance it keeps is not documented; "
                  "the first listed is assumed)",
                  k_cuda_max_mig_devices, with);
    facts.visibility_problems.push_back(fmt::format(
        "`CUDA_VISIBLE_DEVICES={}` lists MIG devices that CUDA will not use: {}; {}; hint: run "
        "one process per MIG device",
        *options.cuda_visible_devices, fmt::join(ignored, ", "), rule));
  }
  std::vector<facts::GpuDevice> ordered;
  ordered.reserve(gpus.size());
  for (const std::size_t i : gpus) {
    ordered.push_back(std::move(facts.devices[i]));
  }
  facts.devices = std::move(ordered);
}

// Orders and filters `facts.devices` as CUDA would under CUDA_VISIBLE_DEVICES.
void apply_visible_devices(facts::GpuFacts& facts, const GpuOptions& options) {
  const VisibleDevices visible = parse_cuda_visible_devices(
      options.cuda_visible_devices ? std::optional<std::string_view>(*options.cuda_visible_devices)
                                   : std::nullopt);
  std::vector<std::string> uuids;
  uuids.reserve(facts.devices.size());
  for (const facts::GpuDevice& device : facts.devices) {
    uuids.push_back(device.uuid);
  }
  const std::optional<std::vector<std::size_t>> selected = select_visible_devices(visible, uuids);
  if (!selected) {
    // MIG UUIDs select MIG devices, not whole GPUs.
    apply_visible_mig_devices(facts, visible, uuids, options);
    return;
  }
  std::vector<facts::GpuDevice> ordered;
  ordered.reserve(selected->size());
  for (const std::size_t i : *selected) {
    ordered.push_back(facts.devices[i]);
    ordered.back().cuda_ordinal = static_cast<int>(ordered.size() - 1);
  }
  // Ordinals are CUDA's numbering, FASTEST_FIRST unless CUDA_DEVICE_ORDER=PCI_BUS_ID; NVML
  // numbers by PCI bus. The two agree on identical GPUs, not necessarily on mixed ones.
  const bool mixed = std::adjacent_find(facts.devices.begin(), facts.devices.end(),
                                        [](const auto& a, const auto& b) {
                                          return a.name != b.name;
                                        }) != facts.devices.end();
  if (visible.kind == VisibleDevices::Kind::ordinals && mixed &&
      options.cuda_device_order.value_or("") != "PCI_BUS_ID") {
    facts.visibility_problems.push_back(fmt::format(
        "`CUDA_VISIBLE_DEVICES={}` numbers GPUs in CUDA's FASTEST_FIRST order, which can differ "
        "from the PCI bus order used here on a machine with different GPU models; hint: set "
        "`CUDA_DEVICE_ORDER=PCI_BUS_ID`",
        *options.cuda_visible_devices));
  }
  facts.devices = std::move(ordered);
}

void read_nvml(const Nvml& nvml, facts::GpuFacts& facts, const GpuOptions& options) {
  Reporter report(nvml, facts.problems);
  report.check(nvml.system_driver_version(facts.driver_version), "nvmlSystemGetDriverVersion");
  int cuda = 0;
  if (report.check(nvml.system_cuda_driver_version(cuda), "nvmlSystemGetCudaDriverVersion_v2")) {
    facts.cuda_driver_api_version = format_cuda_driver_version(cuda);
  }
  report.check(nvml.system_nvml_version(facts.nvml_version), "nvmlSystemGetNVMLVersion");
  unsigned count = 0;
  if (!report.check(nvml.device_count(count), "nvmlDeviceGetCount_v2")) {
    return;
  }
  if (count > k_max_nvml_devices) {
    report.problem(
        fmt::format("nvml: `nvmlDeviceGetCount_v2` answered {} devices, more than a "
                    "driver can have; only the first {} are read",
                    count, k_max_nvml_devices));
    count = k_max_nvml_devices;
  }
  facts.total_device_count = count;
  for (unsigned i = 0; i < count; ++i) {
    NvmlDevice handle;
    const NvmlStatus status = nvml.device_handle_by_index(i, handle);
    if (!report.check(status, "nvmlDeviceGetHandleByIndex_v2", i)) {
      // Keep the slot so indices stay NVML's; the problem says why it is empty.
      facts::GpuDevice unknown;
      unknown.index = static_cast<int>(i);
      facts.devices.push_back(std::move(unknown));
      continue;
    }
    facts.devices.push_back(read_device(nvml, handle, i, report));
  }
  for (facts::GpuDevice& device : facts.devices) {
    device.cuda_ordinal = device.index;
  }
  apply_visible_devices(facts, options);
}

bool same_driver_version(const std::string& a, const std::string& b) {
  auto va = DriverVersion::parse(a);
  auto vb = DriverVersion::parse(b);
  if (va && vb) {
    return *va == *vb;
  }
  return a == b;
}

}  // namespace

GpuOptions gpu_options_from_environment(const EnvLookup& lookup) {
  GpuOptions options;
  options.nvml_library = lookup("MLSTACK_NVML_LIBRARY").value_or("");
  options.cuda_visible_devices = lookup("CUDA_VISIBLE_DEVICES");
  options.cuda_device_order = lookup("CUDA_DEVICE_ORDER");
  return options;
}

GpuOptions gpu_options_from_environment() {
  return gpu_options_from_environment([](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at start-up
    return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
  });
}

std::string nvml_library_to_load(const GpuOptions& options) {
  return options.nvml_library.empty() ? std::string(k_default_nvml_library) : options.nvml_library;
}

facts::GpuFacts gather_gpu_facts(const Nvml* nvml, const io::FileSystem& fs,
                                 const GpuOptions& options) {
  facts::GpuFacts facts;
  facts.cuda_visible_devices_set = options.cuda_visible_devices.has_value();
  facts.cuda_visible_devices = options.cuda_visible_devices.value_or("");

  const std::optional<KernelModule> kernel = read_kernel_module(fs, options, facts.problems);
  if (kernel) {
    facts.kernel_module_version = kernel->version;
    facts.kernel_module_flavor = kernel->flavor;
  }

  bool nvml_ok = false;
  if (nvml == nullptr) {
    facts.nvml_status = "not used";
  } else if (const std::optional<std::string> error = nvml->load_error()) {
    facts.nvml_library = nvml->library_path();
    facts.nvml_status = "not loaded: " + *error;
    if (kernel) {
      facts.problems.push_back(fmt::format(
          "the NVIDIA kernel module {} is loaded ({}) but NVML is not usable: {}; hint: in a "
          "container, start it with the NVIDIA container runtime (`--gpus all`) so that the "
          "driver's `libnvidia-ml.so.1` is mounted",
          kernel->version, kernel->path, *error));
    }
  } else {
    facts.nvml_library = nvml->library_path();
    const NvmlStatus status = nvml->init();
    if (status == NvmlStatus::success) {
      nvml_ok = true;
      facts.nvml_status = "ok";
      read_nvml(*nvml, facts, options);
      nvml->shutdown();
    } else {
      facts.nvml_status = "init failed: " + describe(*nvml, status);
      // NVML answers its own version without init; nvidia-smi prints it on this failure too.
      std::string nvml_version;
      if (nvml->system_nvml_version(nvml_version) == NvmlStatus::success) {
        facts.nvml_version = nvml_version;
      }
      if (status == NvmlStatus::lib_rm_version_mismatch) {
        const std::string user_space = driver_version_of_nvml_version(facts.nvml_version);
        facts.problems.push_back(fmt::format(
            "driver/library version mismatch: the user-space driver{} does not match the loaded "
            "kernel module{} (`nvmlInit_v2`: {}); hint: reboot, or reload the `nvidia` kernel "
            "modules, after a driver upgrade",
            user_space.empty() ? std::string() : fmt::format(" (NVML {})", user_space),
            kernel ? fmt::format(" {} ({})", kernel->version, kernel->path) : std::string(),
            describe(*nvml, status)));
      } else if (kernel) {
        facts.problems.push_back(
            fmt::format("nvml: `nvmlInit_v2` failed: {}, although the kernel module {} is loaded",
                        describe(*nvml, status), kernel->version));
      }
      // Without a kernel module, a failing init (the stub, a driver-less image) is the normal
      // "no driver" answer: not a problem.
    }
  }

  if (nvml_ok) {
    facts.source = "nvml";
    facts.driver_present = true;
    if (kernel && !facts.driver_version.empty() &&
        !same_driver_version(kernel->version, facts.driver_version)) {
      facts.problems.push_back(fmt::format(
          "the kernel module is {} ({}) but NVML reports driver {}; hint: reboot, or reload the "
          "`nvidia` kernel modules, after a driver upgrade",
          kernel->version, kernel->path, facts.driver_version));
    }
    if (facts.driver_version.empty() && kernel) {
      facts.driver_version = kernel->version;
    }
  } else if (kernel) {
    facts.source = kernel->source;
    facts.driver_present = true;
    facts.driver_version = kernel->version;
  } else {
    facts.source = "none";
    facts.driver_present = false;
  }
  return facts;
}

facts::GpuFacts gather_gpu_facts(const io::FileSystem& fs, const GpuOptions& options) {
  const RealNvml nvml(nvml_library_to_load(options));
  return gather_gpu_facts(&nvml, fs, options);
}

}  // namespace mlstack::gpu
