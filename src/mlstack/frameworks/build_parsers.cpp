// SPDX-License-Identifier: MIT
#include "mlstack/frameworks/build_parsers.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/frameworks/python_literals.hpp"
#include "mlstack/names/package_name.hpp"
#include "mlstack/pep440/specifier.hpp"
#include "mlstack/pep508/marker_environment.hpp"
#include "mlstack/pep508/requirement.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>

namespace mlstack::frameworks {
namespace {

std::string string_of(const PyValue* v) {
  if (v == nullptr) {
    return {};
  }
  switch (v->kind) {
    case PyValue::Kind::string:
    case PyValue::Kind::integer:
    case PyValue::Kind::floating:
      return v->text;
    default:
      return {};
  }
}

std::optional<std::string> optional_string(const PyValue* v) {
  if (v == nullptr || v->kind != PyValue::Kind::string) {
    return std::nullopt;
  }
  return v->text;
}

std::optional<bool> bool_of(const PyValue* v) {
  if (v == nullptr || v->kind != PyValue::Kind::boolean) {
    return std::nullopt;
  }
  return v->is_true();
}

bool all_digits(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!text::is_ascii_digit(c)) {
      return false;
    }
  }
  return true;
}

// `121` → `12.1`, `92` → `9.2` (the last digit is the minor, as PyTorch and CuPy spell it).
std::string split_minor(std::string_view digits) {
  if (digits.size() < 2) {
    return std::string(digits);
  }
  return std::string(digits.substr(0, digits.size() - 1)) + "." + std::string(1, digits.back());
}

// The Linux x86_64 CPython environment pins are evaluated in (the stacks mlstack inspects).
const pep508::MarkerEnvironment& linux_environment() {
  static const pep508::MarkerEnvironment env({
      {"implementation_name", "cpython"},
      {"implementation_version", "3.12.0"},
      {"os_name", "posix"},
      {"platform_machine", "x86_64"},
      {"platform_python_implementation", "CPython"},
      {"platform_release", ""},
      {"platform_system", "Linux"},
      {"platform_version", ""},
      {"python_full_version", "3.12.0"},
      {"python_version", "3.12"},
      {"sys_platform", "linux"},
  });
  return env;
}

// The extra names a marker compares with (`extra == "and-cuda"`), in order.
std::vector<std::string> extras_in(std::string_view marker) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while ((at = marker.find("extra", at)) != std::string_view::npos) {
    at += 5;
    auto rest = text::trim(marker.substr(at));
    if (!rest.starts_with("==")) {
      continue;
    }
    rest = text::trim(rest.substr(2));
    if (rest.empty() || (rest.front() != '"' && rest.front() != '\'')) {
      continue;
    }
    const auto end = rest.find(rest.front(), 1);
    if (end != std::string_view::npos) {
      out.emplace_back(rest.substr(1, end - 1));
    }
  }
  return out;
}

}  // namespace

Result<TorchVersionPy> parse_torch_version_py(std::string_view source) {
  MLSTACK_TRY_ASSIGN(const auto a, parse_python_assignments(source));
  TorchVersionPy out;
  out.version = string_of(find_assignment(a, "__version__"));
  out.has_cuda_field = find_assignment(a, "cuda") != nullptr;
  out.cuda = optional_string(find_assignment(a, "cuda"));
  out.hip = optional_string(find_assignment(a, "hip"));
  out.rocm = optional_string(find_assignment(a, "rocm"));
  out.git_version = string_of(find_assignment(a, "git_version"));
  out.debug = bool_of(find_assignment(a, "debug")).value_or(false);
  return out;
}

