// SPDX-License-Identifier: MIT
#include "mlstack/kb/evaluate.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/kb/detail/gpu_arch.hpp"
#include "mlstack/kb/detail/lookups.hpp"
#include "mlstack/kb/detail/value.hpp"
#include "mlstack/names/package_name.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace mlstack::kb {
namespace {

using facts::FrameworkBuild;
using facts::GpuDevice;
using pep440::Version;

using detail::make_bool;
using detail::make_int;
using detail::make_list;
using detail::make_string;
using detail::make_version;
using detail::major_of;
using detail::release_at;
using detail::show;
using detail::Value;

struct Scope {
  const FrameworkBuild* framework = nullptr;
  const FrameworkBuild* other = nullptr;
  const GpuDevice* device = nullptr;
  const facts::LibraryUse* library = nullptr;
};

// `cuDNN` for `cudnn`: the names NVIDIA uses, for titles.
std::string library_title(std::string_view name) {
  constexpr std::pair<std::string_view, std::string_view> k_titles[] = {
      {"cudart", "the CUDA runtime"}, {"cublas", "cuBLAS"},     {"cublaslt", "cuBLASLt"},
      {"cudnn", "cuDNN"},             {"nccl", "NCCL"},         {"nvjitlink", "nvJitLink"},
      {"cufft", "cuFFT"},             {"cusparse", "cuSPARSE"}, {"cusolver", "cuSOLVER"},
      {"curand", "cuRAND"},           {"nvrtc", "NVRTC"},       {"cupti", "CUPTI"}};
  for (const auto& [n, t] : k_titles) {
    if (n == name) {
      return std::string(t);
    }
  }
  return std::string(name);
}

class Evaluator {
 public:
  Evaluator(const Kb& kb, const KbInput& in) : m_kb(kb), m_in(in) {}

  void reset(Scope scope) {
    m_scope = scope;
    m_evidence.clear();
    m_subjects.clear();
    for (const FrameworkBuild* fw : {scope.framework, scope.other}) {
      if (fw != nullptr) {
        subject(fw->distribution.empty() ? fw->name : fw->distribution);
      }
    }
  }

  Value eval(const Node& n) {
    switch (n.kind) {
      case Node::Kind::literal_string:
        if (n.version) {
          return make_version(KbVersion{*n.version, n.text});
        }
        return make_string(n.text);
      case Node::Kind::literal_integer:
        if (n.version) {
          return make_version(KbVersion{*n.version, std::to_string(n.integer)});
        }
        return make_int(n.integer);
      case Node::Kind::literal_bool:
        return make_bool(n.boolean);
      case Node::Kind::literal_none:
        return Value{};
      case Node::Kind::literal_list: {
        Value v;
        v.type = Type::list;
        v.list = n.list;
        return v;
      }
      case Node::Kind::field:
        return field(n);
      case Node::Kind::call:
        return call(n);
      case Node::Kind::logical_and:  // left to right, stopping at the first false
        return make_bool(std::all_of(n.children.begin(), n.children.end(),
                                     [this](const Node& c) { return eval(c).boolean; }));
      case Node::Kind::logical_or:  // left to right, stopping at the first true
        return make_bool(std::any_of(n.children.begin(), n.children.end(),
                                     [this](const Node& c) { return eval(c).boolean; }));
      case Node::Kind::logical_not:
        return make_bool(!eval(n.children[0]).boolean);
      case Node::Kind::compare:
        return compare(n);
      case Node::Kind::in_specifiers: {
        const Value left = eval(n.children[0]);
        return make_bool(left.type == Type::version && n.specifiers->contains(*left.version));
      }
      case Node::Kind::in_list: {
        const Value left = eval(n.children[0]);
        const auto& list = n.children[1].list;
        return make_bool(left.type == Type::string &&
                         std::find(list.begin(), list.end(), left.text) != list.end());
      }
      case Node::Kind::contains: {
        const Value left = eval(n.children[0]);
        const Value right = eval(n.children[1]);
        return make_bool(left.type == Type::list && right.type == Type::string &&
                         std::find(left.list.begin(), left.list.end(), right.text) !=
                             left.list.end());
      }
    }
    return Value{};
  }

