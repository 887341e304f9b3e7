// SPDX-License-Identifier: MIT
#include "mlstack/kb/evaluate.hpp"

#include "mlstack/base/text.hpp"
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

/// A run-time value. `type == Type::none` is a missing fact (unknown, not installed, ...).
struct Value {
  Type type = Type::none;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string text;  // strings; versions as the fact wrote them
  std::optional<Version> version;
  std::vector<std::string> list;
};

Value make_bool(bool b) {
  Value v;
  v.type = Type::boolean;
  v.boolean = b;
  return v;
}

Value make_int(std::int64_t i) {
  Value v;
  v.type = Type::integer;
  v.integer = i;
  return v;
}

Value make_string(std::string s) {
  Value v;
  v.type = Type::string;
  v.text = std::move(s);
  return v;
}

// A version from fact text; none when empty or not PEP 440.
Value make_version(std::string_view text) {
  Value v;
  const std::string_view t = text::trim(text);
  if (t.empty()) {
    return v;
  }
  auto parsed = Version::parse(t);
  if (!parsed) {
    return v;
  }
  v.type = Type::version;
  v.text = std::string(t);
  v.version = std::move(parsed).value();
  return v;
}

Value make_version(const KbVersion& kv) {
  Value v;
  v.type = Type::version;
  v.text = kv.text;
  v.version = kv.version;
  return v;
}

std::optional<std::int64_t> major_of(const Value& v) {
  if (v.type != Type::version || v.version->release().empty()) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(v.version->release()[0]);
}

std::uint64_t release_at(const Version& v, std::size_t i) {
  return i < v.release().size() ? v.release()[i] : 0;
}

std::string show(const Value& v) {
  switch (v.type) {
    case Type::none:
      return "unknown";
    case Type::boolean:
      return v.boolean ? "true" : "false";
    case Type::integer:
      return std::to_string(v.integer);
    case Type::string:
    case Type::version:
      return v.text;
    case Type::list: {
      std::string out;
      for (const std::string& s : v.list) {
        out += out.empty() ? "" : ", ";
        out += s;
      }
      return out.empty() ? "none" : out;
    }
  }
  return "unknown";
}

/// One compiled arch: `sm_86` (SASS 8.6), `sm_90a` (SASS for exactly 9.0), `compute_90`
/// (PTX 9.0), `8.6` / `8.6+PTX` (TORCH_CUDA_ARCH_LIST spelling).
struct Arch {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  bool sass = false;
  bool ptx = false;
  bool exact = false;  // arch-specific (`a` suffix) cubins run only on that capability
};

std::optional<Arch> parse_arch(std::string_view s) {
  Arch a;
  std::string_view digits;
  if (s.starts_with("sm_")) {
    a.sass = true;
    digits = s.substr(3);
  } else if (s.starts_with("compute_")) {
    a.ptx = true;
    digits = s.substr(8);
  } else {
    const std::size_t plus = s.find('+');
    std::string_view num = s.substr(0, plus);
    a.sass = true;
    a.ptx = plus != std::string_view::npos && text::iequals(s.substr(plus + 1), "PTX");
    const std::size_t dot = num.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= num.size()) {
      return std::nullopt;
    }
    for (char c : num) {
      if (!text::is_ascii_digit(c) && c != '.') {
        return std::nullopt;
      }
    }
    a.major = std::stoull(std::string(num.substr(0, dot)));
    a.minor = std::stoull(std::string(num.substr(dot + 1)));
    return a;
  }
  if (!digits.empty() && (digits.back() == 'a' || digits.back() == 'f')) {
    a.exact = digits.back() == 'a';
    digits.remove_suffix(1);
  }
  if (digits.size() < 2 || !std::all_of(digits.begin(), digits.end(), text::is_ascii_digit)) {
    return std::nullopt;
  }
  a.major = std::stoull(std::string(digits.substr(0, digits.size() - 1)));
  a.minor = static_cast<std::uint64_t>(digits.back() - '0');
  return a;
}

