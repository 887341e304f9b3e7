// SPDX-License-Identifier: MIT
#include "mlstack/gpu/driver_version.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::gpu {
namespace {

struct ProcCase {
  std::string_view content;
  std::string_view version;
  KernelModuleFlavor flavor;
  std::string_view architecture;
};

// Captured first lines: the V-dev host (KB-FACTS §8), the open-module form from
// github.com/cpnr/computing/issues/109, and the R470 / aarch64 / ppc64le shapes of the line.
constexpr ProcCase k_proc_cases[] = {
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  Thu Apr  9 18:20:11 UTC 2026\n"
     "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n",
     "580.159.04", KernelModuleFlavor::proprietary, "x86_64"},
    {"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build  "
     "(dvs-builder@U16-I3-B03-4-3)  Tue Sep 23 09:36:30 UTC 2025\n",
     "580.95.05", KernelModuleFlavor::open, "x86_64"},
    {"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.126.09  Release Build  "
     "(dvs-builder@U22-I3-AM02-24-3)  Wed Jan  7 22:51:36 UTC 2026\nGCC version:  gcc version "
     "13.3.0 (Ubuntu 13.3.0-6ubuntu2~24.04.1)\n",
     "580.126.09", KernelModuleFlavor::open, "x86_64"},
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  470.82.01  Fri Oct 22 23:01:46 UTC 2021\n",
     "470.82.01", KernelModuleFlavor::proprietary, "x86_64"},
    {"NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  570.124.06  Release Build  "
     "(dvs-builder@U16-I3-B03-4-3)  Wed Feb 26 01:21:19 UTC 2025\n",
     "570.124.06", KernelModuleFlavor::open, "aarch64"},
    {"NVRM version: NVIDIA UNIX ppc64le Kernel Module  455.23  Fri Sep 11 2020\n", "455.23",
     KernelModuleFlavor::proprietary, "ppc64le"},
    // No trailing text, no newline, CRLF, and a preceding line.
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module 580.159.04", "580.159.04",
     KernelModuleFlavor::proprietary, "x86_64"},
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  Thu\r\nGCC version: x\r\n",
     "580.159.04", KernelModuleFlavor::proprietary, "x86_64"},
    {"\nNVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 2023\n",
     "535.104.05", KernelModuleFlavor::proprietary, "x86_64"},
};

TEST(ProcDriverVersionParse, ReadsCapturedLines) {
  for (const ProcCase& c : k_proc_cases) {
    SCOPED_TRACE(c.content);
    auto info = parse_proc_driver_version(c.content);
    ASSERT_TRUE(info) << render(info.error());
    EXPECT_EQ(info->version.text(), c.version);
    EXPECT_EQ(info->flavor, c.flavor);
    EXPECT_EQ(info->architecture, c.architecture);
  }
}

struct ErrorCase {
  std::string_view content;
  std::string_view rendered;
};

constexpr ErrorCase k_proc_errors[] = {
    {"", "expected a line beginning with `NVRM version:`, found no such line\n    \n    ^"},
    {"GCC version:  gcc version 12.2.0\n",
     "expected a line beginning with `NVRM version:`, found `GCC version:  gcc version 12.2.0`\n"
     "    GCC version:  gcc version 12.2.0\n"
     "    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"},
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  Thu Apr  9\n",
     "expected a driver version such as `580.159.04`, found `Thu`\n"
     "    NVRM version: NVIDIA UNIX x86_64 Kernel Module  Thu Apr  9\n"
     "                                                    ^^^"},
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module\n",
     "expected a driver version such as `580.159.04`, found end of line\n"
     "    NVRM version: NVIDIA UNIX x86_64 Kernel Module\n"
     "                                                  ^"},
    {"NVRM version: NVIDIA UNIX Open Kernel Module x86_64  580.95.05\n",
     "expected `Open Kernel Module for`, found `Open`\n"
     "    NVRM version: NVIDIA UNIX Open Kernel Module x86_64  580.95.05\n"
     "                              ^^^^"},
    {"NVRM version: AMD UNIX x86_64 Kernel Module  580.95.05\n",
     "expected `NVIDIA UNIX`, found `AMD`\n"
     "    NVRM version: AMD UNIX x86_64 Kernel Module  580.95.05\n"
     "                  ^^^"},
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04a  Thu\n",
     "expected a driver version such as `580.159.04`, found `580.159.04a`\n"
     "    NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04a  Thu\n"
     "                                                    ^^^^^^^^^^^"},
};

