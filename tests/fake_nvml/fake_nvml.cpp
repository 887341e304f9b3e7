// SPDX-License-Identifier: MIT
// A fake `libnvidia-ml.so.1` for tests: the NVML entry points mlstack calls, answering from the
// JSON file named by MLSTACK_FAKE_NVML_JSON (tests/data/nvml/*.json; format in docs/gpu.md).
//
// The file is re-read by every nvmlInit_v2, so one test process can switch fixtures by
// changing the variable. Like NVML, calls other than nvmlInit_v2, nvmlErrorString and
// nvmlSystemGetNVMLVersion answer NVML_ERROR_UNINITIALIZED before a successful init.
//
// Built twice (tests/fake_nvml/CMakeLists.txt): the default build exports today's names
// (`_v2`/`_v3` included, and MIG devices: nvmlDeviceGetMigDeviceHandleByIndex and friends);
// FAKE_NVML_LEGACY exports only the names of an old driver (no `_v2`/`_v3` calls, no MIG), so the
// loader's fallbacks and the v1 process layout are exercised.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

namespace {

using nlohmann::json;

// The C ABI, from the public NVML API reference (https://docs.nvidia.com/deploy/nvml-api/).
using NvmlReturn = int;
using NvmlDevice = void*;

constexpr NvmlReturn k_success = 0;
constexpr NvmlReturn k_uninitialized = 1;
constexpr NvmlReturn k_invalid_argument = 2;
// Unused by the legacy build (no MIG calls): [[maybe_unused]] for clang's -Wunused-const-variable.
[[maybe_unused]] constexpr NvmlReturn k_not_supported = 3;
[[maybe_unused]] constexpr NvmlReturn k_not_found = 6;
constexpr NvmlReturn k_insufficient_size = 7;
constexpr NvmlReturn k_unknown = 999;

struct PciInfo {
  char bus_id_legacy[16];
  unsigned domain;
  unsigned bus;
  unsigned device;
  unsigned pci_device_id;
  unsigned pci_sub_system_id;
  char bus_id[32];
};
static_assert(sizeof(PciInfo) == 68, "nvmlPciInfo_t");

struct Memory {
  unsigned long long total;  // NOLINT(google-runtime-int)
  unsigned long long free;   // NOLINT(google-runtime-int)
  unsigned long long used;   // NOLINT(google-runtime-int)
};
static_assert(sizeof(Memory) == 24, "nvmlMemory_t");

struct ProcessV1 {
  unsigned pid;
  unsigned long long used_gpu_memory;  // NOLINT(google-runtime-int)
};
static_assert(sizeof(ProcessV1) == 16, "nvmlProcessInfo_v1_t");

struct ProcessV2 {
  unsigned pid;
  unsigned long long used_gpu_memory;  // NOLINT(google-runtime-int)
  unsigned gpu_instance_id;
  unsigned compute_instance_id;
};
static_assert(sizeof(ProcessV2) == 24, "nvmlProcessInfo_t");

struct Code {
  const char* name;
  NvmlReturn value;
  const char* text;  // nvmlErrorString, as NVML spells it (nvidia-smi prints these)
};
constexpr Code k_codes[] = {
    {"NVML_SUCCESS", 0, "Success"},
    {"NVML_ERROR_UNINITIALIZED", 1, "Uninitialized"},
    {"NVML_ERROR_INVALID_ARGUMENT", 2, "Invalid Argument"},
    {"NVML_ERROR_NOT_SUPPORTED", 3, "Not Supported"},
    {"NVML_ERROR_NO_PERMISSION", 4, "Insufficient Permissions"},
    {"NVML_ERROR_NOT_FOUND", 6, "Not Found"},
    {"NVML_ERROR_INSUFFICIENT_SIZE", 7, "Insufficient Size"},
    {"NVML_ERROR_DRIVER_NOT_LOADED", 9, "Driver Not Loaded"},
    {"NVML_ERROR_LIBRARY_NOT_FOUND", 12, "NVML Shared Library Not Found"},
    {"NVML_ERROR_FUNCTION_NOT_FOUND", 13, "Function Not Found"},
    {"NVML_ERROR_GPU_IS_LOST", 15, "GPU is lost"},
    {"NVML_ERROR_LIB_RM_VERSION_MISMATCH", 18, "Driver/library version mismatch"},
    {"NVML_ERROR_UNKNOWN", 999, "Unknown Error"},
};

struct State {
  json doc;
  int init_count = 0;
};

State& state() {
  static State s;
  return s;
}

bool load() {
  const char* path = std::getenv("MLSTACK_FAKE_NVML_JSON");  // NOLINT(concurrency-mt-unsafe)
  state().doc = json();
  if (path == nullptr) {
    return false;
  }
  std::ifstream in(path);
  if (!in) {
    return false;
  }
  state().doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
  return !state().doc.is_discarded() && state().doc.is_object();
}

NvmlReturn code_of(const json& value) {
  if (value.is_number_integer()) {
    return value.get<NvmlReturn>();
  }
  if (value.is_string()) {
    const auto name = value.get<std::string>();
    for (const Code& c : k_codes) {
      if (name == c.name) {
        return c.value;
      }
    }
  }
  return k_unknown;
}

// The canned failure for `function`, globally or for device `index`; nullopt: answer normally.
std::optional<NvmlReturn> forced(const char* function, const json* device = nullptr) {
  const json* scopes[] = {device, &state().doc};
  for (const json* scope : scopes) {
    if (scope == nullptr || !scope->is_object()) {
      continue;
    }
    const auto errors = scope->find("errors");
    if (errors != scope->end() && errors->is_object() && errors->contains(function)) {
      return code_of(errors->at(function));
    }
  }
  return std::nullopt;
}

// Device handles point into these arrays: a GPU's into g_handles, a MIG device's into
// g_mig_handles (slot `index` of GPU `gpu`).
struct Handle {
  unsigned gpu = 0;
  int mig = -1;  // the MIG device index; -1 for a GPU
};
constexpr unsigned k_max_gpus = 64;
constexpr unsigned k_max_mig_slots = 8;
Handle g_handles[k_max_gpus] = {};
[[maybe_unused]] Handle g_mig_handles[k_max_gpus][k_max_mig_slots] = {};  // not in the legacy build

const Handle* handle_of(NvmlDevice handle) { return static_cast<const Handle*>(handle); }

// The fixture's object for a GPU: `devices[gpu]`.
const json* gpu_of(unsigned gpu) {
  const auto devices = state().doc.find("devices");
  if (devices == state().doc.end() || !devices->is_array() || gpu >= devices->size()) {
    return nullptr;
  }
  return &(*devices)[gpu];
}

// The fixture's object for a MIG device: the entry of `devices[gpu].mig_devices` whose
// `index` is `slot`; nullptr for an empty slot.
const json* mig_of(unsigned gpu, unsigned slot) {
  const json* device = gpu_of(gpu);
  if (device == nullptr) {
    return nullptr;
  }
  const auto migs = device->find("mig_devices");
  if (migs == device->end() || !migs->is_array()) {
    return nullptr;
  }
  for (const json& mig : *migs) {
    if (mig.value("index", -1) == static_cast<int>(slot)) {
      return &mig;
    }
  }
  return nullptr;
}

// The fixture's object for a handle, GPU or MIG device.
const json* device_of(NvmlDevice handle) {
  if (handle == nullptr) {
    return nullptr;
  }
  const Handle& h = *handle_of(handle);
  return h.mig < 0 ? gpu_of(h.gpu) : mig_of(h.gpu, static_cast<unsigned>(h.mig));
}

[[maybe_unused]] bool is_mig(NvmlDevice handle) {
  return handle != nullptr && handle_of(handle)->mig >= 0;
}

NvmlReturn copy_string(const std::string& value, char* out, unsigned length) {
  if (out == nullptr) {
    return k_invalid_argument;
  }
  if (value.size() + 1 > length) {
    return k_insufficient_size;
  }
  std::memcpy(out, value.c_str(), value.size() + 1);
  return k_success;
}

// Runs `body` behind the init check and the canned-error check; exceptions become UNKNOWN.
template <class Body>
NvmlReturn guarded(const char* function, NvmlDevice handle, Body body) {
  try {
    if (state().init_count == 0) {
      return k_uninitialized;
    }
    const json* device = nullptr;
    if (handle != nullptr) {
      device = device_of(handle);
      if (device == nullptr) {
        return k_invalid_argument;
      }
    }
    if (auto code = forced(function, device)) {
      return *code;
    }
    return body(device);
  } catch (...) {
    return k_unknown;
  }
}

template <class Info>
NvmlReturn processes(const char* function, NvmlDevice handle, unsigned* count, Info* infos) {
  return guarded(function, handle, [&](const json* device) {
    if (count == nullptr) {
      return k_invalid_argument;
    }
    const json list = device->value("processes", json::array());
    const auto n = static_cast<unsigned>(list.size());
    // A library that lies (docs/gpu.md): `process_count` is the count it claims while the
    // buffer is smaller, `process_count_filled` the count it writes on success.
    const auto claimed = device->value("process_count", n);
    if (*count < std::max(n, claimed)) {
      *count = std::max(n, claimed);
      return *count == 0 ? k_success : k_insufficient_size;
    }
    *count = device->value("process_count_filled", n);
    for (unsigned i = 0; i < n; ++i) {
      const json& p = list[i];
      infos[i] = Info{};
      infos[i].pid = p.at("pid").get<unsigned>();
      // null: NVML_VALUE_NOT_AVAILABLE
      infos[i].used_gpu_memory = p.at("used_gpu_memory").is_null()
                                     ? ~0ULL
                                     : p.at("used_gpu_memory").get<unsigned long long>();
      if constexpr (sizeof(Info) == sizeof(ProcessV2)) {
        infos[i].gpu_instance_id = p.value("gpu_instance_id", 0xFFFFFFFFU);
        infos[i].compute_instance_id = p.value("compute_instance_id", 0xFFFFFFFFU);
      }
    }
    return k_success;
  });
}

NvmlReturn count_devices(unsigned* count) {
  return guarded("nvmlDeviceGetCount_v2", nullptr, [&](const json*) {
    if (count == nullptr) {
      return k_invalid_argument;
    }
    // `device_count`: what a lying library answers instead of the length of `devices`.
    *count = state().doc.value(
        "device_count", static_cast<unsigned>(state().doc.value("devices", json::array()).size()));
    return k_success;
  });
}

NvmlReturn handle_by_index(unsigned index, NvmlDevice* out) {
  return guarded("nvmlDeviceGetHandleByIndex_v2", nullptr, [&](const json*) {
    const json devices = state().doc.value("devices", json::array());
    if (out == nullptr || index >= devices.size() || index >= k_max_gpus) {
      return k_invalid_argument;
    }
    if (auto code = forced("nvmlDeviceGetHandleByIndex_v2", &devices[index])) {
      return *code;
    }
    g_handles[index] = Handle{index, -1};
    *out = &g_handles[index];
    return k_success;
  });
}

NvmlReturn pci_info(NvmlDevice handle, PciInfo* out) {
  return guarded("nvmlDeviceGetPciInfo_v3", handle, [&](const json* device) {
    if (out == nullptr) {
      return k_invalid_argument;
    }
    *out = PciInfo{};
    const auto bus_id = device->value("pci_bus_id", std::string());
    std::strncpy(out->bus_id, bus_id.c_str(), sizeof(out->bus_id) - 1);
    return k_success;
  });
}

NvmlReturn cuda_driver_version(int* out) {
  return guarded("nvmlSystemGetCudaDriverVersion_v2", nullptr, [&](const json*) {
    if (out == nullptr) {
      return k_invalid_argument;
    }
    *out = state().doc.at("cuda_driver_version").get<int>();
    return k_success;
  });
}

}  // namespace

