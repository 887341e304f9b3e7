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

}  // namespace

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
