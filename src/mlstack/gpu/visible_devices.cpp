// SPDX-License-Identifier: MIT
#include "mlstack/gpu/visible_devices.hpp"

#include "mlstack/base/text.hpp"

#include <algorithm>
#include <limits>

namespace mlstack::gpu {
namespace {

// strtoul-like: optional sign, then leading digits. nullopt when there are no digits or the
// value is negative (both end the list). `-0` reads as 0, as `int("-0")` does in PyTorch's
// version. Values too large for 64 bits saturate (they are past any device count anyway).
std::optional<std::uint64_t> leading_ordinal(std::string_view entry) {
  bool negative = false;
  std::size_t i = 0;
  if (i < entry.size() && (entry[i] == '+' || entry[i] == '-')) {
    negative = entry[i] == '-';
    ++i;
  }
  const std::size_t digits_begin = i;
  std::uint64_t value = 0;
  constexpr std::uint64_t k_max = std::numeric_limits<std::uint64_t>::max();
  while (i < entry.size() && text::is_ascii_digit(entry[i])) {
    const auto digit = static_cast<std::uint64_t>(entry[i] - '0');
    value = value > (k_max - digit) / 10 ? k_max : value * 10 + digit;
    ++i;
  }
  if (i == digits_begin || (negative && value != 0)) {
    return std::nullopt;
  }
  return value;
}

std::vector<std::string> prefixed_list(std::string_view value, std::string_view prefix) {
  std::vector<std::string> out;
  for (std::string_view entry : text::split(value, ',')) {
    if (std::find(out.begin(), out.end(), entry) != out.end()) {
      return {};  // rule 5
    }
    if (!entry.starts_with(prefix)) {
      break;  // rule 4
    }
    out.emplace_back(entry);
  }
  return out;
}

// A decimal ID of the pre-R470 MIG form: digits only.
std::optional<unsigned> decimal_id(std::string_view text) {
  if (text.empty() || text.size() > 9) {
    return std::nullopt;
  }
  unsigned value = 0;
  for (const char c : text) {
    if (!text::is_ascii_digit(c)) {
      return std::nullopt;
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

// The one MIG device `entry` names, or nullopt (no match, several, or a malformed entry).
std::optional<std::size_t> match_mig_entry(std::string_view entry,
                                           const std::vector<std::string>& device_uuids,
                                           const std::vector<MigDeviceRef>& mig_devices) {
  // Drivers before R470: `MIG-<GPU-UUID>/<GPU instance ID>/<compute instance ID>`.
  const std::vector<std::string_view> parts = text::split(entry.substr(4), '/');
  if (parts.size() == 3 && parts[0].starts_with("GPU-")) {
    const std::optional<unsigned> gi = decimal_id(parts[1]);
    const std::optional<unsigned> ci = decimal_id(parts[2]);
    if (!gi || !ci) {
      return std::nullopt;
    }
    std::optional<std::size_t> gpu;
    for (std::size_t i = 0; i < device_uuids.size(); ++i) {
      if (device_uuids[i].starts_with(parts[0])) {
        if (gpu) {
          return std::nullopt;  // the GPU prefix is ambiguous
        }
        gpu = i;
      }
    }
    for (std::size_t m = 0; gpu && m < mig_devices.size(); ++m) {
      if (mig_devices[m].gpu == *gpu && mig_devices[m].gpu_instance_id == *gi &&
          mig_devices[m].compute_instance_id == *ci) {
        return m;
      }
    }
    return std::nullopt;
  }
  // R470 and later: `MIG-<uuid>` or a unique prefix of it.
  std::optional<std::size_t> match;
  for (std::size_t m = 0; m < mig_devices.size(); ++m) {
    if (mig_devices[m].uuid.starts_with(entry)) {
      if (match) {
        return std::nullopt;  // ambiguous
      }
      match = m;
    }
  }
  return match;
}

}  // namespace

MigEnumeration mig_enumeration_of_driver(unsigned driver_branch) {
  constexpr unsigned k_first_branch_per_gpu_instance = 570;
  return driver_branch >= k_first_branch_per_gpu_instance ? MigEnumeration::one_per_gpu_instance
                                                          : MigEnumeration::single_device;
}

MigSelection select_visible_mig_devices(const VisibleDevices& visible,
                                        const std::vector<std::string>& device_uuids,
                                        const std::vector<MigDeviceRef>& mig_devices,
                                        MigEnumeration enumeration) {
  MigSelection out;
  if (visible.kind != VisibleDevices::Kind::mig_uuids) {
    return out;
  }
  std::vector<std::size_t> listed;
  for (const std::string& entry : visible.uuids) {
    const std::optional<std::size_t> match = match_mig_entry(entry, device_uuids, mig_devices);
    if (!match) {
      break;  // rule 4: unknown or ambiguous ends the list
    }
    if (std::find(listed.begin(), listed.end(), *match) != listed.end()) {
      return out;  // rule 5: two entries naming one MIG device
    }
    listed.push_back(*match);
  }
  for (const std::size_t m : listed) {
    bool enumerated = false;
    switch (enumeration) {
      case MigEnumeration::single_device:
        enumerated = out.selected.empty();
        break;
      case MigEnumeration::one_per_gpu_instance:
        enumerated = out.selected.size() < k_cuda_max_mig_devices &&
                     std::none_of(out.selected.begin(), out.selected.end(), [&](std::size_t s) {
                       return mig_devices[s].gpu == mig_devices[m].gpu &&
                              mig_devices[s].gpu_instance_id == mig_devices[m].gpu_instance_id;
                     });
        break;
    }
    (enumerated ? out.selected : out.ignored).push_back(m);
  }
  return out;
}

VisibleDevices parse_cuda_visible_devices(std::optional<std::string_view> value) {
  VisibleDevices out;
  if (!value) {
    return out;
  }
  if (value->starts_with("GPU-")) {
    out.kind = VisibleDevices::Kind::gpu_uuids;
    out.uuids = prefixed_list(*value, "GPU-");
    return out;
  }
  if (value->starts_with("MIG-")) {
    out.kind = VisibleDevices::Kind::mig_uuids;
    out.uuids = prefixed_list(*value, "MIG-");
    return out;
  }
  out.kind = VisibleDevices::Kind::ordinals;
  for (std::string_view entry : text::split(*value, ',')) {
    const std::optional<std::uint64_t> ordinal = leading_ordinal(text::trim(entry));
    if (!ordinal) {
      break;  // rule 3
    }
    if (std::find(out.ordinals.begin(), out.ordinals.end(), *ordinal) != out.ordinals.end()) {
      out.ordinals.clear();  // rule 5
      break;
    }
    out.ordinals.push_back(*ordinal);
  }
  return out;
}

std::optional<std::vector<std::size_t>> select_visible_devices(
    const VisibleDevices& visible, const std::vector<std::string>& device_uuids) {
  std::vector<std::size_t> out;
  switch (visible.kind) {
    case VisibleDevices::Kind::all:
      for (std::size_t i = 0; i < device_uuids.size(); ++i) {
        out.push_back(i);
      }
      return out;
    case VisibleDevices::Kind::mig_uuids:
      return std::nullopt;
    case VisibleDevices::Kind::ordinals:
      for (const std::uint64_t ordinal : visible.ordinals) {
        if (ordinal >= device_uuids.size()) {
          break;  // rule 3: past the device count
        }
        out.push_back(static_cast<std::size_t>(ordinal));
      }
      return out;
    case VisibleDevices::Kind::gpu_uuids:
      for (const std::string& candidate : visible.uuids) {
        std::optional<std::size_t> match;
        bool ambiguous = false;
        for (std::size_t i = 0; i < device_uuids.size(); ++i) {
          if (device_uuids[i].starts_with(candidate)) {
            ambiguous = match.has_value();
            match = i;
            if (ambiguous) {
              break;
            }
          }
        }
        if (!match || ambiguous) {
          break;  // rule 4
        }
        if (std::find(out.begin(), out.end(), *match) != out.end()) {
          return std::vector<std::size_t>{};  // rule 5: two prefixes of one device
        }
        out.push_back(*match);
      }
      return out;
  }
  return out;
}

}  // namespace mlstack::gpu
