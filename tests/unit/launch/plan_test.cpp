// SPDX-License-Identifier: MIT
#include "mlstack/launch/plan.hpp"

#include <gtest/gtest.h>

#include "mlstack/base/error.hpp"
#include "mlstack/kb/kb.hpp"

namespace mlstack::launch {
namespace {

// The embedded KB's [[launch]] rows (data/kb/memory.toml): the tests judge the real rows.
const std::vector<kb::LaunchSetting>& rows() {
  static const kb::Kb kb = kb::load_kb({}).value();
  return kb.launch;
}

PlanInput with(std::vector<Framework> installed, std::vector<Share> shares = {}) {
  PlanInput in;
  in.installed = std::move(installed);
  in.shares = std::move(shares);
  return in;
}

const Setting* find(const Plan& plan, std::string_view name) {
  for (const Setting& s : plan.settings) {
    if (s.name == name) {
      return &s;
    }
  }
  return nullptr;
}

std::vector<Share> shares(const std::string& text) {
  return parse_shares({text}).value();
}

TEST(ParseShares, ReadsFrameworksAndFractions) {
  const auto s = shares("torch=0.3, jax=.25,cupy=1");
  ASSERT_EQ(s.size(), 3U);
  EXPECT_EQ(s[0].framework, "torch");
  EXPECT_DOUBLE_EQ(s[0].fraction, 0.3);
  EXPECT_EQ(s[1].text, ".25");
  EXPECT_DOUBLE_EQ(s[2].fraction, 1.0);
  EXPECT_EQ(parse_shares({"torch=0.3", "jax=0.2"}).value().size(), 2U);  // repeated option
}

TEST(ParseShares, RefusesWhatIsNotACap) {
  EXPECT_EQ(parse_shares({"torch"}).error().message,
            "--share: expected FRAMEWORK=FRACTION, such as `torch=0.3`, found `torch`");
  EXPECT_EQ(parse_shares({"pytorch=0.3"}).error().message,
            "--share: unknown framework `pytorch`; did you mean `torch`?");
  EXPECT_EQ(parse_shares({"mxnet=0.3"}).error().message,
            "--share: unknown framework `mxnet`; expected `torch`, `tensorflow`, `jax` or `cupy`");
  for (const char* bad : {"torch=0", "torch=1.5", "torch=-0.1", "torch=nan", "torch=1e-1", "torch="}) {
    EXPECT_FALSE(parse_shares({bad})) << bad;
  }
  EXPECT_EQ(parse_shares({"torch=0.3,torch=0.2"}).error().message,
            "--share: `torch` is given twice (0.3 and 0.2)");
}

TEST(PlanLaunch, GrowthForEachInstalledFrameworkByVersion) {
  const Plan plan = plan_launch(with({{"tensorflow", "tensorflow", "2.9.1"},
                                      {"torch", "torch", "2.9.1+cu128"},
                                      {"jax", "jaxlib", "0.4.30"},
                                      {"cupy", "cupy-cuda12x", "13.3.0"}}),
                                rows())
                        .value();
  ASSERT_NE(find(plan, "TF_FORCE_GPU_ALLOW_GROWTH"), nullptr);
  EXPECT_EQ(find(plan, "TF_FORCE_GPU_ALLOW_GROWTH")->value, "true");
  EXPECT_EQ(find(plan, "XLA_PYTHON_CLIENT_PREALLOCATE")->value, "false");
  // torch 2.9.x: the deprecated name is the one that works (pytorch/pytorch#183387).
  ASSERT_NE(find(plan, "PYTORCH_CUDA_ALLOC_CONF"), nullptr);
  EXPECT_EQ(find(plan, "PYTORCH_CUDA_ALLOC_CONF")->value, "expandable_segments:True");
  EXPECT_EQ(find(plan, "PYTORCH_ALLOC_CONF"), nullptr);
  EXPECT_FALSE(plan.needs_shim);
  EXPECT_TRUE(plan.notes.empty());
  // Listed in the order torch, tensorflow, jax, cupy.
  ASSERT_EQ(plan.frameworks.size(), 4U);
  EXPECT_EQ(plan.frameworks[0].name, "torch");
  EXPECT_EQ(plan.settings.front().name, "PYTORCH_CUDA_ALLOC_CONF");
}

TEST(PlanLaunch, TorchAllocatorNameFollowsTheVersion) {
  const Plan new_torch = plan_launch(with({{"torch", "torch", "2.11.0"}}), rows()).value();
  EXPECT_NE(find(new_torch, "PYTORCH_ALLOC_CONF"), nullptr);
  EXPECT_EQ(find(new_torch, "PYTORCH_CUDA_ALLOC_CONF"), nullptr);
  const Plan dev = plan_launch(with({{"torch", "torch", "2.10.0.dev20250901+cu130"}}), rows()).value();
  EXPECT_NE(find(dev, "PYTORCH_ALLOC_CONF"), nullptr);
  const Plan mid = plan_launch(with({{"torch", "torch", "2.1.0"}}), rows()).value();
  EXPECT_NE(find(mid, "PYTORCH_CUDA_ALLOC_CONF"), nullptr);
  // Before 2.1 expandable_segments would stop torch: nothing is set, and the note says why.
  const Plan old = plan_launch(with({{"torch", "torch", "1.12.1+cu113"}}), rows()).value();
  EXPECT_TRUE(old.settings.empty());
  ASSERT_EQ(old.notes.size(), 1U);
  EXPECT_NE(old.notes[0].find("torch 1.12.1+cu113: torch before 2.1 has no expandable_segments"),
            std::string::npos);
}

TEST(PlanLaunch, Jax0423IgnoresPreallocateAndSaysSo) {
  const Plan plan = plan_launch(with({{"jax", "jaxlib", "0.4.23+cuda12.cudnn89"}}), rows()).value();
  EXPECT_NE(find(plan, "XLA_PYTHON_CLIENT_PREALLOCATE"), nullptr);
  ASSERT_EQ(plan.notes.size(), 1U);
  EXPECT_NE(plan.notes[0].find("ignores XLA_PYTHON_CLIENT_PREALLOCATE=false"), std::string::npos);
}

TEST(PlanLaunch, NeverOverridesTheUsersVariableUnderAnyNameOfItsGroup) {
  PlanInput in = with({{"torch", "torch", "2.9.1"}, {"tensorflow", "tensorflow", "2.20.0"}});
  in.environment = {{"PYTORCH_ALLOC_CONF", "max_split_size_mb:128"},
                    {"TF_FORCE_GPU_ALLOW_GROWTH", "false"}};
  const Plan plan = plan_launch(in, rows()).value();
  EXPECT_EQ(find(plan, "PYTORCH_CUDA_ALLOC_CONF"), nullptr);  // the same setting, other name
  const Setting* torch = find(plan, "PYTORCH_ALLOC_CONF");
  ASSERT_NE(torch, nullptr);
  EXPECT_TRUE(torch->kept);
  EXPECT_EQ(torch->value, "max_split_size_mb:128");
  const Setting* tf = find(plan, "TF_FORCE_GPU_ALLOW_GROWTH");
  ASSERT_NE(tf, nullptr);
  EXPECT_TRUE(tf->kept);
  EXPECT_EQ(tf->value, "false");
}

TEST(PlanLaunch, CapsThroughEachFrameworksOwnMechanism) {
  PlanInput in = with({{"torch", "torch", "2.11.0"},
                       {"tensorflow", "tensorflow", "2.20.0"},
                       {"jax", "jaxlib", "0.7.0"},
                       {"cupy", "cupy-cuda12x", "13.3.0"}},
                      shares("torch=0.3,tensorflow=0.2,jax=0.25,cupy=0.15"));
  in.gpu_memory_mib = {81559, 40960};
  const Plan plan = plan_launch(in, rows()).value();
  EXPECT_TRUE(plan.needs_shim);
  EXPECT_EQ(find(plan, "MLSTACK_SHARE")->value, "torch=0.3,tensorflow=0.2");
  EXPECT_EQ(find(plan, "MLSTACK_SHARE_GPU_MIB")->value, "81559,40960");
  EXPECT_EQ(find(plan, "XLA_PYTHON_CLIENT_MEM_FRACTION")->value, "0.25");
  EXPECT_EQ(find(plan, "CUPY_GPU_MEMORY_LIMIT")->value, "15%");
  // Growth stays on beside the caps.
  EXPECT_EQ(find(plan, "XLA_PYTHON_CLIENT_PREALLOCATE")->value, "false");
}

TEST(PlanLaunch, RefusesImpossibleCaps) {
  const std::vector<Framework> both = {{"torch", "torch", "2.11.0"}, {"jax", "jaxlib", "0.7.0"}};
  EXPECT_EQ(plan_launch(with(both, shares("torch=0.7,jax=0.5")), rows()).error().message,
            "--share: the caps add up to 1.2, more than the whole GPU (torch=0.7 + jax=0.5)");
  EXPECT_TRUE(plan_launch(with(both, shares("torch=0.7,jax=0.3")), rows()));  // exactly 1
  EXPECT_EQ(plan_launch(with(both, shares("cupy=0.1")), rows()).error().message,
            "--share cupy=0.1: cupy is not installed in the target environment (frameworks "
            "found: torch 2.11.0, jax 0.7.0)");
  PlanInput user = with(both, shares("jax=0.3"));
  user.environment = {{"XLA_PYTHON_CLIENT_MEM_FRACTION", ".5"}};
  EXPECT_EQ(plan_launch(user, rows()).error().message,
            "--share jax=0.3: XLA_PYTHON_CLIENT_MEM_FRACTION is already set (`.5`); unset it, or "
            "leave jax out of --share");
  const PlanInput no_gpu =
      with({{"tensorflow", "tensorflow", "2.20.0"}}, shares("tensorflow=0.5"));
  EXPECT_NE(plan_launch(no_gpu, rows()).error().message.find("no GPU was found"),
            std::string::npos);
}

}  // namespace
}  // namespace mlstack::launch
