// SPDX-License-Identifier: MIT
#include "mlstack/rules/loader_findings.hpp"
#include "mlstack/rules/loader_cuda_major.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mlstack::rules {
namespace {

using facts::LoadScenario;
using facts::MappedLibrary;

MappedLibrary lib(std::string library, std::string path, std::string version,
                  std::string loaded_by, std::string rule = "runpath") {
  MappedLibrary m;
  m.library = std::move(library);
  m.path = path;
  m.real_path = std::move(path);
  const std::size_t slash = m.path.rfind('/');
  m.soname = m.path.substr(slash + 1);
  m.version = {std::move(version), "wheel metadata"};
  m.origin = "wheel";
  m.rule = std::move(rule);
  m.loaded_by = std::move(loaded_by);
  return m;
}

facts::FrameworkBuild build(std::string name, std::string version, std::string cudnn) {
  facts::FrameworkBuild b;
  b.name = std::move(name);
  b.distribution = b.name;
  b.version = std::move(version);
  b.gpu_build = true;
  b.cudnn = {std::move(cudnn), "build_info.py"};
  return b;
}

const std::string k_torch_cudnn = "/venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9";
const std::string k_sys_cudnn = "/usr/lib/x86_64-linux-gnu/libcudnn.so.9";

// torch maps the system's cuDNN 9.1 (a system-CUDA build); TensorFlow 2.21 needs 9.3 and
// finds its wheel's 9.10 when imported alone or first.
struct TwoOrders {
  facts::LoaderFacts loader;
  facts::BuildFacts builds;
  TwoOrders() {
    loader.emulated = true;
    builds.frameworks = {build("torch", "2.15.0", ""), build("tensorflow", "2.21.0", "9.3")};
    LoadScenario tf_first;
    tf_first.order = {"tensorflow", "torch"};
    tf_first.libraries = {lib("cudnn", k_torch_cudnn, "9.10.2.21", "tensorflow")};
    LoadScenario torch_first;
    torch_first.order = {"torch", "tensorflow"};
    torch_first.libraries = {lib("cudnn", k_sys_cudnn, "9.1.0.70", "torch", "cache")};
    LoadScenario tf_alone;
    tf_alone.order = {"tensorflow"};
    tf_alone.libraries = tf_first.libraries;
    loader.scenarios = {tf_alone, torch_first, tf_first};
  }
};

std::vector<Finding> with_id(const std::vector<Finding>& all, const std::string& id) {
  std::vector<Finding> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [&id](const Finding& f) { return f.id == id; });
  return out;
}

TEST(LoadLibTooOld, NamesTheOrderThatBreaksAndTheOneThatWorks) {
  const TwoOrders t;
  const auto found = with_id(loader_findings(t.loader, t.builds), "LOAD-LIB-TOO-OLD");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::error);
  EXPECT_EQ(found[0].title,
            "tensorflow 2.21.0 needs cuDNN 9.3 or a newer 9.x, but `import torch; import "
            "tensorflow` would give it cuDNN 9.1.0.70 (" +
                k_sys_cudnn + ", mapped by torch)");
  EXPECT_EQ(found[0].fix, "import in this order: `import tensorflow` (tensorflow then uses cuDNN "
                          "9.10.2.21 from " + k_torch_cudnn + ")");
  EXPECT_NE(std::find(found[0].evidence.begin(), found[0].evidence.end(),
                      "works: `import tensorflow; import torch`"),
            found[0].evidence.end());
}

TEST(LoadLibTooOld, DoesNotFireForANewerMinorOrAnOlderPatch) {
  TwoOrders t;
  t.loader.scenarios[1].libraries[0].version.value = "9.3.0.1";  // 9.3 needed: patch is free
  EXPECT_TRUE(with_id(loader_findings(t.loader, t.builds), "LOAD-LIB-TOO-OLD").empty());
}