  std::string render(const Template& t) {
    std::string out;
    for (const Template::Part& p : t.parts()) {
      out += p.expression ? show(eval(p.expression->root())) : p.text;
    }
    return out;
  }

  [[nodiscard]] const std::vector<std::string>& evidence() const { return m_evidence; }
  [[nodiscard]] const std::vector<std::string>& subjects() const { return m_subjects; }

 private:
  void note(std::string line) {
    if (std::find(m_evidence.begin(), m_evidence.end(), line) == m_evidence.end()) {
      m_evidence.push_back(std::move(line));
    }
  }
  void subject(std::string name) {
    if (!name.empty() &&
        std::find(m_subjects.begin(), m_subjects.end(), name) == m_subjects.end()) {
      m_subjects.push_back(std::move(name));
    }
  }
  void note_kb(const Entry& e, const std::string& what) {
    note("kb " + e.id + ": " + what + " (" + e.file + (e.verified ? "" : ", unverified") +
         "; source: " + e.source + ")");
  }

  static std::string fw_label(const FrameworkBuild& fw) {
    return (fw.distribution.empty() ? fw.name : fw.distribution) + " " + fw.version;
  }
  static std::string sourced(const facts::Sourced& s) {
    return s.value.empty() ? "unknown" : s.value + (s.source.empty() ? "" : " (" + s.source + ")");
  }

  Value framework_field(const FrameworkBuild& fw, Field f) {
    const std::string label = fw_label(fw);
    switch (f) {
      case Field::fw_name:
        return make_string(fw.name);
      case Field::fw_distribution:
        return make_string(fw.distribution);
      case Field::fw_version:
        note(label + " (framework build)");
        return make_version(fw.version);
      case Field::fw_cuda:
      case Field::fw_cuda_major:
        note(label + ": built for CUDA " + sourced(fw.cuda));
        return f == Field::fw_cuda ? make_version(fw.cuda.value)
                                   : major_value(make_version(fw.cuda.value));
      case Field::fw_cudnn:
      case Field::fw_cudnn_major:
        note(label + ": built for cuDNN " + sourced(fw.cudnn));
        return f == Field::fw_cudnn ? make_version(fw.cudnn.value)
                                    : major_value(make_version(fw.cudnn.value));
      case Field::fw_nccl:
      case Field::fw_nccl_major:
        note(label + ": built for NCCL " + sourced(fw.nccl));
        return f == Field::fw_nccl ? make_version(fw.nccl.value)
                                   : major_value(make_version(fw.nccl.value));
      case Field::fw_gpu_build:
        note(label + ": " + (fw.gpu_build ? "GPU build" : "CPU-only build") +
             (fw.cuda.value.empty() ? "" : " for CUDA " + sourced(fw.cuda)));
        return make_bool(fw.gpu_build);
      case Field::fw_archs: {
        Value v;
        if (fw.archs.empty()) {
          note(label + ": compiled architectures unknown");
          return v;
        }
        v.type = Type::list;
        v.list = fw.archs;
        note(label + ": compiled for " + show(v) +
             (fw.archs_source.empty() ? "" : " (" + fw.archs_source + ")"));
        return v;
      }
      case Field::fw_cuda_install:
        return fw.cuda_install.empty() ? Value{} : make_string(fw.cuda_install);
      case Field::fw_libs_found:
      case Field::fw_libs_missing: {
        std::vector<std::string> missing;
        std::int64_t found = 0;
        std::size_t loaded = 0;  // linked-in (static) copies are not loaded, and not counted
        for (const facts::LibraryUse& lib : fw.libraries) {
          if (!facts::is_loaded(lib)) {
            continue;
          }
          ++loaded;
          if (facts::usable(lib, fw)) {
            ++found;
          } else if (lib.how == "missing") {
            missing.push_back(library_title(lib.library) + " " + lib.major);
          } else {
            missing.push_back(library_title(lib.library) + " " + lib.major + " (only a CUDA " +
                              lib.cuda_major.value + " build)");
          }
        }
        if (loaded == 0) {
          return Value{};
        }
        note(label + ": " + std::to_string(found) + " of " + std::to_string(loaded) +
             " CUDA libraries it loads found" +
             (missing.empty() ? "" : "; missing: " + show(make_list(missing))));
        if (f == Field::fw_libs_found) {
          return make_int(found);
        }
        return missing.empty() ? Value{} : make_list(missing);
      }
      case Field::fw_archs_source:
        return fw.archs_source.empty() ? Value{} : make_string(fw.archs_source);
      case Field::fw_libs_fix:
        return fw.libraries_fix.empty() ? Value{} : make_string(fw.libraries_fix);
      case Field::fw_cudnn_package:
        for (const facts::CudaPin& pin : fw.cuda_pins) {
          if (pin.library == "cudnn") {
            note(label + ": pins " + pin.requirement);
            return make_string(pin.package);
          }
        }
        return Value{};
      default:
        return Value{};
    }
  }

