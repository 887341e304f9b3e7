// SPDX-License-Identifier: MIT
#include "mlstack/gpu/visible_devices.hpp"

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
    {"MIG-8a1b2c3d-0000-0000-0000-000000000000", std::nullopt},   // not mapped (MIG)
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

}  // namespace
}  // namespace mlstack::gpu
