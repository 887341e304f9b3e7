// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/// Pure parsers for the driver's version files (no I/O: they take the text; gather.cpp reads).
namespace mlstack::gpu {

/// An NVIDIA driver version such as `580.159.04` or `455.23`: two or more dot-separated
/// decimal numbers. Ordered numerically component by component (`580.65.06 < 580.159.04`);
/// `text` keeps the spelling (`04`).
class DriverVersion {
 public:
  /// Accepts `digits ('.' digits)+`, nothing else (no spaces, no suffix).
  [[nodiscard]] static Result<DriverVersion> parse(std::string_view text);

  [[nodiscard]] const std::string& text() const noexcept { return m_text; }
  [[nodiscard]] const std::vector<std::uint32_t>& parts() const noexcept { return m_parts; }
  /// The branch: `580` of `580.159.04`.
  [[nodiscard]] std::uint32_t major() const noexcept { return m_parts.front(); }

  friend std::strong_ordering operator<=>(const DriverVersion& a, const DriverVersion& b) {
    return a.m_parts <=> b.m_parts;
  }
  friend bool operator==(const DriverVersion& a, const DriverVersion& b) {
    return a.m_parts == b.m_parts;
  }

 private:
  std::string m_text;
  std::vector<std::uint32_t> m_parts;
};

/// Which kernel module the driver runs: NVIDIA's proprietary one or the open GPU kernel
/// modules (`NVIDIA UNIX Open Kernel Module for x86_64`).
enum class KernelModuleFlavor : std::uint8_t { proprietary, open };

/// "proprietary" or "open".
[[nodiscard]] std::string_view to_string(KernelModuleFlavor flavor) noexcept;

/// What the first line of `/proc/driver/nvidia/version` says.
struct KernelModuleInfo {
  DriverVersion version;
  KernelModuleFlavor flavor = KernelModuleFlavor::proprietary;
  std::string architecture;  // `x86_64`, `aarch64`, `ppc64le`
};

/// Parses the content of `/proc/driver/nvidia/version`, such as
/// ```
/// NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  Thu Apr  9 ... UTC 2026
/// GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)
/// ```
/// or, for the open kernel modules,
/// `NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build  (...)`.
// nvrm_line = "NVRM version:" WS* "NVIDIA UNIX" WS+
//             ( ARCH WS+ "Kernel Module" | "Open Kernel Module for" WS+ ARCH ) WS+
//             DRIVER_VERSION ( WS+ anything )?
// The first line that begins with `NVRM version:` is used; other lines are ignored.
[[nodiscard]] Result<KernelModuleInfo> parse_proc_driver_version(std::string_view content);

/// Parses the content of `/sys/module/nvidia/version`: one driver version and a newline
/// (`580.159.04\n`). Surrounding whitespace is ignored.
[[nodiscard]] Result<DriverVersion> parse_sys_module_version(std::string_view content);

/// The CUDA version an NVML/CUDA driver integer stands for: `13000` → `13.0`, `12080` →
/// `12.8`, `11040` → `11.4` (NVML_CUDA_DRIVER_VERSION_MAJOR(v) = v / 1000,
/// NVML_CUDA_DRIVER_VERSION_MINOR(v) = v % 1000 / 10). Empty for a value <= 0.
[[nodiscard]] std::string format_cuda_driver_version(int version);

/// The driver version inside an NVML library version: `13.580.159.04` → `580.159.04`
/// (nvmlSystemGetNVMLVersion prefixes the CUDA major); a version without that prefix, such as
/// `580.159`, comes back as is; empty when `nvml_version` holds no driver version.
[[nodiscard]] std::string driver_version_of_nvml_version(std::string_view nvml_version);

}  // namespace mlstack::gpu
