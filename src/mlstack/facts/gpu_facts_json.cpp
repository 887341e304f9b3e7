// SPDX-License-Identifier: MIT
#include "mlstack/facts/gpu_facts_json.hpp"

#include <nlohmann/json.hpp>

#include "mlstack/facts/detail/json_values.hpp"

#include <string>

namespace mlstack::facts {
namespace {

using nlohmann::ordered_json;
using detail::string_or_null;

ordered_json process_json(const GpuProcess& process) {
  ordered_json j;
  j["pid"] = process.pid;
  j["used_memory_mib"] =
      process.used_memory_known ? ordered_json(process.used_memory_mib) : ordered_json(nullptr);
  return j;
}

ordered_json mig_device_json(const MigDevice& mig) {
  ordered_json j;
  j["index"] = mig.index;
  j["uuid"] = string_or_null(mig.uuid);
  j["name"] = string_or_null(mig.name);
  j["gpu_instance_id"] = mig.gpu_instance_id;
  j["compute_instance_id"] = mig.compute_instance_id;
  j["memory_total_mib"] = mig.memory_total_mib;
  j["cuda_ordinal"] =
      mig.cuda_ordinal >= 0 ? ordered_json(mig.cuda_ordinal) : ordered_json(nullptr);
  return j;
}

ordered_json device_json(const GpuDevice& device) {
  ordered_json j;
  j["index"] = device.index;
  j["name"] = string_or_null(device.name);
  j["uuid"] = string_or_null(device.uuid);
  j["memory_total_mib"] = device.memory_total_mib;
  j["compute_capability"] = string_or_null(device.compute_capability);
  j["mig"] = string_or_null(device.mig);
  ordered_json processes = ordered_json::array();
  for (const GpuProcess& process : device.compute_processes) {
    processes.push_back(process_json(process));
  }
  j["processes"] = std::move(processes);
  ordered_json migs = ordered_json::array();
  for (const MigDevice& mig : device.mig_devices) {
    migs.push_back(mig_device_json(mig));
  }
  j["mig_devices"] = std::move(migs);
  return j;
}

}  // namespace

ordered_json gpu_facts_to_json(const GpuFacts& facts) {
  ordered_json j;
  j["driver_version"] = string_or_null(facts.driver_version);
  j["cuda_driver_version"] = string_or_null(facts.cuda_driver_api_version);
  j["source"] = facts.source.empty() ? std::string("none") : facts.source;
  j["kernel_module_version"] = string_or_null(facts.kernel_module_version);
  j["nvml_version"] = string_or_null(facts.nvml_version);
  ordered_json devices = ordered_json::array();
  for (const GpuDevice& device : facts.devices) {
    devices.push_back(device_json(device));
  }
  j["devices"] = std::move(devices);
  j["problems"] = facts.problems;
  j["visibility_problems"] = facts.visibility_problems;
  return j;
}

}  // namespace mlstack::facts