TEST(LoadLibTooOld, ReportsAnotherMajorAndPinsTheWheelWhenNoOrderWorks) {
  TwoOrders t;
  t.builds.frameworks[1].cuda_pins = {facts::CudaPin{"nvidia-cudnn-cu12>=9.3,<10; x", "nvidia-cudnn-cu12",
                                                     "cudnn", ">=9.3,<10", "", "and-cuda", {}}};
  for (LoadScenario& s : t.loader.scenarios) {
    s.libraries[0].version.value = "8.9.7";
  }
  const auto found = with_id(loader_findings(t.loader, t.builds), "LOAD-LIB-TOO-OLD");
  // The soname major (9) says which copy; the version says it is of another major.
  ASSERT_EQ(found.size(), 2u);  // two files, one finding each
  EXPECT_EQ(found[0].fix, "python -m pip install --force-reinstall 'nvidia-cudnn-cu12>=9.3,<10'");
  EXPECT_NE(found[0].title.find("needs cuDNN 9.3,"), std::string::npos) << found[0].title;
}

TEST(LoadLibTooOld, SkipsCpuBuildsAndUnknownVersions) {
  TwoOrders t;
  t.loader.scenarios[1].libraries[0].version.value = "";
  EXPECT_TRUE(with_id(loader_findings(t.loader, t.builds), "LOAD-LIB-TOO-OLD").empty());
  TwoOrders cpu;
  cpu.builds.frameworks[1].gpu_build = false;
  EXPECT_TRUE(with_id(loader_findings(cpu.loader, cpu.builds), "LOAD-LIB-TOO-OLD").empty());
}

TEST(LoadLibTooOld, NothingWhenNotEmulated) {
  TwoOrders t;
  t.loader.emulated = false;
  EXPECT_TRUE(loader_findings(t.loader, t.builds).empty());
}

TEST(LoadLibDuplicate, FiresForOneSonameFromTwoFiles) {
  facts::LoaderFacts loader;
  loader.emulated = true;
  LoadScenario s;
  s.order = {"torch", "jax"};
  s.libraries = {lib("nvrtc_builtins", "/venv/nvidia/cu13/lib/libnvrtc-builtins.so.13.0", "13.0.88", "torch"),
                 lib("nvrtc_builtins", "/usr/local/cuda-13.0/lib64/libnvrtc-builtins.so.13.0", "13.0.48", "jax")};
  s.libraries[0].soname = s.libraries[1].soname = "libnvrtc-builtins.so.13.0";
  loader.scenarios = {s};
  const auto found = with_id(loader_findings(loader, {}), "LOAD-LIB-DUPLICATE");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].title,
            "`import torch; import jax` would map 2 copies of libnvrtc-builtins.so.13.0: "
            "/venv/nvidia/cu13/lib/libnvrtc-builtins.so.13.0 (torch) and "
            "/usr/local/cuda-13.0/lib64/libnvrtc-builtins.so.13.0 (jax)");
  EXPECT_EQ(found[0].severity, Severity::warning);
}

TEST(LoadLibDuplicate, LibrariesFromTheSameTwoFoldersAreOneFinding) {
  facts::LoaderFacts loader;
  loader.emulated = true;
  LoadScenario s;
  s.order = {"cupy", "jax"};
  s.libraries = {lib("cublas", "/usr/local/cuda-13.0/lib/libcublas.so.13", "13.1.0.3", "cupy", "cache"),
                 lib("cufft", "/usr/local/cuda-13.0/lib/libcufft.so.12", "12.0.0.61", "cupy", "cache"),
                 lib("cublas", "/venv/nvidia/cu13/lib/libcublas.so.13", "13.4.1.3", "jax"),
                 lib("cufft", "/venv/nvidia/cu13/lib/libcufft.so.12", "12.2.0.57", "jax")};
  loader.scenarios = {s};
  const auto found = with_id(loader_findings(loader, {}), "LOAD-LIB-DUPLICATE");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].title,
            "`import cupy; import jax` would map 2 copies each of libcublas.so.13, libcufft.so.12: "
            "from /usr/local/cuda-13.0/lib (cupy) and /venv/nvidia/cu13/lib (jax)");
  EXPECT_EQ(found[0].evidence.size(), 4u);
}

