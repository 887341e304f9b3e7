// SPDX-License-Identifier: MIT
#include "mlstack/plan/plan.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace mlstack::plan {
namespace {

const kb::Kb& embedded() {
  static const kb::Kb kb = kb::load_kb({}).value();
  return kb;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

spec::Spec spec_of(std::string_view text) {
  auto s = spec::parse_spec("m.toml", text);
  EXPECT_TRUE(s) << render(s.error());
  return s.value();
}

const FrameworkChoice* choice(const Plan& p, std::string_view fw) {
  for (const FrameworkChoice& c : p.frameworks) {
    if (c.framework == fw) {
      return &c;
    }
  }
  return nullptr;
}

const SharedPin* pin(const Plan& p, std::string_view package) {
  for (const SharedPin& s : p.pins) {
    if (s.package == package) {
      return &s;
    }
  }
  return nullptr;
}

bool any_contains(const std::vector<std::string>& items, std::string_view needle) {
  for (const std::string& s : items) {
    if (s.find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string all_text(const Plan& p) { return render_text(p, Resolution{false, "-", {}}); }

TEST(PlanSeed, ChoosesTorchCu113AndTensorflow291) {
  const std::string path = std::string(MLSTACK_SOURCE_DIR) + "/examples/tf29-torch112/mlstack.toml";
  const Plan p = make_plan(spec_of(read(path)), embedded());
  ASSERT_TRUE(p.ok()) << all_text(p);

  const FrameworkChoice* torch = choice(p, "torch");
  ASSERT_NE(torch, nullptr);
  EXPECT_EQ(torch->requirement, "torch==1.12.1+cu113");
  EXPECT_EQ(torch->index_url, "https://download.pytorch.org/whl/cu113");
  EXPECT_EQ(torch->cuda, "11.3");
  EXPECT_EQ(torch->libraries, "bundled");
  EXPECT_EQ(torch->runtime_cuda, "11.3");
  ASSERT_EQ(torch->rejected.size(), 2U);
  EXPECT_NE(torch->rejected[0].what.find("cu102"), std::string::npos);
  EXPECT_NE(torch->rejected[0].why.find("built for CUDA 10.2"), std::string::npos);
  EXPECT_NE(torch->rejected[1].what.find("cu116"), std::string::npos);
  EXPECT_NE(torch->rejected[1].why.find("510.39.01"), std::string::npos);

  const FrameworkChoice* tf = choice(p, "tensorflow");
  ASSERT_NE(tf, nullptr);
  EXPECT_EQ(tf->requirement, "tensorflow==2.9.*,>=2.9.1");
  EXPECT_TRUE(tf->index_url.empty());
  EXPECT_EQ(tf->libraries, "system");
  ASSERT_EQ(tf->rejected.size(), 1U);
  EXPECT_EQ(tf->rejected[0].what, "tensorflow 2.9.0");
  EXPECT_NE(tf->rejected[0].why.find("protobuf<3.20"), std::string::npos);

  ASSERT_NE(pin(p, "protobuf"), nullptr);
  EXPECT_EQ(pin(p, "protobuf")->requirement, "protobuf<3.20,>=3.9.2");
  ASSERT_NE(pin(p, "numpy"), nullptr);
  EXPECT_EQ(pin(p, "numpy")->requirement, "numpy<2,>=1.20");

  EXPECT_EQ(p.driver.full_min, "465.19.01");
  EXPECT_EQ(p.driver.full_cuda, "11.3");
  EXPECT_EQ(p.driver.minor_min, "450.80.02");
  EXPECT_EQ(p.driver.path, DriverPath::minor_version);
  EXPECT_EQ(p.driver.require_cuda, "cuda>=11.0");

  ASSERT_EQ(p.variants.size(), 4U);
  EXPECT_EQ(p.variants[0].name, "base");
  ASSERT_EQ(p.variants[0].requirements.size(), 2U);  // the pins only
  const std::vector<ResolveInput> inputs = resolve_inputs(p);
  ASSERT_EQ(inputs.size(), 4U);
  EXPECT_EQ(inputs[3].variant, "full");
  EXPECT_EQ(inputs[3].python_version, "3.9");
  ASSERT_EQ(inputs[3].requirements.size(), 4U);
  EXPECT_EQ(inputs[3].requirements[0].text, "tensorflow==2.9.*,>=2.9.1");
  EXPECT_EQ(inputs[3].requirements[1].text, "torch==1.12.1+cu113");
  EXPECT_EQ(inputs[3].index_urls, std::vector<std::string>{"https://download.pytorch.org/whl/cu113"});
  EXPECT_TRUE(inputs[1].index_urls.empty());  // tf
}

TEST(PlanDriver, WithoutAFloorAsksForFullCompatibility) {
  const Plan p = make_plan(spec_of("[target]\npython = \"3.9\"\ncuda = \"11.2\"\n[frameworks]\n"
                                   "torch = \"==1.12.1\"\n"),
                           embedded());
  ASSERT_TRUE(p.ok()) << all_text(p);
  EXPECT_EQ(p.driver.path, DriverPath::full);
  EXPECT_EQ(p.driver.require_cuda, "cuda>=11.3");
}

TEST(PlanDriver, BelowTheMinorVersionFloorIsACollision) {
  const Plan p = make_plan(spec_of("[target]\npython = \"3.9\"\ncuda = \"11\"\nmin_driver = "
                                   "\"418.40\"\n[frameworks]\ntensorflow = \"==2.9.*\"\n"),
                           embedded());
  ASSERT_FALSE(p.ok());
  // Every CUDA 11 release breaks the driver floor, so no tensorflow release fits at all.
  EXPECT_EQ(p.collisions[0].what, "no release of tensorflow fits the spec");
  EXPECT_TRUE(any_contains(p.collisions[0].constraints,
                           "needs driver >= 450.80.02 even with minor-version compatibility; the "
                           "spec supports drivers from 418.40"));
}

TEST(PlanCollision, PythonOutsideEveryReleaseOfTheRange) {
  const Plan p = make_plan(
      spec_of("[target]\npython = \"3.12\"\n[frameworks]\ntensorflow = \"==2.9.*\"\n"), embedded());
  ASSERT_EQ(p.collisions.size(), 1U);
  EXPECT_EQ(p.collisions[0].constraints[0], "tensorflow ==2.9.* (m.toml:4)");
  EXPECT_TRUE(any_contains(p.collisions[0].constraints,
                           "needs Python >=3.7,<3.11; the images have Python 3.12"));
  EXPECT_TRUE(p.variants.empty());
  EXPECT_NE(all_text(p).find("No plan: constraints collide"), std::string::npos);
}

TEST(PlanCudaMajor, WithoutCudaTheFrameworksShareTheNewestCommonMajor) {
  const Plan p = make_plan(spec_of("[target]\npython = \"3.12\"\n[frameworks]\ntorch = \">=2.4\"\n"
                                   "jax = \"\"\ntensorflow = \"\"\n"),
                           embedded());
  ASSERT_TRUE(p.ok()) << all_text(p);
  EXPECT_EQ(p.base.cuda, "12");  // TensorFlow has no CUDA 13 build in the knowledge base
  for (const FrameworkChoice& c : p.frameworks) {
    SCOPED_TRACE(c.framework);
    EXPECT_EQ(c.cuda.substr(0, 3), "12.");
  }
  ASSERT_NE(choice(p, "jax"), nullptr);
  EXPECT_TRUE(choice(p, "jax")->requirement.starts_with("jax[cuda12]"));
  ASSERT_NE(choice(p, "torch"), nullptr);
  EXPECT_TRUE(choice(p, "torch")->requirement.ends_with(",>=2.4")) << choice(p, "torch")->requirement;
}

TEST(PlanCudaMajor, NoCommonMajorIsACollision) {
  const Plan p = make_plan(spec_of("[target]\npython = \"3.9\"\n[frameworks]\n"
                                   "torch = { version = \"==1.12.1\", variant = \"cu102\" }\n"
                                   "tensorflow = \"==2.9.*\"\n"),
                           embedded());
  ASSERT_EQ(p.collisions.size(), 1U) << all_text(p);
  EXPECT_EQ(p.collisions[0].what, "no CUDA major has a build of every framework of the spec");
  EXPECT_TRUE(any_contains(p.collisions[0].constraints, "torch ==1.12.1 (m.toml:4): CUDA 10"));
  EXPECT_TRUE(any_contains(p.collisions[0].constraints, "tensorflow ==2.9.* (m.toml:5): CUDA 11"));
}

TEST(PlanCollision, BaseImagePythonDiffersFromTheSpec) {
  const Plan p = make_plan(spec_of("[target]\npython = \"3.9\"\nbase = "
                                   "\"tensorflow/tensorflow:2.9.1-gpu\"\n"),
                           embedded());
  ASSERT_EQ(p.collisions.size(), 1U);
  EXPECT_EQ(p.collisions[0].what, "the base image's Python is not the spec's");
  EXPECT_TRUE(any_contains(p.collisions[0].constraints, "has Python 3.8"));
}

TEST(PlanCollision, ComputeCapabilityWithoutCode) {
  const Plan p = make_plan(spec_of("[target]\npython = \"3.9\"\ncuda = \"11.3\"\n"
                                   "gpus = [\"H100\"]\n[frameworks]\ntorch = \"==1.12.1\"\n"),
                           embedded());
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(any_contains(p.collisions[0].constraints,
                           "has no code for compute capability H100 (9.0)"));
}

TEST(PlanCollision, PinsNoVersionSatisfies) {
  kb::Kb kb = embedded();
  const std::string_view extra =
      "[[pin]]\nid = \"site-torch-numpy\"\nsource = \"test\"\nverified = true\n"
      "framework = \"torch\"\nversions = \"==1.12.*\"\npackage = \"numpy\"\n"
      "requires = \">=2\"\ndeclared = true\nwhy = \"a test row\"\n";
  ASSERT_TRUE(kb::add_kb_text(kb, "site.toml", extra));
  const Plan p = make_plan(spec_of("[target]\npython = \"3.9\"\ncuda = \"11.2\"\n[frameworks]\n"
                                   "tensorflow = \"==2.9.*\"\ntorch = \"==1.12.1\"\n"),
                           kb);
  ASSERT_EQ(p.collisions.size(), 1U) << all_text(p);
  EXPECT_EQ(p.collisions[0].what, "no numpy release satisfies every framework of m.toml");
  EXPECT_TRUE(any_contains(p.collisions[0].constraints, "torch ==1.12.*: numpy>=2 (site-torch-numpy)"));
  EXPECT_TRUE(any_contains(p.collisions[0].constraints, "numpy<2 (pin-torch-numpy-2)"));
}

TEST(PlanJson, CarriesTheSchemaAndEverySource) {
  const Plan p = make_plan(spec_of("[target]\npython = \"3.9\"\ncuda = \"11.2\"\n[frameworks]\n"
                                   "torch = \"==1.12.1\"\n"),
                           embedded());
  const std::string json = render_json(p, Resolution{false, "not done", {}});
  EXPECT_NE(json.find("\"schema\": \"mlstack.plan/1\""), std::string::npos);
  EXPECT_NE(json.find("pytorch/builder@049415d44cf345cc531962e15160d910b2f9d620"),
            std::string::npos);
  EXPECT_NE(json.find("\"index_url\": \"https://download.pytorch.org/whl/cu113\""),
            std::string::npos);
}

}  // namespace
}  // namespace mlstack::plan