extern "C" {

NvmlReturn nvmlInit_v2() {
  try {
    if (!load()) {
      return k_unknown;
    }
    // `"hang_init_s": N`: nvmlInit_v2 does not return for N seconds, as on a GPU that fell off
    // the bus (the health check's deadline is tested with it).
    if (const double hang = state().doc.value("hang_init_s", 0.0); hang > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(hang));
    }
    const NvmlReturn code = code_of(state().doc.value("init", json("NVML_SUCCESS")));
    if (code == k_success) {
      ++state().init_count;
    }
    return code;
  } catch (...) {
    return k_unknown;
  }
}

NvmlReturn nvmlShutdown() {
  if (state().init_count == 0) {
    return k_uninitialized;
  }
  --state().init_count;
  return k_success;
}

const char* nvmlErrorString(NvmlReturn result) {
  for (const Code& c : k_codes) {
    if (c.value == result) {
      return c.text;
    }
  }
  return "Unknown Error";
}

NvmlReturn nvmlSystemGetNVMLVersion(char* version, unsigned length) {
  try {
    if (state().init_count == 0 && !load()) {
      return k_unknown;
    }
    if (auto code = forced("nvmlSystemGetNVMLVersion")) {
      return *code;
    }
    return copy_string(state().doc.at("nvml_version").get<std::string>(), version, length);
  } catch (...) {
    return k_unknown;
  }
}