TEST(LoadLibDuplicate, DoesNotFireForTwoMajorsOrOneFileTwice) {
  facts::LoaderFacts loader;
  loader.emulated = true;
  LoadScenario s;
  s.order = {"torch", "tensorflow"};
  s.libraries = {lib("cudart", "/venv/nvidia/cu13/lib/libcudart.so.13", "13.0.96", "torch"),
                 lib("cudart", "/venv/nvidia/cuda_runtime/lib/libcudart.so.12", "12.9.79", "tensorflow"),
                 lib("cudart", "/venv/nvidia/cu13/lib/libcudart.so.13", "13.0.96", "torch")};
  loader.scenarios = {s};
  EXPECT_TRUE(with_id(loader_findings(loader, {}), "LOAD-LIB-DUPLICATE").empty());
}

TEST(LoadSymbolVersion, FiresForAStrongNeedAndNamesTheWorkingOrder) {
  facts::LoaderFacts loader;
  loader.emulated = true;
  const std::string so = "/venv/tensorflow/libtensorflow_cc.so.2";
  LoadScenario broken;
  broken.order = {"torch", "tensorflow"};
  broken.libraries = {lib("libstdcxx", "/opt/conda/lib/libstdc++.so.6", "", "torch"),
                      lib("", so, "", "tensorflow")};
  broken.missing_versions = {{so, "libstdc++.so.6", "/opt/conda/lib/libstdc++.so.6", "GLIBCXX_3.4.32", false},
                             {so, "libstdc++.so.6", "/opt/conda/lib/libstdc++.so.6", "GLIBCXX_3.4.31", true}};
  LoadScenario fine;
  fine.order = {"tensorflow", "torch"};
  fine.libraries = {lib("", so, "", "tensorflow")};
  loader.scenarios = {broken, fine};
  const auto found = with_id(loader_findings(loader, {}), "LOAD-SYMBOL-VERSION");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].title, "`import torch; import tensorflow` would fail: " + so +
                                " needs GLIBCXX_3.4.32 of libstdc++.so.6, which "
                                "/opt/conda/lib/libstdc++.so.6 does not define");
  EXPECT_EQ(found[0].fix, "import in this order: `import tensorflow; import torch`");
}

TEST(LoadSymbolVersion, WeakNeedsAreNotFindings) {
  facts::LoaderFacts loader;
  loader.emulated = true;
  LoadScenario s;
  s.order = {"torch"};
  s.missing_versions = {{"/a.so", "libnvJitLink.so.12", "/b/libnvJitLink.so.12", "libnvJitLink.so.12.4", true}};
  loader.scenarios = {s};
  EXPECT_TRUE(with_id(loader_findings(loader, {}), "LOAD-SYMBOL-VERSION").empty());
}

TEST(LoadSymbolVersion, UnsetsTheLdLibraryPathEntryOfTheProvider) {
  facts::LoaderFacts loader;
  loader.emulated = true;
  loader.ld_library_path = "/usr/local/cuda-12.2/lib64:/opt/other";
  LoadScenario s;
  s.order = {"torch"};
  s.libraries = {lib("nvjitlink", "/usr/local/cuda-12.2/lib64/libnvJitLink.so.12", "12.2.140", "torch",
                     "ld_library_path")};
  s.missing_versions = {{"/venv/nvidia/cusparse/lib/libcusparse.so.12", "libnvJitLink.so.12",
                         "/usr/local/cuda-12.2/lib64/libnvJitLink.so.12", "libnvJitLink.so.12.4", false}};
  loader.scenarios = {s};
  const auto found = with_id(loader_findings(loader, {}), "LOAD-SYMBOL-VERSION");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].fix, "export LD_LIBRARY_PATH='/opt/other'");
}

