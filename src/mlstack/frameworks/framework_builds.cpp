// SPDX-License-Identifier: MIT
#include "mlstack/frameworks/framework_builds.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/frameworks/binary_facts.hpp"
#include "mlstack/frameworks/build_parsers.hpp"
#include "mlstack/io/path.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

namespace mlstack::frameworks {
namespace {

constexpr std::size_t k_max_text = std::size_t{4} << 20U;

// Each framework's shared objects with CUDA device code, main binary first
// (docs/frameworks.md, "Read from the binaries").
constexpr std::array<std::string_view, 2> k_torch_binaries = {
    "torch/lib/libtorch_cuda.so",     // 1.8+ (one library since 1.13)
    "torch/lib/libtorch_cuda_cu.so",  // 1.10-1.12 split builds
};
// (libtensorflow_framework.so.2 holds a handful of kernels at most: not read.)
constexpr std::array<std::string_view, 2> k_tensorflow_binaries = {
    "tensorflow/libtensorflow_cc.so.2",                  // 2.16+: the kernels
    "tensorflow/python/_pywrap_tensorflow_internal.so",  // before: the kernels
};
constexpr std::array<std::string_view, 1> k_jaxlib_binaries = {"jaxlib/xla_extension.so"};
constexpr std::array<std::string_view, 1> k_onnxruntime_binaries = {
    "onnxruntime/capi/libonnxruntime_providers_cuda.so"};

using io::join_path;

std::string local_label(std::string_view version) {
  const auto plus = version.find('+');
  return plus == std::string_view::npos ? std::string() : std::string(version.substr(plus + 1));
}

std::string public_part(std::string_view version) {
  return std::string(version.substr(0, version.find('+')));
}

std::string_view version_major_of(std::string_view v) { return v.substr(0, v.find('.')); }

bool is_onnxruntime(std::string_view n) {
  for (std::string_view k :
       {"onnxruntime", "onnxruntime-gpu", "onnxruntime-training", "onnxruntime-directml",
        "onnxruntime-openvino", "onnxruntime-rocm", "onnxruntime-migraphx", "onnxruntime-qnn"}) {
    if (n == k) {
      return true;
    }
  }
  return n.starts_with("ort-nightly");
}

class Reader {
 public:
  Reader(const io::FileSystem& fs, FrameworkScan& out) : m_fs(fs), m_out(out) {}

  /// The file's text; a missing file is recorded in `b.evidence`, any other failure in
  /// `b.problems` and the scan's problems.
  std::optional<std::string> read(const std::string& path, facts::FrameworkBuild& b) {
    std::string text;
    const auto st = m_fs.read_file(path, k_max_text, text);
    if (st.ok()) {
      return text;
    }
    if (st.kind == io::IoStatus::Kind::not_found || st.kind == io::IoStatus::Kind::not_directory) {
      b.evidence.push_back(path + ": missing");
    } else {
      auto message = to_string(io::make_io_error(st, "read", path));
      b.problems.push_back(message);
      m_out.problems.push_back(std::move(message));
    }
    return std::nullopt;
  }

  /// The file read and parsed by `parse`; a file that does not parse is a problem too.
  template <class Parse>
  auto parse(const std::string& path, facts::FrameworkBuild& b, Parse parser)
      -> std::optional<typename decltype(parser(std::string_view()))::value_type> {
    const std::optional<std::string> text = read(path, b);
    if (!text) {
      return std::nullopt;
    }
    auto parsed = parser(*text);
    if (!parsed) {
      auto message = path + ": " + to_string(parsed.error());
      b.problems.push_back(message);
      m_out.problems.push_back(std::move(message));
      return std::nullopt;
    }
    return std::move(parsed).value();
  }