NvmlReturn nvmlSystemGetDriverVersion(char* version, unsigned length) {
  return guarded("nvmlSystemGetDriverVersion", nullptr, [&](const json*) {
    return copy_string(state().doc.at("driver_version").get<std::string>(), version, length);
  });
}

NvmlReturn nvmlSystemGetCudaDriverVersion(int* version) { return cuda_driver_version(version); }

NvmlReturn nvmlDeviceGetCount(unsigned* count) { return count_devices(count); }

NvmlReturn nvmlDeviceGetHandleByIndex(unsigned index, NvmlDevice* device) {
  return handle_by_index(index, device);
}

NvmlReturn nvmlDeviceGetPciInfo_v2(NvmlDevice device, PciInfo* pci) {
  return pci_info(device, pci);
}

NvmlReturn nvmlDeviceGetName(NvmlDevice handle, char* name, unsigned length) {
  return guarded("nvmlDeviceGetName", handle, [&](const json* device) {
    return copy_string(device->at("name").get<std::string>(), name, length);
  });
}

NvmlReturn nvmlDeviceGetUUID(NvmlDevice handle, char* uuid, unsigned length) {
  return guarded("nvmlDeviceGetUUID", handle, [&](const json* device) {
    return copy_string(device->at("uuid").get<std::string>(), uuid, length);
  });
}

