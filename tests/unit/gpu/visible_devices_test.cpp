// SPDX-License-Identifier: MIT
#include "mlstack/gpu/visible_devices.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::gpu {
namespace {

// Four devices, NVML order. Two share the prefix `GPU-aaaa`.
const std::vector<std::string> k_uuids = {
    "GPU-8932f937-d72c-4106-c12f-20bd9faed9f6",
    "GPU-aaaa0001-0000-0000-0000-000000000000",
    "GPU-aaaa0002-0000-0000-0000-000000000000",
    "GPU-1234abcd-0000-0000-0000-000000000000",
};

struct Case {
  std::optional<std::string_view> value;  // nullopt: unset
  std::optional<std::vector<std::size_t>> selected;
};

// Rules in visible_devices.hpp (CUDA C++ Programming Guide "CUDA Environment Variables";
// torch/cuda/__init__.py `_parse_visible_devices`, `_transform_uuid_to_ordinals`).
const Case k_cases[] = {
    {std::nullopt, std::vector<std::size_t>{0, 1, 2, 3}},  // 1: unset = all
    {"", std::vector<std::size_t>{}},                      // 6: empty = none
    {"0", std::vector<std::size_t>{0}},
    {"2,1", std::vector<std::size_t>{2, 1}},            // order is CUDA's order
    {"0,2,-1,1", std::vector<std::size_t>{0, 2}},       // guide's example: -1 ends the list
    {" 1 , 3 ", std::vector<std::size_t>{1, 3}},        // whitespace trimmed
    {"1gpu2,2ampere", std::vector<std::size_t>{1, 2}},  // strtoul: leading digits
    {"+1,3", std::vector<std::size_t>{1, 3}},           // sign allowed
    {"1,x,2", std::vector<std::size_t>{1}},             // no digits ends the list
    {"1,,2", std::vector<std::size_t>{1}},              // empty entry ends the list
    {"1,7,2", std::vector<std::size_t>{1}},             // past the device count ends it
    {"0,1,0", std::vector<std::size_t>{}},              // 5: repeat empties it
    {"3,2,1,0", std::vector<std::size_t>{3, 2, 1, 0}},
    {"99999999999999999999999", std::vector<std::size_t>{}},  // saturates, past the count
    {"GPU-8932f937-d72c-4106-c12f-20bd9faed9f6", std::vector<std::size_t>{0}},
    {"GPU-8932f937", std::vector<std::size_t>{0}},  // unique prefix
    {"GPU-1234,GPU-8932", std::vector<std::size_t>{3, 0}},
    {"GPU-1234,GPU-aaaa,GPU-8932", std::vector<std::size_t>{3}},  // ambiguous ends it
    {"GPU-1234,GPU-ffff,GPU-8932", std::vector<std::size_t>{3}},  // no match ends it
    {"GPU-1234,0", std::vector<std::size_t>{3}},                  // 4: other prefix ends it
    {"GPU-1234,GPU-1234", std::vector<std::size_t>{}},            // 5: repeat
    {"GPU-1234,GPU-1234abcd", std::vector<std::size_t>{}},        // 5: two prefixes of one device
    {"0,GPU-1234", std::vector<std::size_t>{0}},                  // an ordinal list stops at a UUID
    {"MIG-8a1b2c3d-0000-0000-0000-000000000000", std::nullopt},   // 7: no whole GPU (MIG)
};

TEST(CudaVisibleDevices, SelectsAsCudaDoes) {
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.value ? std::string(*c.value) : std::string("<unset>"));
    const VisibleDevices visible = parse_cuda_visible_devices(c.value);
    EXPECT_EQ(select_visible_devices(visible, k_uuids), c.selected);
  }
}

