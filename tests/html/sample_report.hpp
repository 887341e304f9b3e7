// SPDX-License-Identifier: MIT
#pragma once

// A doctor report with every part the HTML page shows (findings of each severity, a group, a
// dependency conflict, a GPU with MIG devices, frameworks with their libraries, CUDA
// libraries, loader rows for each framework alone and a pair, probes), and hostile text from
// "metadata" in several places: the renderer's unit tests and the browser test
// (tests/html/browser_test.py, through html_sample) read it.

#include "mlstack/report/report.hpp"

namespace mlstack::html::testing {

/// Text a hostile distribution could put in its metadata.
inline constexpr const char* k_hostile =
    "<script>alert(1)</script><img src=\"http://example.invalid/x.png\" onerror='x'>"
    "\x1b]0;pwned\x07 & \xff\xfe";

inline report::Report sample_report() {
  report::Report r;
  r.mlstack_version = "0.12.0";
  r.python.executable = "/srv/envs/train/bin/python";
  r.python.version = "3.11.9";
  r.python.prefix = "/srv/envs/train";
  r.python.in_virtualenv = true;
  const std::string site = "/srv/envs/train/lib/python3.11/site-packages";
  r.python.site_dirs = {site};
  r.system = facts::SystemFacts{};
  r.system->os_name = "Debian GNU/Linux 12 (bookworm)";
  r.system->glibc_version = "2.36";
  const auto dist = [&r, &site](std::string name, std::string version,
                                std::vector<std::string> depends) {
    report::DistRow d;
    d.name = std::move(name);
    d.version = std::move(version);
    d.location = site;
    d.installer = "pip";
    d.depends = std::move(depends);
    r.distributions.push_back(std::move(d));
  };
  dist("tensorflow", "2.21.0", {"numpy<2.2,>=1.26", "protobuf>=5.28", "ml-dtypes<1,>=0.5"});
  dist("torch", "2.15.0", {"numpy", "nvidia-cudnn-cu13==9.26.0.51", "filelock"});
  dist("numpy", "2.3.1", {});
  dist("protobuf", "6.33.0", {});
  dist("ml-dtypes", "0.5.3", {"numpy>=1.21"});
  dist("nvidia-cudnn-cu13", "9.26.0.51", {});
  dist("keras", "3.12.0", {"tensorflow", "ml-dtypes"});
  dist("evil", "1.0", {std::string("zzz-") + "missing"});

  facts::GpuFacts gpu;
  gpu.driver_present = true;
  gpu.driver_version = "580.159.04";
  gpu.cuda_driver_api_version = "13.0";
  gpu.source = "nvml";
  facts::GpuDevice h200;
  h200.index = 0;
  h200.name = "NVIDIA H200";
  h200.uuid = "GPU-5f1d2c3b-8a4e-4b7a-9c6d-0e1f2a3b4c5d";
  h200.memory_total_mib = 143771;
  h200.compute_capability = "9.0";
  h200.mig = "disabled";
  h200.cuda_ordinal = 0;
  facts::GpuDevice a100;
  a100.index = 1;
  a100.name = "NVIDIA A100-SXM4-80GB";
  a100.uuid = "GPU-1b2c3d4e-0000-4b7a-9c6d-0e1f2a3b4c5d";
  a100.memory_total_mib = 81920;
  a100.compute_capability = "8.0";
  a100.mig = "enabled";
  a100.cuda_ordinal = 1;
  facts::MigDevice mig;
  mig.index = 0;
  mig.uuid = "MIG-8a9b0c1d-2e3f-4a5b-6c7d-8e9f0a1b2c3d";
  mig.name = "NVIDIA A100-SXM4-80GB MIG 3g.40gb";
  mig.gpu_instance_id = 2;
  mig.memory_total_mib = 40192;
  a100.mig_devices = {mig};
  gpu.devices = {h200, a100};
  r.gpu = gpu;

  facts::BuildFacts b;
  facts::FrameworkBuild torch;
  torch.name = "torch";
  torch.distribution = "torch";
  torch.distributions = {"torch"};
  torch.version = "2.15.0";
  torch.gpu_build = true;
  torch.cuda = {"13.0", site + "/torch/version.py (`cuda`)"};
  torch.cudnn = {"9.26.0.51", "nvidia_cudnn_cu13-9.26.0.51.dist-info"};
  torch.nccl = {"2.28.9", site + "/torch/lib/libtorch_cuda.so (`NCCL version 2.28.9`)"};
  torch.archs = {"sm_80", "sm_86", "sm_90", "sm_100", "sm_120", "compute_120"};
  torch.archs_source = site + "/torch/lib/libtorch_cuda.so (fatbin: 5 cubins, 1 PTX)";
  facts::LibraryUse cudnn;
  cudnn.library = "cudnn";
  cudnn.major = "9";
  cudnn.need = {"9.26.0.51", "torch's Requires-Dist"};
  cudnn.how = "wheel";
  cudnn.path = site + "/nvidia/cudnn/lib/libcudnn.so.9";
  cudnn.version = {"9.26.0.51", "nvidia_cudnn_cu13-9.26.0.51.dist-info"};
  cudnn.package = "nvidia-cudnn-cu13";
  cudnn.cuda_major = {"13", "wheel name"};
  facts::LibraryUse curand;
  curand.library = "curand";
  curand.major = "10";
  curand.how = "missing";
  torch.libraries = {cudnn, curand};
  facts::FrameworkBuild tf;
  tf.name = "tensorflow";
  tf.distribution = "tensorflow";
  tf.distributions = {"tensorflow"};
  tf.version = "2.21.0";
  tf.gpu_build = true;
  tf.cuda = {"12.5", site + "/tensorflow/python/platform/build_info.py (`cuda_version`)"};
  tf.cudnn = {"9", site + "/tensorflow/python/platform/build_info.py (`cudnn_version`)"};
  tf.archs = {"sm_60", "sm_70", "sm_80", "sm_89", "compute_90"};
  tf.archs_source =
      site + "/tensorflow/python/platform/build_info.py (`cuda_compute_capabilities`)";
  facts::FrameworkBuild ort;
  ort.name = "onnxruntime";
  ort.distribution = "onnxruntime";
  ort.distributions = {"onnxruntime"};
  ort.version = std::string("1.31.1") + k_hostile;
  ort.gpu_build = false;
  b.frameworks = {torch, tf, ort};
  facts::CudaLibrary lib;
  lib.name = "cudnn";
  lib.version = "9.26.0.51";
  lib.version_source = "nvidia_cudnn_cu13-9.26.0.51.dist-info";
  lib.path = site + "/nvidia/cudnn/lib/libcudnn.so.9";
  lib.origin = "wheel";
  lib.package = "nvidia-cudnn-cu13";
  facts::CudaLibrary cudart;
  cudart.name = "cudart";
  cudart.version = "12.4.127";
  cudart.version_source = "soname";
  cudart.path = "/usr/local/cuda-12.4/targets/x86_64-linux/lib/libcudart.so.12.4.127";
  cudart.origin = "system";
  b.cuda_libraries = {lib, cudart};
  r.builds = b;

  facts::LoaderFacts loader;
  loader.emulated = true;
  loader.interpreter = "/usr/bin/python3.11";
  loader.cache = "/etc/ld.so.cache";
  const auto mapped = [&site](std::string library, std::string rel, std::string version,
                              std::string by) {
    facts::MappedLibrary m;
    m.library = std::move(library);
    m.path = site + "/" + rel;
    m.real_path = m.path;
    m.soname = rel.substr(rel.rfind('/') + 1);
    m.version = {std::move(version), "soname"};
    m.origin = "wheel";
    m.why = "dlopen by " + by;
    m.loaded_by = std::move(by);
    return m;
  };
  facts::LoadScenario t;
  t.order = {"torch"};
  t.libraries = {
      mapped("cudnn", "torch/lib/../../nvidia/cudnn/lib/libcudnn.so.9", "9.26.0.51", "torch"),
      mapped("nccl", "nvidia/nccl/lib/libnccl.so.2", "2.28.9", "torch")};
  facts::LoadScenario tf_alone;
  tf_alone.order = {"tensorflow"};
  tf_alone.libraries = {
      mapped("cudnn", "tensorflow/../nvidia/cudnn/lib/libcudnn.so.9", "9.26.0.51", "tensorflow"),
      mapped("cudart", "nvidia/cuda_runtime/lib/libcudart.so.12", "12.5.82", "tensorflow")};
  tf_alone.missing = {"libcurand.so.10 (needed by tensorflow/libtensorflow_framework.so.2)"};
  // Both reach the same file: the pair shows no row for it.
  t.libraries[0].real_path = site + "/nvidia/cudnn/lib/libcudnn.so.9";
  tf_alone.libraries[0].real_path = t.libraries[0].real_path;
  facts::LoadScenario pair;
  pair.order = {"torch", "tensorflow"};
  pair.libraries = t.libraries;
  facts::MappedLibrary other_cudart = tf_alone.libraries[1];
  other_cudart.path = "/usr/local/cuda-12.4/targets/x86_64-linux/lib/libcudart.so.12";
  other_cudart.real_path = other_cudart.path;
  other_cudart.origin = "system";
  other_cudart.loaded_by = "torch";
  other_cudart.when = "first GPU use";
  pair.libraries.push_back(other_cudart);
  pair.missing = tf_alone.missing;
  loader.scenarios = {t, tf_alone, pair};
  r.loader = loader;

  facts::ProbeFacts probes;
  probes.done = true;
  probes.jobs = 2;
  probes.timeout_s = 120;
  probes.wall_s = 9.4;
  facts::ProbeResult ok;
  ok.order = {"torch"};
  ok.status = "ok";
  ok.wall_s = 5.3;
  ok.versions = {{"torch", "2.15.0"}};
  ok.devices = {{"torch", {"cuda:0 NVIDIA H200"}}};
  facts::ProbeResult crash;
  crash.order = {"torch", "tensorflow"};
  crash.status = "crash";
  crash.signal = 11;
  crash.signal_name = "SIGSEGV";
  crash.wall_s = 7.9;
  probes.probes = {ok, crash};
  r.probes = probes;

  const auto finding = [&r](std::string id, rules::Severity s, std::string title,
                            std::vector<std::string> subjects, std::vector<std::string> evidence,
                            std::string why, std::string fix) {
    r.findings.push_back(rules::Finding{std::move(id), s, std::move(title), std::move(subjects),
                                        std::move(evidence), std::move(why), std::move(fix)});
  };
  finding("PKG-CONFLICT", rules::Severity::error,
          "tensorflow 2.21.0 requires numpy<2.2,>=1.26, but you have numpy 2.3.1",
          {"tensorflow", "numpy"},
          {"Requires-Dist: numpy<2.2,>=1.26", site + "/tensorflow-2.21.0.dist-info"}, "",
          "python -m pip install 'numpy<2.2,>=1.26'");
  finding("PKG-MISSING", rules::Severity::error,
          std::string("evil 1.0 requires zzz-missing, ") + k_hostile, {"evil", "zzz-missing"},
          {std::string("Requires-Dist: zzz-missing\n") + "              ^ here"}, k_hostile,
          "python -m pip install 'zzz-missing'");
  finding("LOAD-LIB-MISSING", rules::Severity::error,
          "tensorflow 2.21.0 cannot load libcurand.so.10: no copy on the library path",
          {"tensorflow"}, {"libcurand.so.10 (needed by tensorflow/libtensorflow_framework.so.2)"},
          "TensorFlow falls back to the CPU without it",
          "python -m pip install 'tensorflow[and-cuda]==2.21.0'");
  finding("FW-ARCH-MISSING", rules::Severity::warning,
          "tensorflow 2.21.0 has no SASS for sm_90 (NVIDIA H200)", {"tensorflow"},
          {"archs: sm_60 sm_70 sm_80 sm_89 compute_90"},
          "the driver JIT-compiles the PTX at first use: minutes of start-up", "");
  finding("FW-ARCH-MISSING", rules::Severity::warning,
          "tensorflow 2.21.0 has no SASS for sm_80 MIG 3g.40gb", {"tensorflow"},
          {"archs: sm_60 sm_70 sm_80 sm_89 compute_90"},
          "the driver JIT-compiles the PTX at first use: minutes of start-up", "");
  finding("KB-INFO", rules::Severity::info, "torch 2.15.0 and tensorflow 2.21.0 share cuDNN 9",
          {"torch", "tensorflow"}, {}, "", "");
  return r;
}

}  // namespace mlstack::html::testing