  static Value major_value(const Value& v) {
    auto m = major_of(v);
    return m ? make_int(*m) : Value{};
  }

  Value library_field(const facts::LibraryUse& lib, Field f) {
    const std::string what = library_title(lib.library) + " " + lib.major;
    switch (f) {
      case Field::lib_name:
        return make_string(lib.library);
      case Field::lib_title:
        return make_string(library_title(lib.library));
      case Field::lib_major:
        return lib.major.empty() ? Value{} : major_value(make_version(lib.major));
      case Field::lib_need:
        if (!lib.need.value.empty()) {
          note(what + " needed: " + sourced(lib.need));
        }
        return make_version(lib.need.value);
      case Field::lib_how:
      case Field::lib_path:
      case Field::lib_version:
      case Field::lib_package:
        if (lib.how == "missing") {
          note(what + ": no file found");
        } else {
          note(what + " used: " + lib.path + " (" + lib.how +
               (lib.package.empty() ? "" : ", " + lib.package + "'s copy") + ", version " +
               sourced(lib.version) + ")");
        }
        if (f == Field::lib_how) {
          return make_string(lib.how);
        }
        if (f == Field::lib_path) {
          return lib.path.empty() ? Value{} : make_string(lib.path);
        }
        if (f == Field::lib_package) {
          return lib.package.empty() ? Value{} : make_string(lib.package);
        }
        return make_version(lib.version.value);
      case Field::lib_cuda_major:
        if (lib.cuda_major.value.empty()) {
          return Value{};
        }
        note(lib.path + " is built for CUDA " + lib.cuda_major.value + " (" +
             lib.cuda_major.source + ")");
        return major_value(make_version(lib.cuda_major.value));
      case Field::lib_users: {
        if (lib.users.size() > 1) {
          note(lib.path + " is used by " + show(make_list(lib.users)));
        }
        return lib.users.empty() ? Value{} : make_list(lib.users);
      }
      case Field::lib_fix:
        return lib.fix.empty() ? Value{} : make_string(lib.fix);
      case Field::lib_soname:
        return lib.soname.empty() ? Value{} : make_string(lib.soname);
      case Field::lib_linked_by:
        if (lib.linked_by.empty()) {
          return Value{};
        }
        note(lib.linked_by + " links " + lib.soname + " (DT_NEEDED)");
        return make_string(lib.linked_by);
      default:
        return Value{};
    }
  }

