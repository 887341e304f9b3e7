// SPDX-License-Identifier: MIT
#include "mlstack/frameworks/build_parsers.hpp"

#include <gtest/gtest.h>

namespace mlstack::frameworks {
namespace {

// Captured from the wheels' torch/version.py (1.12.1 PyPI cu102, 2.5.1 cu124, 2.15.0 cu132)
// and a CPU / ROCm build.
TEST(TorchVersionPy, ReadsEachGeneration) {
  struct Case {
    std::string_view source, version, cuda, hip;
  };
  constexpr Case k_cases[] = {
      {"__version__ = '1.12.1+cu102'\ndebug = False\ncuda = '10.2'\n"
       "git_version = '664058fa83f1d8eede5d66418abff6e20bd76ca8'\nhip = None\n",
       "1.12.1+cu102", "10.2", ""},
      {"from typing import Optional\n\n__all__ = ['__version__', 'debug', 'cuda', 'git_version',"
       " 'hip']\n__version__ = '2.5.1+cu124'\ndebug = False\ncuda: Optional[str] = '12.4'\n"
       "git_version = 'a8d6afb511a69687bbb2b7e88a3cf67917e1697e'\nhip: Optional[str] = None\n",
       "2.5.1+cu124", "12.4", ""},
      {"__version__ = '2.15.0+cu132'\ndebug = False\ncuda: Optional[str] = '13.2'\n"
       "hip: Optional[str] = None\nrocm: Optional[str] = None\nxpu: Optional[str] = None\n",
       "2.15.0+cu132", "13.2", ""},
      {"__version__ = '2.4.0+cpu'\ndebug = False\ncuda: Optional[str] = None\n"
       "hip: Optional[str] = None\n",
       "2.4.0+cpu", "", ""},
      {"__version__ = '2.5.1+rocm6.2'\ncuda: Optional[str] = None\n"
       "hip: Optional[str] = '6.2.41133-dd7f95766'\n",
       "2.5.1+rocm6.2", "", "6.2.41133-dd7f95766"},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(c.version);
    const auto v = *parse_torch_version_py(c.source);
    EXPECT_EQ(v.version, c.version);
    EXPECT_EQ(v.cuda.value_or(""), c.cuda);
    EXPECT_EQ(v.hip.value_or(""), c.hip);
    EXPECT_TRUE(v.has_cuda_field);
  }
}

TEST(TfBuildInfo, ReadsOrderedDictForm) {
  // TF 2.9.3 (tests/data/envs/tf29-torch112).
  const auto info = *parse_tf_build_info(
      "import collections\n\nbuild_info = collections.OrderedDict([('cpu_compiler', "
      "'/dt9/usr/bin/gcc'), ('cuda_compute_capabilities', ['sm_35', 'sm_50', 'sm_60', 'sm_70', "
      "'sm_75', 'compute_80']), ('cuda_version', '11.2'), ('cudnn_version', '8'), "
      "('is_cuda_build', True), ('is_rocm_build', False), ('is_tensorrt_build', True)])\n");
  EXPECT_TRUE(info.recognized);
  EXPECT_EQ(info.cuda_version, "11.2");
  EXPECT_EQ(info.cudnn_version, "8");
  EXPECT_EQ(info.cuda_compute_capabilities.size(), 6U);
  EXPECT_EQ(info.is_cuda_build, true);
  EXPECT_EQ(info.is_tensorrt_build, true);
}

TEST(TfBuildInfo, ReadsModuleLevelForm) {
  // TF 2.1-2.3 style.
  const auto info = *parse_tf_build_info(
      "is_rocm_build = False\nis_cuda_build = True\ncuda_version_number = '10.1'\n"
      "cudnn_version_number = '7'\n");
  EXPECT_TRUE(info.recognized);
  EXPECT_EQ(info.cuda_version, "10.1");
  EXPECT_EQ(info.cudnn_version, "7");
  EXPECT_EQ(info.is_rocm_build, false);
}

TEST(TfBuildInfo, ReadsCpuBuild) {
  const auto info = *parse_tf_build_info(
      "build_info = collections.OrderedDict([('cpu_compiler', 'gcc'), ('is_cuda_build', False),"
      " ('is_rocm_build', False), ('is_tensorrt_build', False)])\n");
  EXPECT_EQ(info.is_cuda_build, false);
  EXPECT_EQ(info.cuda_version, "");
}

TEST(OrtBuildInfo, ReadsCpuAndGpu) {
  const auto cpu = *parse_ort_build_info("package_name = 'onnxruntime'\n__version__ = '1.30.0'\n");
  EXPECT_EQ(cpu.package_name, "onnxruntime");
  EXPECT_EQ(cpu.version, "1.30.0");
  EXPECT_EQ(cpu.cuda_version, "");
  const auto gpu = *parse_ort_build_info(
      "package_name = 'onnxruntime-gpu'\n__version__ = '1.31.1'\ncuda_version = '13.0'\n");
  EXPECT_EQ(gpu.cuda_version, "13.0");
  const auto old = *parse_ort_build_info(
      "package_name = 'onnxruntime-training'\n__version__ = '1.9.0'\ncudart_version = '11.1'\n"
      "cudnn_version = '8.0.4'\n");
  EXPECT_EQ(old.cuda_version, "11.1");
  EXPECT_EQ(old.cudnn_version, "8.0.4");
}

TEST(CupyWheelJson, ReadsVersions) {
  const auto info = parse_cupy_wheel_json(
      R"({"cuda": "12.x", "packaging": "pip", "nccl": {"version": "2.16.2", "filenames": []},)"
      R"( "cudnn": {"version": "8.8.1"}})");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->cuda, "12.x");
  EXPECT_EQ(info->nccl, "2.16.2");
  EXPECT_EQ(info->cudnn, "8.8.1");
  EXPECT_EQ(to_string(parse_cupy_wheel_json("[").error()), "expected a JSON object");
}

TEST(CudaLabels, ReadNamesAndLocalLabels) {
  EXPECT_EQ(cuda_from_local_label("cu121"), "12.1");
  EXPECT_EQ(cuda_from_local_label("cu102"), "10.2");
  EXPECT_EQ(cuda_from_local_label("cu92"), "9.2");
  EXPECT_EQ(cuda_from_local_label("cpu"), std::nullopt);
  EXPECT_EQ(cuda_from_local_label("rocm6.2"), std::nullopt);
  EXPECT_EQ(cuda_from_dist_name("cupy-cuda12x"), "12");
  EXPECT_EQ(cuda_from_dist_name("cupy-cuda113"), "11.3");
  EXPECT_EQ(cuda_from_dist_name("jax-cuda13-plugin"), "13");
  EXPECT_EQ(cuda_from_dist_name("cupy"), "");
  const auto j = parse_jaxlib_local("cuda12.cudnn89");
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->cuda, "12");
  EXPECT_EQ(j->cudnn, "8.9");
  EXPECT_EQ(parse_jaxlib_local("cuda11.cudnn805")->cudnn, "8.0.5");
  EXPECT_EQ(major_of_range(">=9.12.0.46,<10"), "9");
  EXPECT_EQ(major_of_range("~=9.0"), "9");
  EXPECT_EQ(major_of_range(">=2.18.1"), "");
}

