// SPDX-License-Identifier: MIT
#include "mlstack/launch/plan.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"
#include "mlstack/pep440/version.hpp"

namespace mlstack::launch {
namespace {

Error share_error(std::string message) {
  return make_error(ErrorCode::invalid_data, std::move(message));
}

// `0.3`, `.25`, `1`: a plain decimal (no exponent, sign, `inf` or `nan`).
bool parse_fraction(std::string_view text, double& out) {
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string_view::npos) {
    return false;
  }
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(out);
}

std::string framework_list() {
  return "`torch`, `tensorflow`, `jax` or `cupy`";
}

Result<Share> parse_one(std::string_view item) {
  const std::size_t eq = item.find('=');
  const std::string shown = text::escape_controls(item);
  if (eq == std::string_view::npos) {
    return unexpected(share_error(
        fmt::format("--share: expected FRAMEWORK=FRACTION, such as `torch=0.3`, found `{}`",
                    shown)));
  }
  const std::string_view name = text::trim(item.substr(0, eq));
  const std::string_view value = text::trim(item.substr(eq + 1));
  const std::vector<std::string_view> known(std::begin(k_share_frameworks),
                                            std::end(k_share_frameworks));
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    const std::string_view near = text::closest(name, known, 3);
    return unexpected(share_error(fmt::format(
        "--share: unknown framework `{}`; {}", text::escape_controls(name),
        near.empty() ? "expected " + framework_list()
                     : fmt::format("did you mean `{}`?", near))));
  }
  double fraction = 0;
  if (!parse_fraction(value, fraction) || fraction <= 0 || fraction > 1) {
    return unexpected(share_error(fmt::format(
        "--share: expected a fraction of the GPU's memory above 0 and at most 1 for `{}`, "
        "found `{}`",
        name, text::escape_controls(value))));
  }
  return Share{std::string(name), fraction, std::string(value)};
}

const Framework* find_framework(const std::vector<Framework>& installed, std::string_view name) {
  for (const Framework& f : installed) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

bool applies(const kb::LaunchSetting& row, const Framework& f) {
  if (row.versions.empty()) {
    return true;
  }
  const auto version = pep440::Version::parse(f.version);
  return version && row.versions.contains(*version, pep440::Prereleases::allow);
}

// The user's value under any name of `group` (every row of the group, whatever its versions):
// the name and value, or nothing.
const std::pair<const std::string, std::string>* user_value(
    const std::map<std::string, std::string>& environment,
    const std::vector<kb::LaunchSetting>& rows, const std::string& group) {
  for (const kb::LaunchSetting& row : rows) {
    if (row.group != group) {
      continue;
    }
    if (auto it = environment.find(row.name); it != environment.end()) {
      return &*it;
    }
  }
  return nullptr;
}

std::string installed_summary(const std::vector<Framework>& installed) {
  std::string out;
  for (const Framework& f : installed) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", f.name, f.version);
  }
  return out.empty() ? "none" : out;
}

// A cap set through a variable of the framework's own (JAX, CuPy): refused when the user set
// that variable, since the user's value would be overridden.
Result<void> add_cap_variable(Plan& plan, const PlanInput& input, const Share& share,
                              std::string name, std::string value, std::string why,
                              std::string source) {
  if (auto it = input.environment.find(name); it != input.environment.end()) {
    return unexpected(share_error(fmt::format(
        "--share {}={}: {} is already set (`{}`); unset it, or leave {} out of --share",
        share.framework, share.text, name, text::escape_controls(it->second), share.framework)));
  }
  plan.settings.push_back(
      {std::move(name), std::move(value), share.framework, std::move(why), std::move(source), false});
  return {};
}

}  // namespace

Result<std::vector<Share>> parse_shares(const std::vector<std::string>& values) {
  std::vector<Share> shares;
  for (const std::string& value : values) {
    for (std::string_view item : text::split(value, ',')) {
      if (text::trim(item).empty()) {
        continue;
      }
      MLSTACK_TRY_ASSIGN(Share share, parse_one(item));
      for (const Share& s : shares) {
        if (s.framework == share.framework) {
          return unexpected(share_error(
              fmt::format("--share: `{}` is given twice ({} and {})", share.framework, s.text,
                          share.text)));
        }
      }
      shares.push_back(std::move(share));
    }
  }
  return shares;
}