  Value field(const Node& n) {
    const facts::GpuFacts& gpu = m_in.gpu;
    switch (n.field) {
      case Field::python_version:
        note("python " + m_in.python.version +
             (m_in.python.executable.empty() ? "" : " (" + m_in.python.executable + ")"));
        return make_version(m_in.python.version);
      case Field::driver_present:
        note(gpu.driver_present ? "NVIDIA driver present (" + gpu.source + ")"
                                : "no NVIDIA driver found");
        return make_bool(gpu.driver_present);
      case Field::driver_version:
        if (!gpu.driver_present) {
          note("no NVIDIA driver found");
          return Value{};
        }
        note("NVIDIA driver " + gpu.driver_version + " (" + gpu.source + ")");
        return make_version(gpu.driver_version);
      case Field::driver_cuda:
        if (!gpu.driver_present) {
          note("no NVIDIA driver found");
          return Value{};
        }
        note("driver supports CUDA " + gpu.cuda_driver_api_version + " (" + gpu.source + ")");
        return make_version(gpu.cuda_driver_api_version);
      case Field::device_index:
      case Field::device_name:
      case Field::device_compute_capability: {
        const GpuDevice& d = *m_scope.device;
        note("GPU " + std::to_string(d.index) + ": " + d.name + ", compute capability " +
             (d.compute_capability.empty() ? "unknown" : d.compute_capability));
        if (n.field == Field::device_index) {
          return make_int(d.index);
        }
        return n.field == Field::device_name ? make_string(d.name)
                                             : make_version(d.compute_capability);
      }
      case Field::lib_name:
      case Field::lib_title:
      case Field::lib_major:
      case Field::lib_need:
      case Field::lib_how:
      case Field::lib_path:
      case Field::lib_version:
      case Field::lib_package:
      case Field::lib_cuda_major:
      case Field::lib_users:
      case Field::lib_fix:
      case Field::lib_soname:
      case Field::lib_linked_by:
        return m_scope.library == nullptr ? Value{} : library_field(*m_scope.library, n.field);
      default: {
        const bool is_other = n.text.starts_with("other.");
        const FrameworkBuild* fw = is_other ? m_scope.other : m_scope.framework;
        return fw == nullptr ? Value{} : framework_field(*fw, n.field);
      }
    }
  }

  const facts::InstalledDist* find_dist(const std::string& name) const {
    const std::string canonical = names::canonicalize(name);
    for (const facts::InstalledDist& d : m_in.inventory.dists) {
      if (d.canonical_name == canonical) {
        return &d;
      }
    }
    return nullptr;
  }

