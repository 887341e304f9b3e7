// SPDX-License-Identifier: MIT
// What `import tensorflow` dlopens (docs/frameworks.md, "What an import maps"): its pybind11
// extension modules (tensorflow/python/**/_pywrap_*.so and friends, which need
// libtensorflow_framework.so.2, libtensorflow_cc.so.2 and lib_pywrap_tensorflow_common.so),
// the CUDA runtime that libtensorflow_framework's dso_loader dlopens by soname while the first
// module initialises, the kernel and plugin folders `tensorflow/__init__.py` loads, and, at the
// first GPU use, the other CUDA libraries dso_loader dlopens by soname.
#include "mlstack/linkmap/model.hpp"
#include "mlstack/linkmap/model_files.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace mlstack::linkmap {
namespace {

// The extension modules `import tensorflow` imports (TensorFlow 2.16-2.21: tensorflow/__init__.py
// and the modules it imports), relative to the tensorflow folder, without the `.so`, in import
// order. A module a version does not ship is passed over.
constexpr std::array k_modules = {
    "python/platform/_pywrap_cpu_feature_guard",
    "python/_pywrap_tensorflow_internal",
    "python/platform/_pywrap_tf2",
    "python/_pywrap_tfe",
    "python/client/_pywrap_tf_session",
    "python/util/_tf_stack",
    "python/_pywrap_py_exception_registry",
    "python/framework/_dtypes",
    "python/util/_pywrap_nest",
    "python/util/_pywrap_utils",
    "python/profiler/internal/_pywrap_traceme",
    "python/flags_pybind",
    "python/util/_pywrap_determinism",
    "python/util/_pywrap_tensor_float_32_execution",
    "python/_pywrap_dtensor_device",
    "python/framework/_op_def_registry",
    "python/framework/_op_def_library_pybind",
    "python/framework/_pywrap_python_api_dispatcher",
    "python/client/_pywrap_device_lib",
    "python/lib/io/_pywrap_record_io",
    "python/framework/_proto_comparators",
    "python/_pywrap_parallel_device",
    "python/data/experimental/service/_pywrap_server_lib",
    "python/data/experimental/service/_pywrap_utils_exp",
    "python/lib/io/_pywrap_file_io",
    "python/saved_model/pywrap_saved_model",
    "python/util/_pywrap_checkpoint_reader",
    "python/lib/core/_pywrap_py_func",
    "python/profiler/internal/_pywrap_profiler",
    "python/_pywrap_sanitizers",
    "python/framework/_test_metrics_util",
    "python/platform/_pywrap_stacktrace_handler",
    "python/util/_pywrap_util_port",
    "python/client/_pywrap_events_writer",
    "compiler/tf2tensorrt/_pywrap_py_utils",
    "python/grappler/_pywrap_tf_optimizer",
    "python/grappler/_pywrap_tf_cluster",
    "python/util/fast_module_type",
    "python/client/_pywrap_debug_events_writer",
    "python/framework/_pywrap_python_op_gen",
    "compiler/mlir/lite/python/_pywrap_converter_api",
    "compiler/mlir/quantization/tensorflow/python/pywrap_function_lib",
    "lite/python/_pywrap_tensorflow_lite_metrics_wrapper",
    "lite/python/_pywrap_tensorflow_interpreter_wrapper",
    "lite/python/_pywrap_analyzer_wrapper",
    "python/_pywrap_mlir",
    "python/util/_pywrap_tfprof",
    "compiler/mlir/quantization/tensorflow/python/pywrap_quantize_model",
    "python/tpu/_pywrap_sparse_core_layout",
    "python/_pywrap_quantize_training",
    "python/profiler/internal/_pywrap_profiler_plugin",
    // tensorflow/lite/experimental/microfrontend/python/ops/audio_microfrontend_op.py:
    // load_op_library.
    "lite/experimental/microfrontend/python/ops/_audio_microfrontend_op",
};

// Other distributions' extension modules TensorFlow 2.21's import imports when they are
// installed (the import chain, `python -X importtime -c "import tensorflow"`): the folder
// under the distribution's location and the module stems; `*` every module of the folder.
struct Imported {
  std::string_view dist;
  std::string_view folder;
  std::vector<std::string_view> stems;
  std::string_view by;
};

const std::vector<Imported>& imported_packages() {
  static const std::vector<Imported> k_imported = {
      {"ml-dtypes", "ml_dtypes", {"_ml_dtypes_ext"}, "tensorflow/python/framework/dtypes.py"},
      {"protobuf", "google/_upb", {"_message"}, "the protobuf runtime"},
      {"wrapt", "wrapt", {"_wrappers"}, "tensorflow/python/util/nest_util.py"},
      {"h5py", "h5py", {"*"}, "tensorflow/python/keras/saving/hdf5_format.py"},
      {"charset-normalizer", "charset_normalizer", {"*"}, "requests"},
      {"scipy", "scipy", {"_cyutility"}, "tensorflow/python/keras/engine/training_arrays_v1.py (scipy.sparse)"},
      {"scipy", "scipy/_lib", {"_ccallback_c"}, "scipy.sparse"},
      {"scipy", "scipy/sparse", {"_sparsetools", "_csparsetools"}, "scipy.sparse"},
      {"scipy", "numpy/random", {"_common", "bit_generator", "_bounded_integers", "_pcg64",
                                 "_generator", "_mt19937", "_philox", "_sfc64", "mtrand"},
       "scipy imports numpy.random"},
      {"scipy", "numpy/fft", {"_pocketfft_umath"}, "scipy imports numpy.fft"},
      {"optree", "optree", {"_C"}, "keras"},
  };
  return k_imported;
}

LoadStep step(std::string candidate, std::string why, bool required, std::string caller = {},
              std::string when = "import") {
  LoadStep s;
  s.candidates.push_back(std::move(candidate));
  s.why = std::move(why);
  s.required = required;
  s.caller = std::move(caller);
  s.when = std::move(when);
  return s;
}

// The soname major of `library` TensorFlow's dso_loader asks for: the major of the nvidia-*
// wheel its metadata pins (`nvidia-cufft-cu12==11.2.3.61`: 11), else the CUDA major for the
// runtime and cuBLAS, the cuDNN major for cuDNN.
std::string soname_major(const facts::FrameworkBuild& build, std::string_view library) {
  for (const facts::CudaPin& pin : build.cuda_pins) {
    if (pin.library == library && !pin.version.empty()) {
      return pin.version.substr(0, pin.version.find('.'));
    }
  }
  const std::string& cuda = build.cuda.value;
  if (library == "cudart" || library == "cublas" || library == "cublaslt") {
    return cuda.substr(0, cuda.find('.'));
  }
  if (library == "cudnn") {
    return build.cudnn.value.substr(0, build.cudnn.value.find('.'));
  }
  if (library == "nccl") {
    return "2";  // libnccl.so.2 since NCCL 2
  }
  return {};
}

}  // namespace