TEST(LoadLdLibraryPath, FiresWhenTheFrameworksWheelHasItsOwnCopy) {
  facts::LoaderFacts loader;
  loader.emulated = true;
  loader.ld_library_path = "/usr/local/cuda/lib64";
  LoadScenario s;
  s.order = {"tensorflow"};
  s.libraries = {lib("cudnn", "/usr/local/cuda/lib64/libcudnn.so.9", "9.1.0", "tensorflow", "ld_library_path")};
  loader.scenarios = {s};
  facts::BuildFacts builds;
  builds.frameworks = {build("tensorflow", "2.21.0", "9.3")};
  builds.frameworks[0].cuda_pins = {facts::CudaPin{"", "nvidia-cudnn-cu12", "cudnn", "", "", "", {}}};
  facts::CudaLibrary wheel;
  wheel.name = "cudnn";
  wheel.path = "/venv/nvidia/cudnn/lib/libcudnn.so.9";
  wheel.soname = "libcudnn.so.9";
  wheel.origin = "wheel";
  wheel.package = "nvidia-cudnn-cu12";
  wheel.version = "9.10.2.21";
  builds.cuda_libraries = {wheel};
  const auto found = with_id(loader_findings(loader, builds), "LOAD-LD-LIBRARY-PATH");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].title,
            "LD_LIBRARY_PATH folder /usr/local/cuda/lib64 shadows nvidia-cudnn-cu12's "
            "libcudnn.so.9: `import tensorflow` would map /usr/local/cuda/lib64/libcudnn.so.9 "
            "(9.1.0) instead of /venv/nvidia/cudnn/lib/libcudnn.so.9 (9.10.2.21)");
  EXPECT_EQ(found[0].fix, "unset LD_LIBRARY_PATH");
  // A wheel of another framework's pins is no reason.
  builds.frameworks[0].cuda_pins.clear();
  EXPECT_TRUE(with_id(loader_findings(loader, builds), "LOAD-LD-LIBRARY-PATH").empty());
}

TEST(LoadLibNotFound, OneFindingPerReasonWithTheFrameworksRequirements) {
  facts::LoaderFacts loader;
  loader.emulated = true;
  LoadScenario s;
  s.order = {"tensorflow"};
  s.missing = {"libcublas.so.12 (dlopen): not found; tensorflow at first GPU use (TensorFlow's "
               "dso_loader (libcublas.so.12))",
               "libcublasLt.so.12 (dlopen): not found; tensorflow at first GPU use (TensorFlow's "
               "dso_loader (libcublasLt.so.12))"};
  LoadScenario ort;
  ort.order = {"onnxruntime"};
  ort.missing = {"libcurand.so.10 (needed by /venv/onnxruntime/capi/libonnxruntime_providers_cuda.so): "
                 "not found; import onnxruntime fails (its shared provider library)"};
  LoadScenario pair = s;
  pair.order = {"onnxruntime", "tensorflow"};
  pair.missing.push_back(ort.missing[0]);
  LoadScenario other = pair;
  other.order = {"tensorflow", "onnxruntime"};
  loader.scenarios = {s, ort, pair, other};
  facts::BuildFacts builds;
  builds.frameworks = {build("onnxruntime", "1.31.1", ""), build("tensorflow", "2.21.0", "9.3")};
  facts::LibraryUse use;
  use.library = "curand";
  use.soname = "libcurand.so.10";
  use.how = "missing";
  builds.frameworks[0].libraries = {use};
  builds.frameworks[0].cuda_pins = {facts::CudaPin{"", "nvidia-curand", "curand", "~=10.0", "", "cuda", {}}};
  builds.frameworks[1].cuda_pins = {facts::CudaPin{"", "nvidia-cublas-cu12", "cublas", ">=12.5.3.2,<13.0", "", "and-cuda", {}}};
  const auto found = with_id(loader_findings(loader, builds), "LOAD-LIB-NOT-FOUND");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].severity, Severity::error);
  EXPECT_EQ(found[0].title, "every import order with onnxruntime would not find libcurand.so.10");
  EXPECT_EQ(found[0].fix, "python -m pip install 'nvidia-curand~=10.0'");
  EXPECT_EQ(found[1].severity, Severity::warning);
  EXPECT_EQ(found[1].title, "every import order with tensorflow would not find libcublas.so.12, "
                            "libcublasLt.so.12 at first GPU use");
  // libcublasLt comes with the cuBLAS wheel: one requirement.
  EXPECT_EQ(found[1].fix, "python -m pip install 'nvidia-cublas-cu12>=12.5.3.2,<13.0'");
  EXPECT_EQ(found[1].evidence.size(), 2u);
}