  Value call(const Node& n) {
    std::vector<Value> args;
    if (n.function != Function::installed && n.function != Function::version) {
      for (const Node& c : n.children) {
        args.push_back(eval(c));
      }
    }
    switch (n.function) {
      case Function::installed:
      case Function::version: {
        std::string names;
        for (const Node& c : n.children) {
          const facts::InstalledDist* d = find_dist(c.text);
          Value v = d != nullptr && d->version_text ? make_version(*d->version_text) : Value{};
          if (d != nullptr && (n.function == Function::installed || v.type == Type::version)) {
            note(d->canonical_name + " " + d->version_text.value_or("(no version)") +
                 " installed (" + d->info_path + ")");
            subject(d->canonical_name);
            return n.function == Function::installed ? make_bool(true) : v;
          }
          names += names.empty() ? "" : ", ";
          names += c.text;
        }
        note(names + ": not installed");
        return n.function == Function::installed ? make_bool(false) : Value{};
      }
      case Function::major:
        return major_value(args[0]);
      case Function::minor:
        return args[0].type == Type::version
                   ? make_int(static_cast<std::int64_t>(release_at(*args[0].version, 1)))
                   : Value{};
      case Function::major_minor:
        if (args[0].type != Type::version) {
          return Value{};
        }
        return make_version(std::to_string(release_at(*args[0].version, 0)) + "." +
                            std::to_string(release_at(*args[0].version, 1)));
      case Function::cuda_min_driver:
        return cuda_min_driver(args[0]);
      case Function::cuda_compat_driver: {
        const auto m = major_of(args[0]);
        for (const MinorVersionCompat& row : m_kb.minor_version_compat) {
          if (m && row.cuda_major == *m) {
            note_kb(row.entry, "CUDA " + std::to_string(*m) + ".x runs on driver >= " +
                                   row.min_driver.text + " (minor-version compatibility)");
            return make_version(row.min_driver);
          }
        }
        return Value{};
      }
      case Function::cuda_min_cc: {
        const ArchFloor* best = nullptr;
        for (const ArchFloor& row : m_kb.arch_floors) {
          if (args[0].type == Type::version && row.toolkit.version <= *args[0].version &&
              (best == nullptr || best->toolkit.version < row.toolkit.version)) {
            best = &row;
          }
        }
        if (best == nullptr) {
          return Value{};
        }
        note_kb(best->entry,
                "CUDA " + best->toolkit.text +
                    "+ compiles for compute capability >= " + best->min_compute_capability.text);
        return make_version(best->min_compute_capability);
      }
      case Function::gpu_compute_capability:
        for (const GpuModel& g : m_kb.gpus) {
          if (args[0].type == Type::string && detail::matches_words(args[0].text, g.pattern)) {
            note_kb(g.entry, g.pattern + " has compute capability " + g.compute_capability.text);
            return make_version(g.compute_capability);
          }
        }
        return Value{};
      case Function::has_sass:
      case Function::has_ptx:
        return arch_test(n.function, args[0], args[1]);
      case Function::library_found:
      case Function::library_version:
        return library(n.function, args[0], args[1]);
      case Function::gpu_build:
        for (const FrameworkBuild& fw : m_in.builds.frameworks) {
          if (args[0].type == Type::string && fw.name == args[0].text && fw.gpu_build) {
            note(fw_label(fw) + ": GPU build");
            subject(fw.distribution.empty() ? fw.name : fw.distribution);
            return make_bool(true);
          }
        }
        return make_bool(false);
      case Function::device_count:
        return make_int(static_cast<std::int64_t>(m_in.gpu.devices.size()));
      case Function::system_searched:
        if (!m_in.builds.system_searched) {
          note("system library folders were not searched (--site)");
        }
        return make_bool(m_in.builds.system_searched);
      case Function::env:
        return environment(args[0]);
      case Function::compat_driver:
        return compat_driver();
      case Function::data_center_gpus:
        return data_center_gpus();
      case Function::gpu_segment: {
        const GpuModel* g = gpu_model(args[0]);
        return g == nullptr || g->segment.empty() ? Value{} : make_string(g->segment);
      }
      case Function::build_with_arch:
        return build_with(args[0], args[1], args[2], detail::ArchCover::sass_or_ptx);
      case Function::build_with_sass:
        return build_with(args[0], args[1], args[2], detail::ArchCover::sass);
    }
    return Value{};
  }

  Value environment(const Value& name) {
    if (name.type != Type::string) {
      return Value{};
    }
    const auto* env = m_in.environment;
    const auto it = env == nullptr ? Environment::const_iterator{} : env->find(name.text);
    if (env == nullptr || it == env->end()) {
      note(name.text + " is not set");
      return Value{};
    }
    note(name.text + "=" + it->second + " (environment)");
    return make_string(it->second);
  }

  Value compat_driver() {
    for (const facts::CudaLibrary& lib : m_in.builds.compat_libcuda) {
      if (lib.found_via == "LD_LIBRARY_PATH" || lib.found_via == "ld.so.cache") {
        note("cuda-compat libcuda " + lib.version + " at " + lib.path + " (" + lib.found_via +
             ", ahead of the driver's libcuda)");
        return make_version(lib.version);
      }
      note("cuda-compat libcuda " + lib.version + " at " + lib.path +
           " is installed but not in the library path");
    }
    if (m_in.builds.compat_libcuda.empty()) {
      note("no cuda-compat libcuda found");
    }
    return Value{};
  }

  const GpuModel* gpu_model(const Value& name) {
    for (const GpuModel& g : m_kb.gpus) {
      if (name.type == Type::string && detail::matches_words(name.text, g.pattern)) {
        note_kb(g.entry, g.pattern + ": compute capability " + g.compute_capability.text +
                             (g.segment.empty() ? "" : ", " + g.segment));
        return &g;
      }
    }
    return nullptr;
  }