Result<TfBuildInfo> parse_tf_build_info(std::string_view source) {
  MLSTACK_TRY_ASSIGN(const auto a, parse_python_assignments(source));
  TfBuildInfo out;
  const PyValue* dict = find_assignment(a, "build_info");
  const auto get = [&](std::string_view key) -> const PyValue* {
    if (dict != nullptr && dict->kind == PyValue::Kind::dict) {
      return dict->find(key);
    }
    return find_assignment(a, key);
  };
  if (dict != nullptr && dict->kind == PyValue::Kind::dict) {
    out.recognized = true;
    out.cuda_version = string_of(get("cuda_version"));
    out.cudnn_version = string_of(get("cudnn_version"));
    out.rocm_version = string_of(get("rocm_version"));
  } else {
    out.cuda_version = string_of(get("cuda_version_number"));
    out.cudnn_version = string_of(get("cudnn_version_number"));
    out.recognized = get("is_cuda_build") != nullptr || get("cuda_version_number") != nullptr;
  }
  if (const auto* caps = get("cuda_compute_capabilities");
      caps != nullptr && caps->kind == PyValue::Kind::list) {
    for (const auto& c : caps->items) {
      out.cuda_compute_capabilities.push_back(c.text);
    }
  }
  out.is_cuda_build = bool_of(get("is_cuda_build"));
  out.is_rocm_build = bool_of(get("is_rocm_build"));
  out.is_tensorrt_build = bool_of(get("is_tensorrt_build"));
  return out;
}

Result<OrtBuildInfo> parse_ort_build_info(std::string_view source) {
  MLSTACK_TRY_ASSIGN(const auto a, parse_python_assignments(source));
  OrtBuildInfo out;
  out.package_name = string_of(find_assignment(a, "package_name"));
  out.version = string_of(find_assignment(a, "__version__"));
  out.cuda_version = string_of(find_assignment(a, "cuda_version"));
  if (out.cuda_version.empty()) {
    out.cuda_version = string_of(find_assignment(a, "cudart_version"));  // old training builds
  }
  out.cudnn_version = string_of(find_assignment(a, "cudnn_version"));
  return out;
}

Result<CupyWheelJson> parse_cupy_wheel_json(std::string_view json_text) {
  const auto doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return unexpected(make_error(ErrorCode::parse, "expected a JSON object"));
  }
  const auto str = [&](const char* key) -> std::string {
    const auto it = doc.find(key);
    if (it == doc.end()) {
      return {};
    }
    if (it->is_string()) {
      return it->get<std::string>();
    }
    if (it->is_object()) {
      const auto v = it->find("version");
      if (v != it->end() && v->is_string()) {
        return v->get<std::string>();
      }
    }
    return {};
  };
  return CupyWheelJson{str("cuda"), str("nccl"), str("cudnn"), str("cutensor"), str("packaging")};
}

Result<std::string> parse_jax_version_py(std::string_view source) {
  MLSTACK_TRY_ASSIGN(const auto a, parse_python_assignments(source));
  for (const char* name : {"_version", "_release_version", "__version__"}) {
    if (const auto* v = find_assignment(a, name);
        v != nullptr && v->kind == PyValue::Kind::string) {
      return v->text;
    }
  }
  return std::string();
}

std::optional<std::string> cuda_from_local_label(std::string_view label) {
  if (label.size() >= 4 && label.starts_with("cu") && all_digits(label.substr(2))) {
    return split_minor(label.substr(2));
  }
  return std::nullopt;
}

std::optional<JaxlibLocal> parse_jaxlib_local(std::string_view label) {
  JaxlibLocal out;
  for (auto part : text::split(label, '.')) {
    if (part.starts_with("cudnn") && all_digits(part.substr(5))) {
      const auto d = part.substr(5);
      // `89` → 8.9, `805` → 8.0.5, `91` → 9.1.
      std::string v(1, d.front());
      for (char c : d.substr(1)) {
        v += '.';
        v += c;
      }
      out.cudnn = v;
    } else if (part.starts_with("cuda") && all_digits(part.substr(4))) {
      const auto d = part.substr(4);
      out.cuda = d.size() <= 2 ? std::string(d) : split_minor(d);
    }
  }
  if (out.cuda.empty()) {
    return std::nullopt;
  }
  return out;
}

std::string cuda_from_dist_name(std::string_view name) {
  for (auto part : text::split(name, '-')) {
    std::string_view digits;
    bool wildcard = false;
    if (part.starts_with("cuda")) {
      digits = part.substr(4);
    } else if (part.starts_with("cu")) {
      digits = part.substr(2);
    } else {
      continue;
    }
    if (digits.ends_with('x')) {
      wildcard = true;
      digits.remove_suffix(1);
    }
    if (!all_digits(digits)) {
      continue;
    }
    // `cuda12x`, `cuda12`, `cu12`: a major; `cuda113`/`cuda102`: major.minor.
    if (wildcard || digits.size() <= 2) {
      return std::string(digits);
    }
    return split_minor(digits);
  }
  return {};
}