NvmlReturn nvmlDeviceGetMemoryInfo(NvmlDevice handle, Memory* memory) {
  return guarded("nvmlDeviceGetMemoryInfo", handle, [&](const json* device) {
    if (memory == nullptr) {
      return k_invalid_argument;
    }
    const json& m = device->at("memory");
    memory->total = m.at("total").get<unsigned long long>();
    memory->used = m.value("used", 0ULL);
    memory->free = m.value("free", memory->total - memory->used);
    return k_success;
  });
}

NvmlReturn nvmlDeviceGetCudaComputeCapability(NvmlDevice handle, int* major, int* minor) {
  return guarded("nvmlDeviceGetCudaComputeCapability", handle, [&](const json* device) {
    if (major == nullptr || minor == nullptr) {
      return k_invalid_argument;
    }
    const json& cc = device->at("compute_capability");
    *major = cc.at(0).get<int>();
    *minor = cc.at(1).get<int>();
    return k_success;
  });
}

NvmlReturn nvmlDeviceGetComputeRunningProcesses(NvmlDevice device, unsigned* count,
                                                ProcessV1* infos) {
  return processes("nvmlDeviceGetComputeRunningProcesses", device, count, infos);
}

#ifndef FAKE_NVML_LEGACY

NvmlReturn nvmlSystemGetCudaDriverVersion_v2(int* version) { return cuda_driver_version(version); }

NvmlReturn nvmlDeviceGetCount_v2(unsigned* count) { return count_devices(count); }

NvmlReturn nvmlDeviceGetHandleByIndex_v2(unsigned index, NvmlDevice* device) {
  return handle_by_index(index, device);
}

NvmlReturn nvmlDeviceGetPciInfo_v3(NvmlDevice device, PciInfo* pci) {
  return pci_info(device, pci);
}