TEST(LoadIncomplete, OneInfoPerProblem) {
  facts::LoaderFacts loader;
  loader.emulated = true;
  loader.problems = {"cannot read /etc/ld.so.cache: bad magic"};
  LoadScenario s;
  s.problems = {"jax: no load model for jax yet"};
  loader.scenarios = {s, s};
  const auto found = with_id(loader_findings(loader, {}), "LOAD-INCOMPLETE");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[1].severity, Severity::info);
  EXPECT_EQ(found[1].title, "the loader emulation could not follow: jax: no load model for jax yet");
}

TEST(ImportOrdersText, EveryOrderWithAFramework) {
  facts::LoaderFacts loader;
  for (const auto& o : std::vector<std::vector<std::string>>{
           {"torch"}, {"jax"}, {"torch", "jax"}, {"jax", "torch"}}) {
    LoadScenario s;
    s.order = o;
    loader.scenarios.push_back(s);
  }
  EXPECT_EQ(import_orders_text({{"torch"}, {"torch", "jax"}, {"jax", "torch"}}, loader),
            "every import order with torch");
  EXPECT_EQ(import_orders_text({{"torch"}, {"jax"}, {"torch", "jax"}, {"jax", "torch"}}, loader),
            "every import order");
  EXPECT_EQ(import_orders_text({{"torch"}, {"torch", "jax"}}, loader),
            "`import torch` and `import torch; import jax`");
}

TEST(ImportOrderText, JoinsImports) {
  EXPECT_EQ(import_order_text({"torch", "jax"}), "import torch; import jax");
  EXPECT_EQ(library_title("cudnn_ops"), "cuDNN ops");
  EXPECT_EQ(library_title("libstdcxx"), "libstdc++");
}

}  // namespace
}  // namespace mlstack::rules

namespace mlstack::rules {
namespace {

// tensorflow[and-cuda] (CUDA 12 wheels) next to torch cu13 (tests/real: tf-andcuda-torch13):
// torch's preload maps the CUDA 12 wheel's libcusparse.so.12 first, and torch's own need for
// that soname gets it, while the wheel-first answer named the cu13 copy.
struct CusparseMajors {
  facts::LoaderFacts loader;
  facts::BuildFacts builds;
  CusparseMajors() {
    loader.emulated = true;
    facts::FrameworkBuild torch;
    torch.name = "torch";
    torch.distribution = "torch";
    torch.version = "2.15.0";
    torch.gpu_build = true;
    torch.cuda = {"13.2", "torch/version.py"};
    facts::LibraryUse use;
    use.library = "cusparse";
    use.soname = "libcusparse.so.12";
    use.how = "wheel";
    use.path = "/venv/site-packages/nvidia/cu13/lib/libcusparse.so.12";
    use.package = "nvidia-cusparse";
    use.cuda_major = {"13", "nvidia/cu13"};
    torch.libraries = {use};
    builds.frameworks = {torch};
    facts::MappedLibrary cu12;
    cu12.library = "cusparse";
    cu12.path = "/venv/site-packages/nvidia/cusparse/lib/libcusparse.so.12";
    cu12.real_path = cu12.path;
    cu12.soname = "libcusparse.so.12";
    cu12.version = {"12.5.10.65", "nvidia_cusparse_cu12-12.5.10.65.dist-info"};
    cu12.package = "nvidia-cusparse-cu12";
    cu12.rule = "path";
    cu12.why = "dlopen by torch/__init__.py: _preload_cuda_deps";
    cu12.loaded_by = "torch";
    facts::LoadScenario alone;
    alone.order = {"torch"};
    alone.libraries = {cu12};
    loader.scenarios = {alone};
  }
};

TEST(LoadLibCudaMajor, ACopyOfAnotherCudaMajorServingTheBuildsSonameIsAnError) {
  const CusparseMajors c;
  const auto found = with_id(loader_findings(c.loader, c.builds), "LOAD-LIB-CUDA-MAJOR");
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].severity, Severity::error);
  EXPECT_EQ(found[0].title,
            "torch 2.15.0 (CUDA 13) would use cuSPARSE 12.5.10.65 built for CUDA 12 "
            "(/venv/site-packages/nvidia/cusparse/lib/libcusparse.so.12) in `import torch`");
  EXPECT_NE(std::find(found[0].evidence.begin(), found[0].evidence.end(),
                      "fails: `import torch`"),
            found[0].evidence.end());
  EXPECT_NE(found[0].fix.find("one CUDA major"), std::string::npos);
}