TEST(ProcDriverVersionParse, RejectsWithCaret) {
  for (const ErrorCase& c : k_proc_errors) {
    SCOPED_TRACE(c.content);
    auto info = parse_proc_driver_version(c.content);
    ASSERT_FALSE(info);
    EXPECT_EQ(render(info.error()), c.rendered);
  }
}

TEST(SysModuleVersionParse, ReadsVersionFile) {
  struct Case {
    std::string_view content, version;
  };
  constexpr Case k_cases[] = {
      {"580.159.04\n", "580.159.04"}, {"470.82.01", "470.82.01"}, {"  455.23 \n", "455.23"}};
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.content);
    auto v = parse_sys_module_version(c.content);
    ASSERT_TRUE(v) << render(v.error());
    EXPECT_EQ(v->text(), c.version);
  }
}

TEST(SysModuleVersionParse, RejectsWithCaret) {
  constexpr ErrorCase k_cases[] = {
      {"", "expected a digit in driver version, found end of line\n    \n    ^"},
      {"580\n", "expected a driver version such as `580.159.04`, found `580`\n    580\n    ^^^"},
      {"580.159.04-1\n",
       "expected `.` or end of driver version, found `-`\n    580.159.04-1\n              ^"},
      {"580..04", "expected a digit in driver version, found `.`\n    580..04\n        ^"},
  };
  for (const ErrorCase& c : k_cases) {
    SCOPED_TRACE(c.content);
    auto v = parse_sys_module_version(c.content);
    ASSERT_FALSE(v);
    EXPECT_EQ(render(v.error()), c.rendered);
  }
}

TEST(DriverVersionOrder, SortsNumerically) {
  // Must stay in sorted order.
  constexpr std::string_view k_sorted[] = {"455.23",    "470.82.01",  "525.60.13",  "580.65.06",
                                           "580.95.05", "580.126.09", "580.159.04", "590.44.01"};
  std::vector<DriverVersion> versions;
  for (std::string_view text : k_sorted) {
    auto v = DriverVersion::parse(text);
    ASSERT_TRUE(v) << text;
    versions.push_back(*v);
  }
  EXPECT_TRUE(std::ranges::is_sorted(versions));
  EXPECT_EQ(std::ranges::adjacent_find(versions), versions.end());
  for (std::size_t i = 0; i < versions.size(); ++i) {
    for (std::size_t j = 0; j < versions.size(); ++j) {
      EXPECT_EQ(versions[i] < versions[j], i < j) << k_sorted[i] << " vs " << k_sorted[j];
    }
  }
  EXPECT_EQ(*DriverVersion::parse("580.159.04"), *DriverVersion::parse("580.159.4"));
  EXPECT_EQ(DriverVersion::parse("580.159.04")->major(), 580U);
}

TEST(CudaDriverVersionFormat, SplitsMajorMinor) {
  struct Case {
    int version;
    std::string_view text;
  };
  constexpr Case k_cases[] = {{13000, "13.0"}, {12080, "12.8"}, {11040, "11.4"}, {12090, "12.9"},
                              {10020, "10.2"}, {13010, "13.1"}, {0, ""},         {-1, ""}};
  for (const Case& c : k_cases) {
    EXPECT_EQ(format_cuda_driver_version(c.version), c.text) << c.version;
  }
}

TEST(NvmlVersionDriver, DropsCudaMajorPrefix) {
  struct Case {
    std::string_view nvml, driver;
  };
  constexpr Case k_cases[] = {{"13.580.159.04", "580.159.04"},
                              {"12.535.104.05", "535.104.05"},
                              {"11.470.82.01", "470.82.01"},
                              {"580.159", "580.159"},
                              {"580.159.04", "580.159.04"},
                              {"", ""},
                              {"n/a", ""}};
  for (const Case& c : k_cases) {
    EXPECT_EQ(driver_version_of_nvml_version(c.nvml), c.driver) << c.nvml;
  }
}

}  // namespace
}  // namespace mlstack::gpu