TEST(CudaVisibleDevices, ParsesKinds) {
  EXPECT_EQ(parse_cuda_visible_devices(std::nullopt).kind, VisibleDevices::Kind::all);
  EXPECT_EQ(parse_cuda_visible_devices("").kind, VisibleDevices::Kind::ordinals);
  EXPECT_EQ(parse_cuda_visible_devices("GPU-1").kind, VisibleDevices::Kind::gpu_uuids);
  const VisibleDevices mig = parse_cuda_visible_devices("MIG-a,MIG-b,GPU-c,MIG-d");
  EXPECT_EQ(mig.kind, VisibleDevices::Kind::mig_uuids);
  EXPECT_EQ(mig.uuids, (std::vector<std::string>{"MIG-a", "MIG-b"}));
  EXPECT_TRUE(parse_cuda_visible_devices("MIG-a,MIG-a").uuids.empty());
  EXPECT_EQ(parse_cuda_visible_devices("-0,1").ordinals, (std::vector<std::uint64_t>{0, 1}));
}

TEST(CudaVisibleDevices, NoDevices) {
  EXPECT_EQ(select_visible_devices(parse_cuda_visible_devices("0"), {}),
            std::vector<std::size_t>{});
  EXPECT_EQ(select_visible_devices(parse_cuda_visible_devices(std::nullopt), {}),
            std::vector<std::size_t>{});
}

// Two GPUs: GPU 0 split into three GPU instances, GPU 1 into one GPU instance holding two
// compute instances. `MIG-7b` is a prefix of two MIG devices.
const std::vector<std::string> k_gpus = {
    "GPU-11111111-2222-3333-4444-555555555555",
    "GPU-66666666-7777-8888-9999-000000000000",
};
const std::vector<MigDeviceRef> k_migs = {
    {0, "MIG-3a0c2f6e-5b1d-5e7a-9c44-0d1e2f3a4b5c", 2, 0},
    {0, "MIG-7b2e4d6f-8a9c-5b0d-a1e2-3f4a5b6c7d8e", 3, 0},
    {0, "MIG-7b9f0a1c-2d3e-5f4a-b5c6-d7e8f9a0b1c2", 9, 0},
    {1, "MIG-c1c10000-0000-5000-8000-000000000001", 1, 0},
    {1, "MIG-c2c20000-0000-5000-8000-000000000002", 1, 1},
};

struct MigCase {
  std::string_view value;
  MigEnumeration enumeration;
  std::vector<std::size_t> selected;  // indices into k_migs, CUDA order
  std::vector<std::size_t> ignored;
};

constexpr auto k_single = MigEnumeration::single_device;
constexpr auto k_per_gi = MigEnumeration::one_per_gpu_instance;

// MIG User Guide, "CUDA Device Enumeration" (visible_devices.hpp, MigEnumeration).
const MigCase k_mig_cases[] = {
    {"MIG-3a0c2f6e-5b1d-5e7a-9c44-0d1e2f3a4b5c", k_single, {0}, {}},
    {"MIG-3a0c", k_single, {0}, {}},                          // unique prefix
    {"MIG-7b2e,MIG-3a0c", k_single, {1}, {0}},                // before R570: the first only
    {"MIG-7b2e,MIG-3a0c", k_per_gi, {1, 0}, {}},              // R570+: one per GPU instance
    {"MIG-7b2e,MIG-3a0c,MIG-c1c1", k_per_gi, {1, 0, 3}, {}},  // across GPUs
    {"MIG-7b,MIG-3a0c", k_single, {}, {}},                    // ambiguous ends the list
    {"MIG-3a0c,MIG-7b,MIG-c1c1", k_per_gi, {0}, {}},          // ... wherever it is
    {"MIG-3a0c,MIG-ffff,MIG-7b2e", k_per_gi, {0}, {}},        // no match ends the list
    {"MIG-3a0c,GPU-1111,MIG-7b2e", k_per_gi, {0}, {}},        // another prefix ends it
    {"MIG-3a0c,MIG-3a0c", k_per_gi, {}, {}},                  // repeat empties it
    {"MIG-3a0c,MIG-3a0c2f6e", k_per_gi, {}, {}},              // two prefixes of one device
    {"MIG-c1c1,MIG-c2c2", k_per_gi, {3}, {4}},                // two CIs of one GI: first
    {"MIG-c2c2,MIG-c1c1", k_per_gi, {4}, {3}},
    {"MIG-c2c2,MIG-7b9f,MIG-c1c1", k_single, {4}, {2, 3}},
    // Drivers before R470: MIG-<GPU-UUID>/<GPU instance ID>/<compute instance ID>.
    {"MIG-GPU-66666666-7777-8888-9999-000000000000/1/1", k_single, {4}, {}},
    {"MIG-GPU-1111/9/0,MIG-GPU-6666/1/0", k_per_gi, {2, 3}, {}},  // GPU UUID prefixes
    {"MIG-GPU-1111/9/1", k_single, {}, {}},                       // no such compute instance
    {"MIG-GPU-/1/0", k_single, {}, {}},                           // ambiguous GPU
    {"MIG-GPU-1111/x/0", k_single, {}, {}},                       // not a number
    {"MIG-GPU-1111/9/0,MIG-7b9f", k_per_gi, {}, {}},              // both name MIG device 2
    {"MIG-", k_single, {}, {}},                                   // prefix of all
    {"", k_single, {}, {}},                                       // not a MIG list
    {"0", k_single, {}, {}},
    {"GPU-1111", k_single, {}, {}},
};