TEST(LoadLibCudaMajor, TheBuildsOwnMajorOrAnUnknownOneIsFine) {
  CusparseMajors c;
  c.loader.scenarios[0].libraries[0].package = "nvidia-cusparse";
  c.loader.scenarios[0].libraries[0].path = "/venv/site-packages/nvidia/cu13/lib/libcusparse.so.12";
  c.loader.scenarios[0].libraries[0].real_path = c.loader.scenarios[0].libraries[0].path;
  EXPECT_TRUE(with_id(loader_findings(c.loader, c.builds), "LOAD-LIB-CUDA-MAJOR").empty());
  c.loader.scenarios[0].libraries[0].path = "/opt/libs/libcusparse.so.12";
  c.loader.scenarios[0].libraries[0].real_path = c.loader.scenarios[0].libraries[0].path;
  EXPECT_TRUE(with_id(loader_findings(c.loader, c.builds), "LOAD-LIB-CUDA-MAJOR").empty());
}

TEST(LoadLibCudaMajor, AUseTheWheelFirstAnswerAlreadyCallsWrongIsLeftToFwLib) {
  CusparseMajors c;
  c.builds.frameworks[0].libraries[0].cuda_major = {"12", "nvidia-cusparse-cu12"};
  EXPECT_TRUE(with_id(loader_findings(c.loader, c.builds), "LOAD-LIB-CUDA-MAJOR").empty());
}

TEST(LoadLibCudaMajor, AWorkingOrderIsTheFix) {
  CusparseMajors c;
  facts::LoadScenario tf_first;
  tf_first.order = {"tensorflow", "torch"};
  facts::MappedLibrary cu13 = c.loader.scenarios[0].libraries[0];
  cu13.path = "/venv/site-packages/nvidia/cu13/lib/libcusparse.so.12";
  cu13.real_path = cu13.path;
  cu13.package = "nvidia-cusparse";
  tf_first.libraries = {cu13};
  c.loader.scenarios.push_back(tf_first);
  const auto found = with_id(loader_findings(c.loader, c.builds), "LOAD-LIB-CUDA-MAJOR");
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].fix, "import in this order: `import tensorflow; import torch`");
}

TEST(MappedCudaMajor, FromTheWheelsNameElseItsFolder) {
  facts::MappedLibrary m;
  m.package = "nvidia-cudnn-cu12";
  EXPECT_EQ(mapped_cuda_major(m), "12");
  m.package = "nvidia-cublas";
  m.path = "/v/nvidia/cu13/lib/libcublas.so.13";
  EXPECT_EQ(mapped_cuda_major(m), "13");
  m.package.clear();
  m.path = "/usr/local/cuda-12.9/lib64/libcublas.so.12";
  EXPECT_EQ(mapped_cuda_major(m), "12");
  m.path = "/usr/lib/x86_64-linux-gnu/libcublas.so.12";
  EXPECT_EQ(mapped_cuda_major(m), "");
  m.package = "nvidia-cuda-cupti-cu12x";  // not a `-cuNN` suffix
  EXPECT_EQ(mapped_cuda_major(m), "");
}

}  // namespace
}  // namespace mlstack::rules
