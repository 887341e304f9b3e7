// SPDX-License-Identifier: MIT
// A fake `libnvidia-ml.so.1` for tests: the NVML entry points mlstack calls, answering from the
// JSON file named by MLSTACK_FAKE_NVML_JSON (tests/data/nvml/*.json; format in docs/gpu.md).
//
// The file is re-read by every nvmlInit_v2, so one test process can switch fixtures by
// changing the variable. Like NVML, calls other than nvmlInit_v2, nvmlErrorString and
// nvmlSystemGetNVMLVersion answer NVML_ERROR_UNINITIALIZED before a successful init.
//
// Built twice (tests/fake_nvml/CMakeLists.txt): the default build exports today's names
// (`_v2`/`_v3` included); FAKE_NVML_LEGACY exports only the names of an old driver (no `_v2`/`_v3`
// calls, no MIG), so the loader's fallbacks and the v1 process layout are exercised.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>

namespace {

using nlohmann::json;

// The C ABI, from the public NVML API reference (https://docs.nvidia.com/deploy/nvml-api/).
using NvmlReturn = int;
using NvmlDevice = void*;

constexpr NvmlReturn k_success = 0;
constexpr NvmlReturn k_uninitialized = 1;
constexpr NvmlReturn k_invalid_argument = 2;
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

// Device handles point into this array; the value is the index.
unsigned g_handles[64] = {};

const json* device_of(NvmlDevice handle) {
  if (handle == nullptr) {
    return nullptr;
  }
  const auto index = *static_cast<const unsigned*>(handle);
  const auto devices = state().doc.find("devices");
  if (devices == state().doc.end() || !devices->is_array() || index >= devices->size()) {
    return nullptr;
  }
  return &(*devices)[index];
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
    if (*count < n) {
      *count = n;
      return n == 0 ? k_success : k_insufficient_size;
    }
    *count = n;
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
    *count = static_cast<unsigned>(state().doc.value("devices", json::array()).size());
    return k_success;
  });
}

NvmlReturn handle_by_index(unsigned index, NvmlDevice* out) {
  return guarded("nvmlDeviceGetHandleByIndex_v2", nullptr, [&](const json*) {
    const json devices = state().doc.value("devices", json::array());
    if (out == nullptr || index >= devices.size() || index >= std::size(g_handles)) {
      return k_invalid_argument;
    }
    if (auto code = forced("nvmlDeviceGetHandleByIndex_v2", &devices[index])) {
      return *code;
    }
    g_handles[index] = index;
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