TEST(CudaPins, ReadsPinsExtrasAndPlatforms) {
  const auto pins = parse_cuda_pins({
      "filelock",
      "nvidia-cudnn-cu12 (==9.1.0.70) ; platform_system == \"Linux\" and platform_machine == "
      "\"x86_64\"",
      "cuda-toolkit[cublas,cudart]==13.2.2; platform_system == \"Linux\"",
      "nvidia-nccl-cu12 ==2.21.5 ; extra == 'and-cuda'",
      "nvidia-cudnn-cu12 <10.0,>=9.1 ; extra == 'with_cuda'",
      "nvidia-cublas-cu12==12.1; sys_platform == \"win32\"",
  });
  ASSERT_EQ(pins.size(), 4U);
  EXPECT_EQ(pins[0].library, "cudnn");
  EXPECT_EQ(pins[0].version, "9.1.0.70");
  EXPECT_EQ(pins[0].extra, "");
  EXPECT_EQ(pins[1].package, "cuda-toolkit");
  EXPECT_EQ(pins[1].extras, (std::vector<std::string>{"cublas", "cudart"}));
  EXPECT_EQ(pins[2].extra, "and-cuda");
  EXPECT_EQ(pins[3].extra, "with-cuda");
  EXPECT_EQ(pins[3].version, "");
  EXPECT_EQ(pins[3].specifier, "<10.0,>=9.1");
}

}  // namespace
}  // namespace mlstack::frameworks