  Value data_center_gpus() {
    if (m_in.gpu.devices.empty()) {
      return make_bool(false);
    }
    for (const GpuDevice& d : m_in.gpu.devices) {
      const GpuModel* g = gpu_model(make_string(d.name));
      if (g == nullptr || g->segment != "data-center") {
        note("GPU " + std::to_string(d.index) + ": " + d.name +
             (g == nullptr ? " is not in gpus.toml" : " is not a data-center GPU"));
        return make_bool(false);
      }
    }
    return make_bool(true);
  }

  // A frameworks.toml release of `framework` whose archs cover `cc` (detail::release_covering),
  // as `torch==2.15.* (cu126, https://download.pytorch.org/whl/cu126)`; a sentence when none.
  Value build_with(const Value& framework, const Value& installed, const Value& cc,
                   detail::ArchCover cover) {
    if (framework.type != Type::string || cc.type != Type::version) {
      return Value{};
    }
    const FrameworkRelease* best = detail::release_covering(
        m_kb, framework.text, installed.type == Type::version ? &*installed.version : nullptr,
        release_at(*cc.version, 0), release_at(*cc.version, 1), cover);
    if (best == nullptr) {
      return make_string("none in the knowledge base covers it: a release newer than those listed");
    }
    const std::string out = detail::release_requirement(*best);
    note_kb(best->entry, out + " is built for " + show(make_list(best->archs)));
    return make_string(out);
  }

  Value cuda_min_driver(const Value& cuda) {
    if (cuda.type != Type::version) {
      return Value{};
    }
    const ToolkitDriver* row = detail::toolkit_row(m_kb, *cuda.version);
    if (row == nullptr) {
      return Value{};
    }
    note_kb(row->entry, "CUDA " + row->toolkit.text + " needs driver >= " + row->min_driver.text +
                            " for full compatibility");
    return make_version(row->min_driver);
  }

  static Value arch_test(Function f, const Value& archs, const Value& cc) {
    if (archs.type != Type::list || cc.type != Type::version) {
      return make_bool(false);
    }
    const std::uint64_t major = release_at(*cc.version, 0);
    const std::uint64_t minor = release_at(*cc.version, 1);
    return make_bool(f == Function::has_sass ? detail::has_sass(archs.list, major, minor)
                                             : detail::has_ptx(archs.list, major, minor));
  }

  Value library(Function f, const Value& name, const Value& major) {
    if (name.type != Type::string || major.type != Type::integer) {
      return f == Function::library_found ? make_bool(false) : Value{};
    }
    const facts::CudaLibrary* best = nullptr;
    std::optional<Version> best_version;
    for (const facts::CudaLibrary& lib : m_in.builds.cuda_libraries) {
      const Value v = make_version(lib.version);
      if (lib.name != name.text || major_of(v) != major.integer) {
        continue;
      }
      if (best == nullptr || (best_version && *best_version < *v.version)) {
        best = &lib;
        best_version = v.version;
      }
    }
    const std::string what = name.text + " " + std::to_string(major.integer);
    if (best == nullptr) {
      note("no " + what + " library found among " +
           std::to_string(m_in.builds.cuda_libraries.size()) + " CUDA libraries");
      return f == Function::library_found ? make_bool(false) : Value{};
    }
    note(name.text + " " + best->version + " at " + best->path + " (" + best->origin +
         (best->version_source.empty() ? "" : ", version from " + best->version_source) + ")");
    return f == Function::library_found ? make_bool(true) : make_version(best->version);
  }