Result<Plan> plan_launch(const PlanInput& input, const std::vector<kb::LaunchSetting>& rows) {
  Plan plan;
  plan.shares = input.shares;
  // Caps first: what cannot be done is refused before anything else is said.
  double total = 0;
  std::string terms;
  for (const Share& share : input.shares) {
    if (find_framework(input.installed, share.framework) == nullptr) {
      return unexpected(share_error(fmt::format(
          "--share {}={}: {} is not installed in the target environment (frameworks found: {})",
          share.framework, share.text, share.framework, installed_summary(input.installed))));
    }
    total += share.fraction;
    terms += fmt::format("{}{}={}", terms.empty() ? "" : " + ", share.framework, share.text);
  }
  // Decimal fractions are not exact in binary: 0.7 + 0.2 + 0.1 must still be 1.
  if (total > 1 + 1e-9) {
    return unexpected(share_error(fmt::format(
        "--share: the caps add up to {:g}, more than the whole GPU ({})", total, terms)));
  }

  for (std::string_view name : k_share_frameworks) {
    const Framework* f = find_framework(input.installed, name);
    if (f == nullptr) {
      continue;
    }
    plan.frameworks.push_back(*f);
    std::vector<std::string> groups_done;
    for (const kb::LaunchSetting& row : rows) {
      if (row.framework != name || !applies(row, *f)) {
        continue;
      }
      if (row.value.empty()) {
        plan.notes.push_back(fmt::format("{} {}: {}", f->name, f->version, row.why));
        continue;
      }
      if (std::find(groups_done.begin(), groups_done.end(), row.group) != groups_done.end()) {
        continue;
      }
      groups_done.push_back(row.group);
      if (const auto* user = user_value(input.environment, rows, row.group)) {
        plan.settings.push_back({user->first, user->second, f->name,
                                 fmt::format("already set, kept (mlstack would set {}={})",
                                             row.name, row.value),
                                 row.entry.id, true});
        continue;
      }
      plan.settings.push_back({row.name, row.value, f->name, row.why, row.entry.id, false});
    }
  }

  std::string shim_caps;
  for (const Share& share : input.shares) {
    if (share.framework == "jax") {
      if (auto ok = add_cap_variable(
          plan, input, share, "XLA_PYTHON_CLIENT_MEM_FRACTION", share.text,
          "JAX's BFC allocator uses at most this fraction of each GPU's total memory",
          "mem-jax-xla-python-client-mem-fraction"); !ok) {
        return unexpected(std::move(ok).error());
      }
    } else if (share.framework == "cupy") {
      if (auto ok = add_cap_variable(
          plan, input, share, "CUPY_GPU_MEMORY_LIMIT", fmt::format("{:g}%", share.fraction * 100),
          "the limit of CuPy's default memory pool on each GPU, set when the pool is first used",
          "mem-cupy-cupy-gpu-memory-limit"); !ok) {
        return unexpected(std::move(ok).error());
      }
    } else {
      shim_caps += fmt::format("{}{}={}", shim_caps.empty() ? "" : ",", share.framework,
                               share.text);
    }
  }
  if (!shim_caps.empty()) {
    plan.needs_shim = true;
    plan.settings.push_back({std::string(k_share_variable), shim_caps, "mlstack",
                             "the caps the sitecustomize shim applies when torch or TensorFlow "
                             "is imported",
                             "", false});
    const bool tensorflow = std::any_of(input.shares.begin(), input.shares.end(),
                                        [](const Share& s) { return s.framework == "tensorflow"; });
    if (tensorflow) {
      if (input.gpu_memory_mib.empty()) {
        return unexpected(share_error(
            "--share tensorflow=...: TensorFlow's cap is a memory_limit in MiB per GPU, and no "
            "GPU was found to size it (NVML)\nhint: `mlstack doctor` says why no GPU is seen"));
      }
      std::string mib;
      for (std::uint64_t m : input.gpu_memory_mib) {
        mib += fmt::format("{}{}", mib.empty() ? "" : ",", m);
      }
      plan.settings.push_back({std::string(k_memory_variable), mib, "mlstack",
                               "each GPU's total memory in MiB, in CUDA order (NVML), for "
                               "TensorFlow's memory_limit",
                               "", false});
    }
  }
  return plan;
}

}  // namespace mlstack::launch
