// SPDX-License-Identifier: MIT
// Corrections of the knowledge base (issue 7, "The knowledge base, corrected"): each test fails
// on the row as it was before, and names the public source of the new value.
#include "mlstack/cudalibs/library_uses.hpp"
#include "mlstack/kb/detail/gpu_arch.hpp"
#include "mlstack/kb/evaluate.hpp"

#include "embedded_kb.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mlstack::kb {
namespace {

using test_support::embedded;

const Entry* entry(const std::string& id) {
  const Kb& kb = embedded();
  for (const auto& r : kb.rules) {
    if (r.entry.id == id) {
      return &r.entry;
    }
  }
  return nullptr;
}

const Rule* rule(const std::string& id) {
  for (const auto& r : embedded().rules) {
    if (r.entry.id == id) {
      return &r;
    }
  }
  return nullptr;
}

const FrameworkRelease* release(const std::string& id) {
  for (const auto& r : embedded().releases) {
    if (r.entry.id == id) {
      return &r;
    }
  }
  return nullptr;
}

// Every source is something a user can open: no row cites the internal KB-FACTS.md.
TEST(KbCorrections, NoSourceCitesInternalNotes) {
  const Kb& kb = embedded();
  std::vector<const Entry*> all;
  for (const auto& r : kb.toolkits) all.push_back(&r.entry);
  for (const auto& r : kb.minor_version_compat) all.push_back(&r.entry);
  for (const auto& r : kb.arch_floors) all.push_back(&r.entry);
  for (const auto& r : kb.forward_compat) all.push_back(&r.entry);
  for (const auto& r : kb.gpus) all.push_back(&r.entry);
  for (const auto& r : kb.releases) all.push_back(&r.entry);
  for (const auto& r : kb.memory) all.push_back(&r.entry);
  for (const auto& r : kb.rules) all.push_back(&r.entry);
  for (const Entry* e : all) {
    EXPECT_EQ(e->source.find("KB-FACTS"), std::string::npos) << e->id << ": " << e->source;
    EXPECT_EQ(e->note.find("KB-FACTS"), std::string::npos) << e->id;
  }
  for (const EmbeddedFile& f : embedded_files()) {
    EXPECT_EQ(f.text.find("KB-FACTS"), std::string_view::npos) << f.name;
  }
}

// CUDA 11.7 Update 1 needs driver >= 515.48.07 (Toolkit Release Notes, Table 3); 515.65.01
// is the driver its installer ships.
TEST(KbCorrections, Cuda117Update1DriverIsTheTable3Minimum) {
  const auto& rows = embedded().toolkits;
  auto it = std::find_if(rows.begin(), rows.end(),
                         [](const ToolkitDriver& r) { return r.entry.id == "cuda-11.7.1-driver"; });
  ASSERT_NE(it, rows.end());
  EXPECT_EQ(it->min_driver.text, "515.48.07");
  EXPECT_TRUE(it->entry.verified);
}

// PyPI's onnxruntime-gpu 1.18.1 is the CUDA 11.8 + cuDNN 8 build (its CUDA provider NEEDs
// libcudnn.so.8); CUDA 12 is PyPI's default from 1.19.
TEST(KbCorrections, OnnxruntimeGpu1181IsCuda11Cudnn8) {
  const FrameworkRelease* r = release("onnxruntime-1.18.1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->cuda, "11.8");
  EXPECT_EQ(r->cudnn, "8.x");
  const Rule* cudnn8 = rule("KB-CUDNN8-ORT-TORCH");
  ASSERT_NE(cudnn8, nullptr);
  EXPECT_NE(cudnn8->when.text().find("< \"1.19\""), std::string::npos);
}

// onnxruntime < 1.19 fails with NumPy 2 (microsoft/onnxruntime#21063): verified, an error.
TEST(KbCorrections, OnnxruntimeNumpy2IsVerified) {
  const Rule* r = rule("KB-NUMPY2-ORT");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->entry.verified);
  EXPECT_EQ(r->severity, rules::Severity::error);
  EXPECT_NE(r->entry.source.find("onnxruntime/issues/21063"), std::string::npos);
}

// No public source shows TensorFlow 2.20 failing with protobuf >= 7.34: info, unverified.
TEST(KbCorrections, Tensorflow220ProtobufIsUnverified) {
  const Rule* r = rule("KB-PROTOBUF-TF220");
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->entry.verified);
  EXPECT_EQ(r->severity, rules::Severity::info);
}