TEST(CudaVisibleDevices, SelectsMigDevicesAsCudaDoes) {
  for (const MigCase& c : k_mig_cases) {
    SCOPED_TRACE(std::string(c.value) + (c.enumeration == k_single ? " (single)" : " (per GI)"));
    const VisibleDevices visible = parse_cuda_visible_devices(c.value);
    const MigSelection got = select_visible_mig_devices(visible, k_gpus, k_migs, c.enumeration);
    EXPECT_EQ(got.selected, c.selected);
    EXPECT_EQ(got.ignored, c.ignored);
    // A MIG list never selects whole GPUs.
    if (visible.kind == VisibleDevices::Kind::mig_uuids) {
      EXPECT_EQ(select_visible_devices(visible, k_gpus), std::nullopt);
    }
  }
}

TEST(CudaVisibleDevices, AtMost64MigDevices) {
  // R570+: "CUDA supports at most 64 MIG instances across all GPUs".
  std::vector<std::string> gpus;
  std::vector<MigDeviceRef> migs;
  std::string value;
  for (unsigned i = 0; i < 70; ++i) {
    gpus.push_back(fmt::format("GPU-{:08x}-0000-0000-0000-000000000000", i));
    migs.push_back({i, fmt::format("MIG-{:08x}-0000-5000-8000-000000000000", i), 1, 0});
    value += fmt::format("{}MIG-{:08x}", value.empty() ? "" : ",", i);
  }
  const MigSelection got =
      select_visible_mig_devices(parse_cuda_visible_devices(value), gpus, migs, k_per_gi);
  ASSERT_EQ(got.selected.size(), k_cuda_max_mig_devices);
  EXPECT_EQ(got.selected.back(), 63U);
  EXPECT_EQ(got.ignored, (std::vector<std::size_t>{64, 65, 66, 67, 68, 69}));
}

TEST(CudaVisibleDevices, MigEnumerationOfDriver) {
  EXPECT_EQ(mig_enumeration_of_driver(0), k_single);  // unknown: the stricter rule
  EXPECT_EQ(mig_enumeration_of_driver(450), k_single);
  EXPECT_EQ(mig_enumeration_of_driver(550), k_single);
  EXPECT_EQ(mig_enumeration_of_driver(565), k_single);
  EXPECT_EQ(mig_enumeration_of_driver(570), k_per_gi);
  EXPECT_EQ(mig_enumeration_of_driver(580), k_per_gi);
}

}  // namespace
}  // namespace mlstack::gpu