  std::vector<std::string> list(const std::string& path) {
    std::vector<io::DirEntry> entries;
    std::vector<std::string> names;
    if (m_fs.list_dir(path, io::Follow::no, entries).ok()) {
      for (auto& e : entries) {
        names.push_back(std::move(e.name));
      }
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  const io::FileSystem& m_fs;
  FrameworkScan& m_out;
};

facts::FrameworkBuild start(const facts::InstalledDist& dist, std::string_view name) {
  facts::FrameworkBuild b;
  b.name = std::string(name);
  b.distribution = dist.canonical_name;
  b.distributions = {dist.canonical_name};
  b.version = dist.version_text.value_or("");
  b.location = dist.location;
  return b;
}

std::string metadata_path(const facts::InstalledDist& dist) {
  return join_path(dist.info_path, "METADATA");
}

// Pins into `cuda_pins`/`cuda_packages`; exact unconditional (or `extra`-gated when `extra`
// is given) cuDNN/NCCL pins fill those fields when they are still empty.
void apply_pins(const facts::InstalledDist& dist, facts::FrameworkBuild& b,
                std::string_view gating_extra) {
  b.cuda_pins = parse_cuda_pins(dist.requires_dist);
  for (const auto& pin : b.cuda_pins) {
    b.cuda_packages.push_back(pin.requirement);
  }
  for (const auto& pin : b.cuda_pins) {
    if (!pin.extra.empty() && pin.extra != gating_extra) {
      continue;
    }
    facts::Sourced* field = pin.library == "cudnn"  ? &b.cudnn
                            : pin.library == "nccl" ? &b.nccl
                                                    : nullptr;
    if (field == nullptr) {
      continue;
    }
    const std::string where = metadata_path(dist) + ": Requires-Dist `" + pin.package +
                              pin.specifier + "`" +
                              (pin.extra.empty() ? "" : " (extra `" + pin.extra + "`)");
    if (!pin.version.empty()) {
      if (field->value.empty() || field->value.size() < pin.version.size()) {
        if (!field->value.empty() && !pin.version.starts_with(field->value + ".")) {
          b.problems.push_back(where + " disagrees with " + field->source + " (`" + field->value +
                               "`)");
          continue;
        }
        *field = {pin.version, where};
      }
    } else if (field->value.empty()) {
      if (auto major = major_of_range(pin.specifier); !major.empty()) {
        *field = {major, where + ", major only"};
      } else {
        b.evidence.push_back(where + ": a range, no single version");
      }
    }
  }
}

// `tensorflow[and-cuda]==2.21.0`: the distribution with the extras that pull its CUDA
// wheels, or `torch==2.15.0` when it pins them unconditionally; empty without pins.
std::string cuda_install_of(const facts::InstalledDist& dist, const facts::FrameworkBuild& b) {
  std::vector<std::string> extras;
  bool unconditional = false;
  for (const auto& pin : b.cuda_pins) {
    if (pin.library.empty()) {
      continue;
    }
    if (pin.extra.empty()) {
      unconditional = true;
    } else if (std::find(extras.begin(), extras.end(), pin.extra) == extras.end()) {
      extras.push_back(pin.extra);
    }
  }
  if (!unconditional && extras.empty()) {
    return {};
  }
  std::string out = dist.canonical_name;
  if (!unconditional) {
    out += '[';
    for (std::size_t i = 0; i < extras.size(); ++i) {
      out += (i == 0 ? "" : ",") + extras[i];
    }
    out += ']';
  }
  return out + "==" + dist.version_text.value_or("");
}

// `libcudnn.so.8`, `libcudnn-a1b2c3d4.so.8.5.0`, `libnccl.so.2.14.3` → {library, version}.
std::optional<std::pair<std::string, std::string>> bundled_library(std::string_view file) {
  const auto so = file.find(".so");
  if (so == std::string_view::npos) {
    return std::nullopt;
  }
  auto stem = file.substr(0, so);
  if (const auto dash = stem.rfind('-');
      dash != std::string_view::npos && stem.size() - dash == 9 &&
      stem.substr(dash + 1).find_first_not_of("0123456789abcdef") == std::string_view::npos) {
    stem = stem.substr(0, dash);  // auditwheel's `-<8 hex digits>` suffix
  }
  const auto rest = file.substr(so + 3);
  const std::string version = rest.starts_with('.') ? std::string(rest.substr(1)) : "";
  for (const auto& [s, lib] : {std::pair{"libcudnn", "cudnn"},
                               {"libnccl", "nccl"},
                               {"libcudart", "cudart"},
                               {"libcublas", "cublas"},
                               {"libcublasLt", "cublaslt"},
                               {"libnvrtc", "nvrtc"}}) {
    if (stem == s) {
      return std::pair(std::string(lib), version);
    }
  }
  return std::nullopt;
}

void read_torch(Reader& r, const BinaryContext& ctx, const facts::InstalledDist& dist,
                FrameworkScan& out) {
  auto b = start(dist, "torch");
  const auto path = join_path(dist.location, "torch/version.py");
  std::string version_label = local_label(b.version);
  if (const auto parsed = r.parse(path, b, parse_torch_version_py)) {
    const TorchVersionPy& v = *parsed;
    b.evidence.push_back(path + ": __version__ = `" + v.version + "`, cuda = `" +
                         v.cuda.value_or("None") + "`, hip = `" + v.hip.value_or("None") + "`");
    if (!v.version.empty() && public_part(v.version) != public_part(b.version)) {
      b.problems.push_back(path + " says " + v.version + " but the distribution is " + b.version);
    }
    if (!local_label(v.version).empty()) {
      version_label = local_label(v.version);
    }
    if (v.cuda) {
      b.cuda = {*v.cuda, path + " (`cuda`)"};
      b.gpu_build = true;
    } else if (v.hip || v.rocm) {
      b.rocm = {v.hip ? *v.hip : *v.rocm, path + (v.hip ? " (`hip`)" : " (`rocm`)")};
      b.gpu_build = true;
    } else if (v.has_cuda_field) {
      b.evidence.push_back(path + ": cuda = None: a CPU build");
    }
  } else if (auto cuda = cuda_from_local_label(version_label)) {
    b.cuda = {*cuda, "distribution version `" + b.version + "` (local label)"};
    b.gpu_build = true;
  }
  b.variant = version_label;
  apply_pins(dist, b, "");
  b.cuda_install = cuda_install_of(dist, b);
  // cuDNN/NCCL copied into torch/lib (1.11-2.1 bundled wheels); 1.8-1.10 and cu102 builds
  // link them statically (KB-FACTS §2.3).
  const auto lib_dir = join_path(dist.location, "torch/lib");
  for (const auto& name : r.list(lib_dir)) {
    const auto lib = bundled_library(name);
    if (!lib) {
      continue;
    }
    b.evidence.push_back(join_path(lib_dir, name) + ": bundled " + lib->first);
    facts::CudaLibrary bundled;
    bundled.name = lib->first;
    bundled.version = lib->second;
    bundled.version_source = "bundled file name";
    bundled.path = join_path(lib_dir, name);
    bundled.origin = "wheel";
    bundled.package = dist.canonical_name;
    b.bundled_libraries.push_back(std::move(bundled));
    facts::Sourced* field = lib->first == "cudnn"  ? &b.cudnn
                            : lib->first == "nccl" ? &b.nccl
                                                   : nullptr;
    if (field != nullptr && field->value.empty() && !lib->second.empty()) {
      *field = {lib->second, join_path(lib_dir, name) + " (bundled file name)"};
    }
  }
  if (b.gpu_build && b.cuda.value.size() > 0) {
    if (b.cudnn.value.empty()) {
      b.evidence.push_back(
          "cuDNN: unknown: no nvidia-cudnn pin and no torch/lib/libcudnn*"
          " (linked statically)");
    }
    if (b.nccl.value.empty()) {
      b.evidence.push_back(
          "NCCL: unknown: no nvidia-nccl pin and no torch/lib/libnccl*"
          " (linked statically)");
    }
  }
  if (b.gpu_build) {
    const std::string main_binary = add_gpu_code(ctx, dist.location, k_torch_binaries, b);
    if (!main_binary.empty()) {
      add_linked_libraries(ctx, main_binary, b);
    }
    if (!main_binary.empty() && (b.cudnn.value.empty() || b.nccl.value.empty())) {
      add_static_libraries(ctx, main_binary, dist.canonical_name, b);
    }
  }
  out.frameworks.push_back(std::move(b));
}

void read_tensorflow(Reader& r, const BinaryContext& ctx, const facts::InstalledDist& dist,
                     FrameworkScan& out) {
  auto b = start(dist, "tensorflow");
  const auto path = join_path(dist.location, "tensorflow/python/platform/build_info.py");
  if (const auto parsed = r.parse(path, b, parse_tf_build_info)) {
    const TfBuildInfo& info = *parsed;
    if (!info.recognized) {
      b.evidence.push_back(path +
                           ": neither `build_info = OrderedDict(...)` nor"
                           " `cuda_version_number = ...` found");
    }
    b.evidence.push_back(path + ": cuda_version = `" + info.cuda_version + "`, cudnn_version = `" +
                         info.cudnn_version + "`");
    if (!info.cuda_version.empty()) {
      b.cuda = {info.cuda_version, path + " (`cuda_version`)"};
    }
    if (!info.cudnn_version.empty()) {
      b.cudnn = {info.cudnn_version, path + " (`cudnn_version`)"};
    }
    if (info.is_rocm_build.value_or(false) && !info.rocm_version.empty()) {
      b.rocm = {info.rocm_version, path + " (`rocm_version`)"};
    }
    if (!info.cuda_compute_capabilities.empty()) {
      b.archs = tensorflow_archs(info.cuda_compute_capabilities);
      b.archs_source = path + " (`cuda_compute_capabilities`: `compute_XY` is SASS and PTX)";
    }
    b.gpu_build = info.is_cuda_build.value_or(!info.cuda_version.empty()) ||
                  info.is_rocm_build.value_or(false);
    b.evidence.push_back(
        path + ": is_cuda_build = " +
        std::string(info.is_cuda_build ? (*info.is_cuda_build ? "True" : "False") : "absent"));
  }
  b.variant = dist.canonical_name.ends_with("-cpu") ? "cpu" : "";
  apply_pins(dist, b, "and-cuda");
  b.cuda_install = cuda_install_of(dist, b);
  if (b.gpu_build && b.nccl.value.empty()) {
    b.evidence.push_back(
        "NCCL: unknown: build_info.py does not record it and there is no"
        " `and-cuda` pin");
  }
  if (b.gpu_build) {
    if (const auto main_binary = add_gpu_code(ctx, dist.location, k_tensorflow_binaries, b);
        !main_binary.empty()) {
      add_linked_libraries(ctx, main_binary, b);
      // TensorFlow up to 2.18 links NCCL into its main binary (`NCCL version 2.8.3+cuda...`).
      if (b.nccl.value.empty()) {
        add_static_libraries(ctx, main_binary, dist.canonical_name, b);
      }
    }
  }
  out.frameworks.push_back(std::move(b));
}

void read_jax(Reader& r, const BinaryContext& ctx, const facts::Inventory& inventory,
              const facts::InstalledDist& jaxlib, FrameworkScan& out) {
  auto b = start(jaxlib, "jax");
  const auto path = join_path(jaxlib.location, "jaxlib/version.py");
  if (const auto parsed = r.parse(path, b, parse_jax_version_py)) {
    const std::string& v = *parsed;
    b.evidence.push_back(path + ": _version = `" + v + "`");
    if (!v.empty() && public_part(v) != public_part(b.version)) {
      b.problems.push_back(path + " says " + v + " but the distribution is " + b.version);
    }
  }
  const facts::InstalledDist* plugin = nullptr;
  const facts::InstalledDist* pjrt = nullptr;
  for (const auto& d : inventory.dists) {
    if (d.canonical_name.starts_with("jax-cuda") && d.canonical_name.ends_with("-plugin")) {
      plugin = &d;
    } else if (d.canonical_name.starts_with("jax-cuda") && d.canonical_name.ends_with("-pjrt")) {
      pjrt = &d;
    }
  }
  if (plugin != nullptr) {
    const auto major = cuda_from_dist_name(plugin->canonical_name);
    b.distribution = plugin->canonical_name;
    b.distributions = {plugin->canonical_name, jaxlib.canonical_name};
    if (pjrt != nullptr) {
      b.distributions.push_back(pjrt->canonical_name);
    }
    b.cuda = {major, "distribution name `" + plugin->canonical_name + "` (major only)"};
    b.gpu_build = true;
    const auto pv = plugin->version_text.value_or("");
    b.evidence.push_back(plugin->info_path + ": " + plugin->canonical_name + " " + pv);
    if (public_part(pv) != public_part(b.version)) {
      b.problems.push_back(plugin->canonical_name + " " + pv + " is not jaxlib's version " +
                           b.version);
    }
    if (pjrt == nullptr) {
      b.problems.push_back(plugin->canonical_name + " is installed without jax-cuda" + major +
                           "-pjrt");
    } else {
      b.evidence.push_back(pjrt->info_path + ": " + pjrt->canonical_name + " " +
                           pjrt->version_text.value_or(""));
      if (pjrt->version_text.value_or("") != pv) {
        b.problems.push_back(pjrt->canonical_name + " " + pjrt->version_text.value_or("") +
                             " is not " + plugin->canonical_name + "'s version " + pv);
      }
    }
    apply_pins(*plugin, b, "with-cuda");
    b.cuda_install = cuda_install_of(*plugin, b);
    const std::string module = "jax_cuda" + major + "_plugin";
    add_jax_build_versions(ctx, join_path(plugin->location, module + "/_versions.so"), b);
    if (pjrt != nullptr) {
      const std::string rel = "jax_plugins/xla_cuda" + major + "/xla_cuda_plugin.so";
      const std::array<std::string_view, 1> candidates = {rel};
      if (const auto main_binary = add_gpu_code(ctx, pjrt->location, candidates, b);
          !main_binary.empty()) {
        add_linked_libraries(ctx, main_binary, b);
      }
    }
  } else if (auto local = parse_jaxlib_local(local_label(b.version))) {
    b.cuda = {local->cuda, "distribution version `" + b.version + "` (local label)"};
    if (!local->cudnn.empty()) {
      b.cudnn = {local->cudnn, "distribution version `" + b.version + "` (local label)"};
    }
    b.gpu_build = true;
    b.variant = local_label(b.version);
    if (const auto main_binary = add_gpu_code(ctx, jaxlib.location, k_jaxlib_binaries, b);
        !main_binary.empty()) {
      add_linked_libraries(ctx, main_binary, b);
    }
  } else {
    b.evidence.push_back("no jax-cudaNN-plugin and no `+cuda` jaxlib: a CPU build");
  }
  for (const auto& d : inventory.dists) {
    if (d.canonical_name == "jax") {
      b.distributions.push_back(d.canonical_name);
    }
  }
  out.frameworks.push_back(std::move(b));
}

void read_onnxruntime(Reader& r, const BinaryContext& ctx, const facts::InstalledDist& dist,
                      FrameworkScan& out) {
  auto b = start(dist, "onnxruntime");
  const auto capi = join_path(dist.location, "onnxruntime/capi");
  const auto path = join_path(capi, "build_and_package_info.py");
  if (const auto parsed = r.parse(path, b, parse_ort_build_info)) {
    const OrtBuildInfo& info = *parsed;
    b.evidence.push_back(path + ": package_name = `" + info.package_name + "`, __version__ = `" +
                         info.version + "`, cuda_version = `" + info.cuda_version + "`");
    if (!info.package_name.empty() && info.package_name != dist.canonical_name) {
      b.problems.push_back(path + " belongs to " + info.package_name + " " + info.version +
                           ", not to the installed " + dist.canonical_name + " " + b.version +
                           " (two ONNX Runtime distributions share `onnxruntime/`)");
    }
    if (!info.cuda_version.empty()) {
      b.cuda = {info.cuda_version, path + " (`cuda_version`)"};
    }
    if (!info.cudnn_version.empty()) {
      b.cudnn = {info.cudnn_version, path + " (`cudnn_version`)"};
    }
  }
  for (const auto& name : r.list(capi)) {
    constexpr std::string_view k_prefix = "libonnxruntime_providers_";
    if (name.starts_with(k_prefix) && name.ends_with(".so")) {
      auto provider = name.substr(k_prefix.size(), name.size() - k_prefix.size() - 3);
      if (provider != "shared") {
        b.providers.push_back(provider);
        b.evidence.push_back(join_path(capi, name) + ": present");
      }
    }
  }
  b.gpu_build = !b.cuda.value.empty() ||
                std::any_of(b.providers.begin(), b.providers.end(), [](const auto& p) {
                  return p == "cuda" || p == "tensorrt" || p == "rocm" || p == "migraphx";
                });
  apply_pins(dist, b, "cudnn");
  b.cuda_install = cuda_install_of(dist, b);
  if (b.gpu_build) {
    const std::string provider = add_gpu_code(ctx, dist.location, k_onnxruntime_binaries, b);
    if (!provider.empty()) {
      add_linked_libraries(ctx, provider, b);
    }
  }
  out.frameworks.push_back(std::move(b));
}

void read_cupy(Reader& r, const facts::InstalledDist& dist, FrameworkScan& out) {
  auto b = start(dist, "cupy");
  if (auto major = cuda_from_dist_name(dist.canonical_name); !major.empty()) {
    b.cuda = {major, "distribution name `" + dist.canonical_name + "`"};
    b.gpu_build = true;
  } else if (dist.canonical_name.starts_with("cupy-rocm")) {
    b.gpu_build = true;
  }
  const auto path = join_path(dist.location, "cupy/.data/_wheel.json");
  if (auto text = r.read(path, b)) {
    auto info = parse_cupy_wheel_json(*text);
    if (!info) {
      b.problems.push_back(path + ": " + to_string(info.error()));
    } else {
      b.evidence.push_back(path + ": cuda = `" + info->cuda + "`");
      auto cuda = info->cuda;
      if (cuda.ends_with(".x")) {
        cuda.resize(cuda.size() - 2);
      }
      if (!cuda.empty() && cuda.size() >= b.cuda.value.size()) {
        if (!b.cuda.value.empty() && version_major_of(cuda) != version_major_of(b.cuda.value)) {
          b.problems.push_back(path + " says CUDA " + info->cuda + " but the distribution is " +
                               dist.canonical_name);
        }
        b.cuda = {cuda, path + " (`cuda`)"};
      }
      if (!info->nccl.empty()) {
        b.nccl = {info->nccl, path + " (`nccl.version`)"};
      }
      if (!info->cudnn.empty()) {
        b.cudnn = {info->cudnn, path + " (`cudnn.version`)"};
      }
    }
  }
  if (b.gpu_build && !b.cuda.value.empty()) {
    // Only cupy.random and the CUB/Thrust modules carry device code; every other kernel is
    // compiled for the GPU at hand by NVRTC, so the toolkit's oldest architecture is the limit
    // (GPU-ARCH-TOOLKIT-FLOOR), not a list.
    b.archs_source = "CuPy compiles its kernels at run time with NVRTC for the GPU in use";
  }
  out.frameworks.push_back(std::move(b));
}

}  // namespace

FrameworkScan read_framework_builds(const facts::Inventory& inventory, const io::FileSystem& fs,
                                    const BinaryReader* binaries) {
  FrameworkScan out;
  Reader r(fs, out);
  const ElfBinaryReader elf_reader(fs);
  const BinaryContext ctx{fs, binaries != nullptr ? *binaries : elf_reader, out.problems};
  bool jax_done = false;
  for (const auto& dist : inventory.dists) {
    const std::string_view framework = framework_of(dist.canonical_name);
    if (framework == "torch") {
      read_torch(r, ctx, dist, out);
    } else if (framework == "tensorflow") {
      read_tensorflow(r, ctx, dist, out);
    } else if (framework == "jax" && !jax_done) {
      read_jax(r, ctx, inventory, dist, out);
      jax_done = true;
    } else if (framework == "onnxruntime") {
      read_onnxruntime(r, ctx, dist, out);
    } else if (framework == "cupy") {
      read_cupy(r, dist, out);
    }
  }
  return out;
}

std::string_view framework_of(std::string_view n) noexcept {
  if (n == "torch") {
    return "torch";
  }
  if (n == "tensorflow" || n == "tensorflow-cpu" || n == "tensorflow-gpu" ||
      n == "tensorflow-intel" || n.starts_with("tf-nightly")) {
    return "tensorflow";
  }
  if (n == "jaxlib") {
    return "jax";
  }
  if (is_onnxruntime(n)) {
    return "onnxruntime";
  }
  if (n == "cupy" || n.starts_with("cupy-cuda") || n.starts_with("cupy-rocm")) {
    return "cupy";
  }
  return {};
}

std::vector<InstalledFramework> installed_frameworks(const facts::Inventory& inventory) {
  std::vector<InstalledFramework> out;
  for (const facts::InstalledDist& dist : inventory.dists) {
    const std::string_view framework = framework_of(dist.canonical_name);
    if (framework.empty()) {
      continue;
    }
    const bool seen = std::any_of(out.begin(), out.end(), [framework](const auto& f) {
      return f.name == framework;
    });
    if (!seen) {
      out.push_back({std::string(framework), dist.canonical_name, dist.version_text.value_or("")});
    }
  }
  return out;
}

}  // namespace mlstack::frameworks