// Conflicts the distributions declare are PKG-CONFLICT findings already.
TEST(KbCorrections, RulesThatRepeatDeclaredConflictsAreRetired) {
  for (const char* id :
       {"KB-MLDTYPES-TF214", "KB-MLDTYPES-TF-JAX", "KB-TYPING-EXT-TF213", "KB-NUMPY-JAX-TF"}) {
    EXPECT_EQ(entry(id), nullptr) << id;
  }
}

TEST(KbCorrections, ProtobufPythonImplementationAvoidsTheError) {
  facts::PythonFacts python;
  python.version = "3.10.0";
  facts::Inventory inventory;
  for (auto [name, version] : {std::pair{"tensorflow", "2.9.0"}, {"protobuf", "4.21.0"}}) {
    facts::InstalledDist d;
    d.canonical_name = name;
    d.version_text = version;
    inventory.dists.push_back(d);
  }
  facts::GpuFacts gpu;
  facts::BuildFacts builds;
  Environment env;
  EXPECT_EQ(evaluate(embedded(), KbInput{python, inventory, gpu, builds, &env}).size(), 1U);
  env["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python";
  EXPECT_TRUE(evaluate(embedded(), KbInput{python, inventory, gpu, builds, &env}).empty());
}

// jax 0.4.29 and 0.4.30 need cuDNN 9 (jaxlib==0.4.29+cuda12.cudnn91; the 0.4.30 plugin pins
// nvidia-cudnn-cu12>=9.0); numpy floors: 0.5.x >= 1.25, 0.6.2 >= 1.26 (PyPI METADATA).
TEST(KbCorrections, JaxCudnnAndNumpyFloors) {
  ASSERT_NE(release("jax-0.4.29-cuda12"), nullptr);
  EXPECT_NE(release("jax-0.4.29-cuda12")->cudnn.find("9.1"), std::string::npos);
  ASSERT_NE(release("jax-0.4.30-cuda12"), nullptr);
  EXPECT_NE(release("jax-0.4.30-cuda12")->cudnn.find(">=9.0"), std::string::npos);
  ASSERT_NE(release("jax-0.5.0-0.5.3-cuda12"), nullptr);
  EXPECT_EQ(release("jax-0.5.0-0.5.3-cuda12")->numpy, ">=1.25");
  ASSERT_NE(release("jax-0.6.2-cuda12"), nullptr);
  EXPECT_EQ(release("jax-0.6.2-cuda12")->numpy, ">=1.26");
  ASSERT_NE(release("jax-0.7.0-0.7.1-cuda12"), nullptr);
  EXPECT_NE(release("jax-0.7.0-0.7.1-cuda12")->cudnn.find(">=9.8"), std::string::npos);
  EXPECT_EQ(release("jax-0.7.0-0.7.1-cuda13"), nullptr);  // the cuda13 plugin starts at 0.7.2
}

// In TensorFlow's list `compute_90` is SASS and PTX for 9.0: the KB writes both.
TEST(KbCorrections, TensorflowArchsAreExplicit) {
  for (const char* id : {"tensorflow-2.18", "tensorflow-2.19", "tensorflow-2.20"}) {
    const FrameworkRelease* r = release(id);
    ASSERT_NE(r, nullptr) << id;
    EXPECT_NE(std::find(r->archs.begin(), r->archs.end(), "sm_90"), r->archs.end()) << id;
  }
}

TEST(KbCorrections, PytorchAllocConfIsTheCurrentName) {
  const auto& knobs = embedded().memory;
  auto find = [&](const std::string& name) {
    return std::find_if(knobs.begin(), knobs.end(),
                        [&](const MemoryKnob& k) { return k.name == name; });
  };
  ASSERT_NE(find("PYTORCH_ALLOC_CONF"), knobs.end());
  auto old = find("PYTORCH_CUDA_ALLOC_CONF");
  ASSERT_NE(old, knobs.end());
  EXPECT_NE(old->effect.find("deprecated"), std::string::npos);
  EXPECT_NE(old->entry.source.find("pytorch/pytorch/issues/183387"), std::string::npos);
  auto growth = find("TF_FORCE_GPU_ALLOW_GROWTH");
  ASSERT_NE(growth, knobs.end());
  EXPECT_TRUE(growth->entry.verified);
}

// Forward compatibility rests on `segment`: the GPUs of the goldens are read in NVIDIA's table.
TEST(KbCorrections, DataCenterSegmentsAreSourced) {
  for (const GpuModel& g : embedded().gpus) {
    if (g.pattern == "T4" || g.pattern == "A100" || g.pattern == "H100" || g.pattern == "H200") {
      EXPECT_TRUE(g.entry.verified) << g.pattern;
      EXPECT_EQ(g.segment, "data-center") << g.pattern;
    }
  }
}

bool has(const std::vector<std::string>& archs, const std::string& a) {
  return std::find(archs.begin(), archs.end(), a) != archs.end();
}

const ToolkitDriver* toolkit(const std::string& id) {
  for (const auto& r : embedded().toolkits) {
    if (r.entry.id == id) {
      return &r;
    }
  }
  return nullptr;
}

// Table 3 rows added for 13.2 Update 1 and 13.3 Update 1; 13.0 U1 and 13.1 GA were inferred from
// cuda-compat package versions, not read in a copy of Table 3: unverified.
TEST(KbCorrections, Cuda13ToolkitRowsAreTable3Minimums) {
  ASSERT_NE(toolkit("cuda-13.2.1-driver"), nullptr);
  EXPECT_EQ(toolkit("cuda-13.2.1-driver")->min_driver.text, "595.58.03");
  ASSERT_NE(toolkit("cuda-13.3.1-driver"), nullptr);
  EXPECT_EQ(toolkit("cuda-13.3.1-driver")->min_driver.text, "610.43.02");
  ASSERT_NE(toolkit("cuda-13.0.1-driver"), nullptr);
  EXPECT_FALSE(toolkit("cuda-13.0.1-driver")->entry.verified);
  ASSERT_NE(toolkit("cuda-13.1-driver"), nullptr);
  EXPECT_FALSE(toolkit("cuda-13.1-driver")->entry.verified);
}

// The forward-compat row carries what the rules need: the package name and where its libcuda goes.
TEST(KbCorrections, ForwardCompatNamesPackageAndFolder) {
  ASSERT_EQ(embedded().forward_compat.size(), 1U);
  const ForwardCompat& f = embedded().forward_compat[0];
  EXPECT_NE(f.package.find("cuda-compat-<major>-<minor>"), std::string::npos);
  EXPECT_NE(f.package.find("/usr/local/cuda-<major>.<minor>/compat"), std::string::npos);
  EXPECT_NE(f.eligible.find("data-center"), std::string::npos);
  EXPECT_NE(f.entry.source.find("forward-compatibility"), std::string::npos);
}

// torch archs per variant (pytorch/builder release branches; .ci/manywheel/build_cuda.sh at
// commits): cu128 kept sm_70 in 2.8-2.10 and dropped it in 2.11; only cu126 has sm_50/sm_60.
TEST(KbCorrections, TorchArchsPerVariant) {
  const FrameworkRelease* t112 = release("torch-1.12-cu102");
  ASSERT_NE(t112, nullptr);
  EXPECT_EQ(t112->archs, (std::vector<std::string>{"sm_37", "sm_50", "sm_60", "sm_70"}));
  for (const char* id : {"torch-1.12-cu113", "torch-1.12-cu116"}) {
    ASSERT_NE(release(id), nullptr) << id;
    EXPECT_TRUE(has(release(id)->archs, "sm_86")) << id;
  }
  for (const char* id : {"torch-2.4-cu118", "torch-2.5-cu118"}) {
    ASSERT_NE(release(id), nullptr) << id;
    EXPECT_TRUE(has(release(id)->archs, "sm_37")) << id;
    EXPECT_TRUE(has(release(id)->archs, "sm_90")) << id;
  }
  ASSERT_NE(release("torch-2.10-cu128"), nullptr);
  EXPECT_TRUE(has(release("torch-2.10-cu128")->archs, "sm_70"));
  ASSERT_NE(release("torch-2.11-cu128"), nullptr);
  EXPECT_FALSE(has(release("torch-2.11-cu128")->archs, "sm_70"));
  ASSERT_NE(release("torch-2.9-cu130"), nullptr);
  EXPECT_TRUE(has(release("torch-2.9-cu130")->archs, "compute_120"));
  ASSERT_NE(release("torch-2.11-cu130"), nullptr);
  EXPECT_FALSE(has(release("torch-2.11-cu130")->archs, "compute_120"));
  for (const FrameworkRelease& r : embedded().releases) {
    if (r.framework == "torch" && !r.archs.empty() && r.variant != "cu126" &&
        r.versions.to_string().find("2.1") != std::string::npos &&
        (r.variant == "cu128" || r.variant == "cu129" || r.variant == "cu130" ||
         r.variant == "cu132")) {
      EXPECT_FALSE(has(r.archs, "sm_50")) << r.entry.id;
      EXPECT_FALSE(has(r.archs, "sm_60")) << r.entry.id;
    }
  }
}

// TensorFlow archs read from the PyPI wheels' build_info.py: 2.17 starts at sm_60 (5.x dropped),
// 2.16 still has sm_50, 2.9 ends with compute_80 = sm_80 + PTX 8.0.
TEST(KbCorrections, TensorflowArchsFromTheWheels) {
  ASSERT_NE(release("tensorflow-2.17"), nullptr);
  EXPECT_EQ(release("tensorflow-2.17")->archs,
            (std::vector<std::string>{"sm_60", "sm_70", "sm_80", "sm_89", "sm_90", "compute_90"}));
  ASSERT_NE(release("tensorflow-2.16"), nullptr);
  EXPECT_TRUE(has(release("tensorflow-2.16")->archs, "sm_50"));
  ASSERT_NE(release("tensorflow-2.9"), nullptr);
  EXPECT_TRUE(has(release("tensorflow-2.9")->archs, "sm_80"));
  EXPECT_TRUE(has(release("tensorflow-2.9")->archs, "compute_80"));
  EXPECT_TRUE(detail::has_sass(release("tensorflow-2.21")->archs, 9, 0));
}

// ONNX Runtime 1.21-1.23 wheels say cuda_version = '12.2' (capi/build_and_package_info.py).
TEST(KbCorrections, OnnxruntimeRowsReadFromTheWheels) {
  ASSERT_NE(release("onnxruntime-1.21-1.23"), nullptr);
  EXPECT_TRUE(release("onnxruntime-1.21-1.23")->entry.verified);
  EXPECT_EQ(release("onnxruntime-1.21-1.23")->cuda, "12.2");
}

// jax 0.4.26-0.4.28 pin cuDNN 8.9 (< 9.0); 0.4.29 is the first cuDNN 9 release.
TEST(KbCorrections, JaxCudnn8BeforeTheCudnn9Releases) {
  ASSERT_NE(release("jax-0.4.26-0.4.28-cuda12"), nullptr);
  EXPECT_NE(release("jax-0.4.26-0.4.28-cuda12")->cudnn.find("<9.0"), std::string::npos);
}

// The first gpus.toml pattern that matches decides: the RTX PRO 6000 Blackwell Server Edition is
// a data-center GPU (forward compatibility applies), the Workstation Edition is not.
TEST(KbCorrections, RtxPro6000SegmentsByEdition) {
  auto segment = [](std::string_view name) {
    for (const GpuModel& g : embedded().gpus) {
      if (detail::matches_words(name, g.pattern)) {
        return g.segment;
      }
    }
    return std::string("none");
  };
  EXPECT_EQ(segment("NVIDIA RTX PRO 6000 Blackwell Server Edition"), "data-center");
  EXPECT_EQ(segment("NVIDIA RTX PRO 6000 Blackwell Workstation Edition"), "workstation");
  EXPECT_EQ(segment("NVIDIA GeForce RTX 5090"), "consumer");
  EXPECT_EQ(segment("Tesla T4"), "data-center");
  EXPECT_EQ(segment("NVIDIA L40S"), "data-center");
}

}  // namespace
}  // namespace mlstack::kb