NvmlReturn nvmlDeviceGetMigMode(NvmlDevice handle, unsigned* current, unsigned* pending) {
  return guarded("nvmlDeviceGetMigMode", handle, [&](const json* device) {
    if (current == nullptr || pending == nullptr) {
      return k_invalid_argument;
    }
    const json mode = device->value("mig_mode", json::object());
    *current = mode.value("current", 0U);
    *pending = mode.value("pending", *current);
    return k_success;
  });
}

// MIG (R450+). Fixture: a GPU's `mig_devices` lists its occupied slots,
// `{"index", "uuid", "name", "gpu_instance_id", "compute_instance_id", "memory", "errors"}`;
// `max_mig_device_count` (default 7) is what nvmlDeviceGetMaxMigDeviceCount answers while MIG
// is enabled (0 otherwise, as NVML does).

NvmlReturn nvmlDeviceGetMaxMigDeviceCount(NvmlDevice handle, unsigned* count) {
  return guarded("nvmlDeviceGetMaxMigDeviceCount", handle, [&](const json* device) {
    if (count == nullptr || is_mig(handle)) {
      return k_invalid_argument;
    }
    const json mode = device->value("mig_mode", json::object());
    *count = mode.value("current", 0U) == 1 ? device->value("max_mig_device_count", 7U) : 0U;
    return k_success;
  });
}

NvmlReturn nvmlDeviceGetMigDeviceHandleByIndex(NvmlDevice handle, unsigned index, NvmlDevice* out) {
  return guarded("nvmlDeviceGetMigDeviceHandleByIndex", handle, [&](const json* device) {
    if (out == nullptr || is_mig(handle) || index >= k_max_mig_slots) {
      return k_invalid_argument;
    }
    if (device->value("mig_mode", json::object()).value("current", 0U) != 1) {
      return k_not_supported;
    }
    const unsigned gpu = handle_of(handle)->gpu;
    const json* mig = mig_of(gpu, index);
    if (mig == nullptr) {
      return k_not_found;  // an empty slot
    }
    if (auto code = forced("nvmlDeviceGetMigDeviceHandleByIndex", mig)) {
      return *code;
    }
    g_mig_handles[gpu][index] = Handle{gpu, static_cast<int>(index)};
    *out = &g_mig_handles[gpu][index];
    return k_success;
  });
}

NvmlReturn nvmlDeviceIsMigDeviceHandle(NvmlDevice handle, unsigned* is_mig_device) {
  return guarded("nvmlDeviceIsMigDeviceHandle", handle, [&](const json*) {
    if (is_mig_device == nullptr) {
      return k_invalid_argument;
    }
    *is_mig_device = is_mig(handle) ? 1U : 0U;
    return k_success;
  });
}

NvmlReturn nvmlDeviceGetGpuInstanceId(NvmlDevice handle, unsigned* id) {
  return guarded("nvmlDeviceGetGpuInstanceId", handle, [&](const json* device) {
    if (id == nullptr) {
      return k_invalid_argument;
    }
    if (!is_mig(handle)) {
      return k_not_supported;
    }
    *id = device->at("gpu_instance_id").get<unsigned>();
    return k_success;
  });
}

NvmlReturn nvmlDeviceGetComputeInstanceId(NvmlDevice handle, unsigned* id) {
  return guarded("nvmlDeviceGetComputeInstanceId", handle, [&](const json* device) {
    if (id == nullptr) {
      return k_invalid_argument;
    }
    if (!is_mig(handle)) {
      return k_not_supported;
    }
    *id = device->at("compute_instance_id").get<unsigned>();
    return k_success;
  });
}

NvmlReturn nvmlDeviceGetComputeRunningProcesses_v2(NvmlDevice device, unsigned* count,
                                                   ProcessV2* infos) {
  return processes("nvmlDeviceGetComputeRunningProcesses_v2", device, count, infos);
}

NvmlReturn nvmlDeviceGetComputeRunningProcesses_v3(NvmlDevice device, unsigned* count,
                                                   ProcessV2* infos) {
  return processes("nvmlDeviceGetComputeRunningProcesses_v3", device, count, infos);
}

#endif  // FAKE_NVML_LEGACY

}  // extern "C"