std::string library_of_dist(std::string_view canonical_name) {
  std::string_view base = canonical_name;
  if (const auto dash = base.rfind('-'); dash != std::string_view::npos) {
    const auto tail = base.substr(dash + 1);
    if (tail.starts_with("cu") && all_digits(tail.substr(2))) {
      base = base.substr(0, dash);
    }
  }
  struct Row {
    std::string_view dist;
    std::string_view library;
  };
  static constexpr Row k_rows[] = {
      {"nvidia-cuda-runtime", "cudart"}, {"nvidia-cublas", "cublas"},
      {"nvidia-cudnn", "cudnn"},         {"nvidia-nccl", "nccl"},
      {"nvidia-nvjitlink", "nvjitlink"}, {"nvidia-cufft", "cufft"},
      {"nvidia-cusparse", "cusparse"},   {"nvidia-cusparselt", "cusparselt"},
      {"nvidia-cusolver", "cusolver"},   {"nvidia-curand", "curand"},
      {"nvidia-cuda-nvrtc", "nvrtc"},    {"nvidia-cuda-cupti", "cupti"},
  };
  for (const auto& row : k_rows) {
    if (row.dist == base) {
      return std::string(row.library);
    }
  }
  return {};
}

std::string major_of_range(std::string_view specifier) {
  auto set = pep440::SpecifierSet::parse(specifier);
  if (!set) {
    return {};
  }
  std::optional<std::uint64_t> lower;
  std::optional<std::uint64_t> upper;  // exclusive
  for (const auto& s : set->specifiers()) {
    const auto v = s.version();
    if (!v) {
      continue;
    }
    // A major that is past 64 bits (or at the limit, so `+ 1` cannot wrap) names no CUDA.
    const std::uint64_t major = v->release_part(0);
    if (major == std::numeric_limits<std::uint64_t>::max()) {
      continue;
    }
    switch (s.op()) {
      case pep440::Operator::greater_equal:
      case pep440::Operator::greater:
        lower = major;
        break;
      case pep440::Operator::less:
        // `<10` and `<10.0` end major 9; `<9.5` ends inside major 9.
        upper = v->release_part(1) == 0 ? major : major + 1;
        break;
      case pep440::Operator::compatible:
        lower = major;  // `~=9.0` and `~=9.1.2` both stay in major 9
        upper = major + 1;
        break;
      case pep440::Operator::equal:
        lower = major;
        upper = major + 1;
        break;
      default:
        break;
    }
  }
  if (lower && upper && *upper == *lower + 1) {
    return std::to_string(*lower);
  }
  return {};
}

std::vector<facts::CudaPin> parse_cuda_pins(const std::vector<std::string>& requires_dist) {
  std::vector<facts::CudaPin> out;
  for (const auto& raw : requires_dist) {
    auto req = pep508::Requirement::parse(raw);
    if (!req) {
      continue;
    }
    const auto name = req->package_name().str();
    if (!name.starts_with("nvidia-") && name != "cuda-toolkit") {
      continue;
    }
    facts::CudaPin pin;
    pin.requirement = raw;
    pin.package = name;
    pin.library = library_of_dist(name);
    pin.specifier = req->specifier().to_string();
    pin.extras = req->extras();
    const auto& specs = req->specifier().specifiers();
    if (specs.size() == 1 && specs.front().op() == pep440::Operator::equal &&
        !specs.front().has_wildcard()) {
      pin.version = specs.front().version_text();
    }
    if (const auto& marker = req->marker()) {
      if (!marker->evaluate(linux_environment(), "")) {
        bool gated = false;
        for (const auto& extra : extras_in(marker->to_string())) {
          if (marker->evaluate(linux_environment(), extra)) {
            pin.extra = names::canonicalize(extra);  // `with_cuda` is `with-cuda`
            gated = true;
            break;
          }
        }
        if (!gated) {
          continue;  // Windows-only, aarch64-only, ...
        }
      }
    }
    out.push_back(std::move(pin));
  }
  return out;
}

}  // namespace mlstack::frameworks