bool tensorflow_imports_jax(const io::FileSystem& fs, const std::string& location) {
  const auto util = source_text(fs, location + "/tensorflow/lite/python/util.py");
  return util && util->find("from jax import") != std::string::npos;
}

FrameworkLoad tensorflow_load(const ModelInput& in) {
  FrameworkLoad out;
  out.framework = "tensorflow";
  const std::string tf_dir = in.build.location + "/tensorflow";
  const std::string framework_lib = tf_dir + "/libtensorflow_framework.so.2";
  const bool cuda_build = !in.build.cuda.value.empty();
  bool first = true;
  for (const std::string_view module : k_modules) {
    const std::string path = tf_dir + "/" + std::string(module) + ".so";
    if (!in.fs.exists(path)) {
      continue;
    }
    const bool internal = module == "python/_pywrap_tensorflow_internal";
    out.steps.push_back(step(path, fmt::format("import tensorflow: {}", module), internal));
    if (first && cuda_build) {
      // The CUDA runtime, dlopen'ed by soname from libtensorflow_framework (its RUNPATH names
      // the nvidia-* wheel folders) while the first module initialises; a CPU machine without
      // it goes on.
      const std::string soname = "libcudart.so." + soname_major(in.build, "cudart");
      out.steps.push_back(step(soname,
                               fmt::format("TensorFlow's dso_loader ({}) at import", soname),
                               false, framework_lib));
    }
    first = false;
  }
  if (first) {
    out.problems.push_back(
        fmt::format("no TensorFlow extension module in `{}`: the import fails", tf_dir));
  }
  // numpy: imported by tensorflow.python.framework.ops (core and linalg modules).
  if (const auto numpy = dist_location(in.inventory, "numpy")) {
    for (const auto& [dir, stem] : std::vector<std::pair<std::string, std::string>>{
             {"/numpy/_core", "_multiarray_umath"},
             {"/numpy/core", "_multiarray_umath"},
             {"/numpy/linalg", "_umath_linalg"}}) {
      if (const auto m = extension_module(in.fs, *numpy + dir, stem, in.python.tags.ext_suffix)) {
        out.steps.push_back(step(*m, "import tensorflow imports numpy", false));
      }
    }
  }
  for (const Imported& pkg : imported_packages()) {
    const auto location = dist_location(in.inventory, pkg.dist);
    // numpy's modules that scipy imports are numpy's files.
    const auto base = pkg.folder.starts_with("numpy/") ? dist_location(in.inventory, "numpy")
                                                        : location;
    if (!location || !base) {
      continue;
    }
    const std::string dir = *base + "/" + std::string(pkg.folder);
    std::vector<std::string> paths;
    if (pkg.stems.size() == 1 && pkg.stems[0] == "*") {
      for (const std::string& name : glob_names(in.fs, dir, "*.so")) {
        paths.push_back(dir + "/" + name);
      }
    } else {
      for (const std::string_view stem : pkg.stems) {
        if (const auto m = extension_module(in.fs, dir, stem, in.python.tags.ext_suffix)) {
          paths.push_back(*m);
        }
      }
    }
    for (std::string& path : paths) {
      out.steps.push_back(step(std::move(path), fmt::format("import tensorflow imports {} ({})",
                                                            pkg.dist, pkg.by),
                               false));
    }
  }
  // tensorflow/__init__.py: every `*.so` of tensorflow/core/kernels (load_library).
  for (const std::string& name : glob_names(in.fs, tf_dir + "/core/kernels", "*.so")) {
    out.steps.push_back(step(tf_dir + "/core/kernels/" + name,
                             "tensorflow/__init__.py: load_library(core/kernels)", false));
  }
  if (!cuda_build) {
    return out;
  }
  // The first GPU use: dso_loader's dlopen of each library by soname from
  // libtensorflow_framework (xla/tsl/platform/default/dso_loader.cc).
  for (const auto& [library, stem] : std::vector<std::pair<std::string, std::string>>{
           {"cudart", "libcudart"},
           {"cublas", "libcublas"},
           {"cublaslt", "libcublasLt"},
           {"cufft", "libcufft"},
           {"cusolver", "libcusolver"},
           {"cusparse", "libcusparse"},
           {"cudnn", "libcudnn"},
           {"nccl", "libnccl"}}) {
    const std::string major = soname_major(in.build, library);
    if (major.empty()) {
      continue;
    }
    const std::string soname = stem + ".so." + major;
    out.steps.push_back(step(soname, fmt::format("TensorFlow's dso_loader ({})", soname), true,
                             framework_lib, "first GPU use"));
  }
  return out;
}

}  // namespace mlstack::linkmap