  Value compare(const Node& n) {
    const Value a = eval(n.children[0]);
    const Value b = eval(n.children[1]);
    const bool a_none = a.type == Type::none;
    const bool b_none = b.type == Type::none;
    const bool none_literal = n.children[0].kind == Node::Kind::literal_none ||
                              n.children[1].kind == Node::Kind::literal_none;
    if (none_literal) {  // `x == none`, `x != none`
      const bool both = a_none && b_none;
      return make_bool(n.op == Node::Op::eq ? both : !both);
    }
    if (a_none || b_none) {
      return make_bool(false);  // a missing fact never satisfies a comparison
    }
    std::strong_ordering ord = std::strong_ordering::equal;
    switch (a.type) {
      case Type::version:
        ord = *a.version <=> *b.version;
        break;
      case Type::integer:
        ord = a.integer <=> b.integer;
        break;
      case Type::boolean:
        ord = a.boolean == b.boolean ? std::strong_ordering::equal : std::strong_ordering::less;
        break;
      default:
        ord = a.text == b.text ? std::strong_ordering::equal : std::strong_ordering::less;
        break;
    }
    switch (n.op) {
      case Node::Op::eq:
        return make_bool(ord == 0);
      case Node::Op::ne:
        return make_bool(ord != 0);
      case Node::Op::lt:
        return make_bool(ord < 0);
      case Node::Op::le:
        return make_bool(ord <= 0);
      case Node::Op::gt:
        return make_bool(ord > 0);
      case Node::Op::ge:
        return make_bool(ord >= 0);
    }
    return make_bool(false);
  }

  const Kb& m_kb;
  const KbInput& m_in;
  Scope m_scope;
  std::vector<std::string> m_evidence;
  std::vector<std::string> m_subjects;
};

std::vector<Scope> scopes(ForEach fe, const KbInput& in) {
  std::vector<Scope> out;
  const auto& fws = in.builds.frameworks;
  const auto& devs = in.gpu.devices;
  switch (fe) {
    case ForEach::once:
      out.push_back({});
      break;
    case ForEach::framework:
      for (const auto& fw : fws) {
        out.push_back({&fw, nullptr, nullptr});
      }
      break;
    case ForEach::device:
      for (const auto& d : devs) {
        out.push_back({nullptr, nullptr, &d});
      }
      break;
    case ForEach::framework_device:
      for (const auto& fw : fws) {
        for (const auto& d : devs) {
          out.push_back({&fw, nullptr, &d});
        }
      }
      break;
    case ForEach::framework_pair:
      for (std::size_t i = 0; i < fws.size(); ++i) {
        for (std::size_t j = i + 1; j < fws.size(); ++j) {
          out.push_back({&fws[i], &fws[j], nullptr});
        }
      }
      break;
    case ForEach::framework_library:
      for (const auto& fw : fws) {
        for (const auto& lib : fw.libraries) {
          out.push_back({&fw, nullptr, nullptr, &lib});
        }
      }
      break;
  }
  return out;
}

}  // namespace

std::vector<rules::Finding> evaluate(const Kb& kb, const KbInput& input) {
  std::vector<rules::Finding> out;
  std::set<std::pair<std::string, std::string>> seen;  // (id, title): one per GPU model
  Evaluator ev(kb, input);
  for (const Rule& rule : kb.rules) {
    for (const Scope& scope : scopes(rule.for_each, input)) {
      ev.reset(scope);
      if (!ev.eval(rule.when.root()).boolean) {
        continue;
      }
      rules::Finding f;
      f.id = rule.entry.id;
      f.severity = rule.severity;
      f.title = ev.render(rule.title);
      f.why = ev.render(rule.why);
      f.fix = ev.render(rule.fix);
      if (!seen.emplace(f.id, f.title).second) {
        continue;
      }
      f.subjects = ev.subjects();
      f.evidence = ev.evidence();
      f.evidence.push_back("source: " + rule.entry.source);
      if (!rule.entry.verified) {
        f.evidence.push_back("unverified" +
                             (rule.entry.note.empty() ? std::string() : ": " + rule.entry.note));
      }
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::string build_for_cuda(const Kb& kb, std::string_view framework,
                           std::string_view installed_version, std::string_view cuda_major) {
  const auto installed = Version::parse(installed_version);
  const auto major = Version::parse(cuda_major);
  if (!major) {
    return {};
  }
  const FrameworkRelease* r = detail::release_for_cuda(
      kb, framework, installed ? &*installed : nullptr, release_at(*major, 0));
  return r == nullptr ? std::string() : detail::release_requirement(*r);
}

}  // namespace mlstack::kb