// Words of a GPU name, upper case, split on space, `-` and `_`.
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == '-' || c == '_') {
      if (!cur.empty()) {
        out.push_back(std::move(cur));
        cur.clear();
      }
    } else {
      cur += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
  }
  if (!cur.empty()) {
    out.push_back(std::move(cur));
  }
  return out;
}

bool matches_words(std::string_view name, std::string_view pattern) {
  const auto n = words(name);
  const auto p = words(pattern);
  if (p.empty() || p.size() > n.size()) {
    return false;
  }
  for (std::size_t i = 0; i + p.size() <= n.size(); ++i) {
    if (std::equal(p.begin(), p.end(), n.begin() + static_cast<std::ptrdiff_t>(i))) {
      return true;
    }
  }
  return false;
}

struct Scope {
  const FrameworkBuild* framework = nullptr;
  const FrameworkBuild* other = nullptr;
  const GpuDevice* device = nullptr;
};

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
      case Node::Kind::logical_and:
        return make_bool(eval(n.children[0]).boolean && eval(n.children[1]).boolean);
      case Node::Kind::logical_or:
        return make_bool(eval(n.children[0]).boolean || eval(n.children[1]).boolean);
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
      case Field::fw_gpu_build: {
        std::string files;
        for (const std::string& e : fw.evidence) {
          files += files.empty() ? " (" : ", ";
          files += e;
        }
        note(label + ": " + (fw.gpu_build ? "GPU build" : "CPU-only build") +
             (files.empty() ? "" : files + ")"));
        return make_bool(fw.gpu_build);
      }
      case Field::fw_archs: {
        Value v;
        if (fw.archs.empty()) {
          note(label + ": compiled architectures unknown");
          return v;
        }
        v.type = Type::list;
        v.list = fw.archs;
        note(label + ": compiled for " + show(v));
        return v;
      }
      default:
        return Value{};
    }
  }

  static Value major_value(const Value& v) {
    auto m = major_of(v);
    return m ? make_int(*m) : Value{};
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
          if (args[0].type == Type::string && matches_words(args[0].text, g.pattern)) {
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
    }
    return Value{};
  }

  Value cuda_min_driver(const Value& cuda) {
    if (cuda.type != Type::version) {
      return Value{};
    }
    const Version& v = *cuda.version;
    const ToolkitDriver* best = nullptr;
    const ToolkitDriver* first_of_minor = nullptr;
    for (const ToolkitDriver& row : m_kb.toolkits) {
      if (release_at(row.toolkit.version, 0) != release_at(v, 0) ||
          release_at(row.toolkit.version, 1) != release_at(v, 1)) {
        continue;
      }
      if (first_of_minor == nullptr || row.toolkit.version < first_of_minor->toolkit.version) {
        first_of_minor = &row;
      }
      if (row.toolkit.version <= v &&
          (best == nullptr || best->toolkit.version < row.toolkit.version)) {
        best = &row;
      }
    }
    if (best == nullptr) {
      best = first_of_minor;
    }
    if (best == nullptr) {
      return Value{};
    }
    note_kb(best->entry,
            "CUDA " + best->toolkit.text + " ships with driver " + best->min_driver.text);
    return make_version(best->min_driver);
  }

  Value arch_test(Function f, const Value& archs, const Value& cc) {
    if (archs.type != Type::list || cc.type != Type::version) {
      return make_bool(false);
    }
    const std::uint64_t major = release_at(*cc.version, 0);
    const std::uint64_t minor = release_at(*cc.version, 1);
    for (const std::string& s : archs.list) {
      const auto a = parse_arch(s);
      if (!a) {
        continue;
      }
      if (f == Function::has_sass && a->sass && a->major == major &&
          (a->exact ? a->minor == minor : a->minor <= minor)) {
        return make_bool(true);
      }
      if (f == Function::has_ptx && a->ptx &&
          (a->major < major || (a->major == major && a->minor <= minor))) {
        return make_bool(true);
      }
    }
    return make_bool(false);
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

}  // namespace mlstack::kb
