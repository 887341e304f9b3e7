// SPDX-License-Identifier: MIT
#include "mlstack/rules/loader_findings.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"
#include "mlstack/rules/loader_cuda_major.hpp"

namespace mlstack::rules {

std::string import_order_text(const std::vector<std::string>& order) {
  std::string out;
  for (const std::string& name : order) {
    out += out.empty() ? "" : "; ";
    out += "import " + name;
  }
  return out;
}

std::string library_title(std::string_view library) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> k_titles = {{
      {"cudart", "CUDA runtime"},
      {"cublas", "cuBLAS"},
      {"cublaslt", "cuBLASLt"},
      {"cudnn", "cuDNN"},
      {"nccl", "NCCL"},
      {"nvjitlink", "nvJitLink"},
      {"nvrtc", "NVRTC"},
      {"nvrtc_builtins", "NVRTC builtins"},
      {"cufft", "cuFFT"},
      {"cusparse", "cuSPARSE"},
      {"libstdcxx", "libstdc++"},
      {"cusolver", "cuSOLVER"},
  }};
  for (const auto& [name, title] : k_titles) {
    if (name == library) {
      return std::string(title);
    }
  }
  if (library.starts_with("cudnn_")) {
    return "cuDNN " + std::string(library.substr(6));
  }
  return std::string(library);
}

std::string import_orders_text(const std::vector<std::vector<std::string>>& orders,
                               const facts::LoaderFacts& loader) {
  const auto has = [](const std::vector<std::string>& order, const std::string& name) {
    return std::find(order.begin(), order.end(), name) != order.end();
  };
  const auto listed = [&orders](const std::vector<std::string>& order) {
    return std::find(orders.begin(), orders.end(), order) != orders.end();
  };
  if (orders.size() > 2) {
    if (orders.size() == loader.scenarios.size() &&
        std::all_of(loader.scenarios.begin(), loader.scenarios.end(),
                    [&listed](const facts::LoadScenario& s) { return listed(s.order); })) {
      return "every import order";
    }
    // A framework in every listed order, and every order with it listed.
    for (const std::string& name : orders.front()) {
      const bool in_all = std::all_of(orders.begin(), orders.end(),
                                      [&](const auto& o) { return has(o, name); });
      const std::size_t with = static_cast<std::size_t>(
          std::count_if(loader.scenarios.begin(), loader.scenarios.end(),
                        [&](const facts::LoadScenario& s) { return has(s.order, name); }));
      if (in_all && with == orders.size()) {
        return fmt::format("every import order with {}", name);
      }
    }
  }
  std::string out;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    out += i == 0 ? "" : (i + 1 == orders.size() ? " and " : ", ");
    out += "`" + import_order_text(orders[i]) + "`";
  }
  return out;
}

namespace {

using facts::FrameworkBuild;
using facts::LoadScenario;
using facts::MappedLibrary;

// Where TensorFlow's (XLA's) cuDNN check is (docs/frameworks.md): the loaded cuDNN must have
// the major the source was compiled with and an equal or higher minor; patches do not count.
constexpr std::string_view k_cudnn_check_source =
    "tensorflow/tensorflow@v2.21.0:third_party/xla/xla/stream_executor/cuda/cuda_dnn.cc "
    "(IsSourceCompatibleWithCudnnLibrary: \"Loaded runtime CuDNN library: X but source was "
    "compiled with: Y\")";

void add_order(std::vector<std::vector<std::string>>& orders, const std::vector<std::string>& o) {
  if (std::find(orders.begin(), orders.end(), o) == orders.end()) {
    orders.push_back(o);
  }
}

std::string file_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string folder(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

// The leading numbers of a version: `9.1.0.70` → {9, 1, 0, 70}; `12.4.127+cuda12` → {12, 4,
// 127}; stops at the first part that is not all digits.
std::vector<unsigned long> release_numbers(std::string_view v) {
  std::vector<unsigned long> out;
  for (std::string_view part : text::split(v, '.')) {
    std::size_t n = 0;
    while (n < part.size() && n < 9 && text::is_ascii_digit(part[n])) {
      ++n;
    }
    if (n == 0) {
      break;
    }
    out.push_back(std::stoul(std::string(part.substr(0, n))));
    if (n != part.size()) {
      break;
    }
  }
  return out;
}

// The major of a soname's version: `libcudnn.so.9` → `9`; empty when none.
std::string soname_major(std::string_view soname) {
  const std::size_t so = soname.find(".so.");
  if (so == std::string_view::npos) {
    return {};
  }
  std::string_view rest = soname.substr(so + 4);
  return std::string(rest.substr(0, rest.find('.')));
}

const FrameworkBuild* find_build(const facts::BuildFacts& builds, std::string_view name) {
  for (const FrameworkBuild& b : builds.frameworks) {
    if (b.name == name) {
      return &b;
    }
  }
  return nullptr;
}

std::string build_text(const FrameworkBuild* b, std::string_view name) {
  if (b == nullptr) {
    return std::string(name);
  }
  return fmt::format("{} {}", b->distribution.empty() ? b->name : b->distribution, b->version);
}

// The framework's own requirement for a library's wheel, marker dropped
// (`nvidia-cudnn-cu12==9.3.0.75`); empty when it pins none.
std::string pinned_requirement(const FrameworkBuild* b, std::string_view library) {
  if (b == nullptr) {
    return {};
  }
  for (const facts::CudaPin& p : b->cuda_pins) {
    if (p.library == library) {
      return p.package + p.specifier;
    }
  }
  return {};
}

std::string mapped_text(const MappedLibrary& m) {
  std::string out = m.real_path.empty() ? m.path : m.real_path;
  std::vector<std::string> notes;
  if (!m.version.value.empty()) {
    notes.push_back(m.version.source.empty()
                        ? m.version.value
                        : fmt::format("{} from {}", m.version.value, m.version.source));
  }
  if (!m.origin.empty()) {
    notes.push_back(m.package.empty() ? m.origin : fmt::format("{} {}", m.origin, m.package));
  }
  if (!m.rule.empty()) {
    notes.push_back("found by " + m.rule);
  }
  if (!m.why.empty()) {
    notes.push_back(m.why);
  }
  if (!m.loaded_by.empty()) {
    notes.push_back("mapped by " + m.loaded_by);
  }
  if (!notes.empty()) {
    out += fmt::format(" ({})", fmt::join(notes, "; "));
  }
  return out;
}

// `LD_LIBRARY_PATH` without `dir`: the command that sets it so, or unsets it.
std::string ld_library_path_fix(std::string_view value, std::string_view dir) {
  std::vector<std::string> kept;
  for (std::string_view entry : text::split(value, ':')) {
    if (entry != dir && !entry.empty()) {
      kept.emplace_back(entry);
    }
  }
  if (kept.empty()) {
    return "unset LD_LIBRARY_PATH";
  }
  return fmt::format("export LD_LIBRARY_PATH='{}'", fmt::join(kept, ":"));
}

// --- LOAD-LIB-TOO-OLD ------------------------------------------------------------------

// What a build needs of one library it loads at run time.
struct Need {
  std::string library;
  std::string soname;  // the file name it asks for, when known
  std::string major;
  facts::Sourced version;
};

std::vector<Need> needs_of(const FrameworkBuild& b) {
  std::vector<Need> out;
  for (const std::string_view library : {"cudnn", "cublas", "nccl"}) {
    const auto use = std::find_if(b.libraries.begin(), b.libraries.end(),
                                  [library](const facts::LibraryUse& u) {
                                    return u.library == library;
                                  });
    if (use != b.libraries.end()) {
      // Linked into its binary: what the loader maps is not what it uses.
      const auto numbers = release_numbers(use->need.value);
      if (use->how != "static" && !numbers.empty()) {
        out.push_back(Need{use->library, use->soname,
                           use->major.empty() ? std::to_string(numbers[0]) : use->major,
                           use->need});
      }
      continue;
    }
    const facts::Sourced& v = library == "cudnn" ? b.cudnn : library == "nccl" ? b.nccl
                                                                                : facts::Sourced{};
    if (!v.value.empty() && !release_numbers(v.value).empty()) {
      out.push_back(Need{std::string(library), {}, std::to_string(release_numbers(v.value)[0]), v});
    }
  }
  return out;
}

// The copy a framework uses in a scenario: ld.so hands out an object already loaded under the
// soname the framework asks for; otherwise the copy of that library whose soname has the
// needed major.
const MappedLibrary* used_copy(const LoadScenario& s, const Need& n) {
  if (!n.soname.empty()) {
    for (const MappedLibrary& m : s.libraries) {
      if (m.library == n.library && m.soname == n.soname) {
        return &m;
      }
    }
  }
  for (const MappedLibrary& m : s.libraries) {
    if (m.library == n.library && soname_major(m.soname) == n.major) {
      return &m;
    }
  }
  return nullptr;
}

enum class Verdict { ok, unknown, other_major, older };

Verdict judge(const MappedLibrary& m, const Need& n) {
  const auto have = release_numbers(m.version.value);
  const auto need = release_numbers(n.version.value);
  if (have.empty() || need.empty()) {
    return Verdict::unknown;
  }
  if (have[0] != need[0]) {
    return Verdict::other_major;
  }
  if (need.size() > 1 && (have.size() < 2 || have[1] < need[1])) {
    return Verdict::older;
  }
  return Verdict::ok;
}

// `9.3` (major.minor of the need) or `9`.
std::string need_text(const Need& n) {
  const auto v = release_numbers(n.version.value);
  return v.size() > 1 ? fmt::format("{}.{}", v[0], v[1]) : std::to_string(v.at(0));
}

void too_old_findings(const facts::LoaderFacts& loader, const facts::BuildFacts& builds,
                      std::vector<Finding>& out) {
  struct Problem {
    const FrameworkBuild* build = nullptr;
    Need need;
    const MappedLibrary* copy = nullptr;
    Verdict verdict = Verdict::ok;
    std::vector<std::vector<std::string>> orders;
  };
  // (framework, library, file) → the orders in which it uses that unfit copy.
  std::map<std::tuple<std::string, std::string, std::string>, Problem> problems;
  // (framework, library) → the orders that work and the copy they use.
  std::map<std::pair<std::string, std::string>,
           std::vector<std::pair<std::vector<std::string>, const MappedLibrary*>>>
      working;
  for (const LoadScenario& s : loader.scenarios) {
    for (const std::string& name : s.order) {
      const FrameworkBuild* b = find_build(builds, name);
      if (b == nullptr || !b->gpu_build) {
        continue;
      }
      for (const Need& n : needs_of(*b)) {
        const MappedLibrary* m = used_copy(s, n);
        if (m == nullptr) {
          continue;
        }
        const Verdict v = judge(*m, n);
        if (v == Verdict::ok) {
          working[{name, n.library}].emplace_back(s.order, m);
        } else if (v != Verdict::unknown) {
          Problem& p = problems[{name, n.library, m->real_path.empty() ? m->path : m->real_path}];
          p.build = b;
          p.need = n;
          p.copy = m;
          p.verdict = v;
          add_order(p.orders, s.order);
        }
      }
    }
  }
  for (const auto& [key, p] : problems) {
    const std::string& name = std::get<0>(key);
    const std::string title = library_title(p.need.library);
    const MappedLibrary& m = *p.copy;
    const std::string copy_by =
        m.loaded_by.empty() || m.loaded_by == name ? "" : fmt::format(", mapped by {}", m.loaded_by);
    Finding f;
    f.id = "LOAD-LIB-TOO-OLD";
    f.severity = p.need.library == "nccl" && p.verdict == Verdict::older ? Severity::warning
                                                                          : Severity::error;
    f.title = fmt::format(
        "{} needs {} {}{}, but {} would give it {} {} ({}{})", build_text(p.build, name), title,
        need_text(p.need),
        p.verdict == Verdict::older ? fmt::format(" or a newer {}.x", p.need.major) : "",
        import_orders_text(p.orders, loader), title, m.version.value,
        m.real_path.empty() ? m.path : m.real_path, copy_by);
    f.subjects = {p.build->distribution.empty() ? name : p.build->distribution};
    f.evidence.push_back("maps " + mapped_text(m));
    f.evidence.push_back(fmt::format(
        "{} needs {} {} ({})", build_text(p.build, name), title, p.need.version.value,
        p.need.version.source.empty() ? "its build" : p.need.version.source));
    const auto& works = working[{name, p.need.library}];
    std::vector<std::vector<std::string>> good;
    for (const auto& w : works) {
      add_order(good, w.first);
    }
    for (const auto& o : p.orders) {
      f.evidence.push_back(fmt::format("fails: `{}`", import_order_text(o)));
    }
    for (const auto& o : good) {
      f.evidence.push_back(fmt::format("works: `{}`", import_order_text(o)));
    }
    f.evidence.push_back(fmt::format("source: {}", k_cudnn_check_source));
    f.why = p.verdict == Verdict::other_major
                ? fmt::format("the first {} mapped into a process serves every framework in it "
                              "(ld.so reuses a loaded soname); a copy of another major lacks "
                              "the functions the build calls",
                              title)
                : fmt::format("the first {} mapped into a process serves every framework in it "
                              "(ld.so reuses a loaded soname); TensorFlow and JAX refuse a "
                              "cuDNN whose minor is below the one they were compiled with "
                              "(\"Loaded runtime CuDNN library: X but source was compiled "
                              "with: Y\") and drop the GPU, and an older library lacks functions "
                              "a newer build calls",
                              title);
    if (!good.empty()) {
      // The orders that work for this framework and break for no other framework's sake are
      // not known here: name the first that works for it, with the copy it then uses.
      const auto& w = works.front();
      f.fix = fmt::format("import in this order: `{}` ({} then uses {} {} from {})",
                          import_order_text(w.first), name, title, w.second->version.value,
                          w.second->real_path.empty() ? w.second->path : w.second->real_path);
    } else if (std::string req = pinned_requirement(p.build, p.need.library); !req.empty()) {
      f.fix = fmt::format("python -m pip install --force-reinstall '{}'", req);
    } else if (!m.package.empty()) {
      f.fix = fmt::format("python -m pip install --upgrade '{}'", m.package);
    } else {
      f.fix = fmt::format("install {} {} or a newer {}.x ahead of {} on the library path", title,
                          need_text(p.need), p.need.major, folder(m.path));
    }
    out.push_back(std::move(f));
  }
}

// --- LOAD-LIB-DUPLICATE -------------------------------------------------------------------

void duplicate_findings(const facts::LoaderFacts& loader, std::vector<Finding>& out) {
  struct Problem {
    std::string name;  // the soname or file name shared
    std::string library;
    std::vector<const MappedLibrary*> copies;
    std::vector<std::vector<std::string>> orders;
  };
  std::map<std::vector<std::string>, Problem> problems;  // keyed by the copies' files
  for (const LoadScenario& s : loader.scenarios) {
    std::map<std::pair<std::string, std::string>, std::vector<const MappedLibrary*>> by_name;
    for (const MappedLibrary& m : s.libraries) {
      if (m.library.empty()) {
        continue;
      }
      auto& copies = by_name[{m.library, m.soname.empty() ? file_name(m.path) : m.soname}];
      const std::string& file = m.real_path.empty() ? m.path : m.real_path;
      if (std::none_of(copies.begin(), copies.end(), [&file](const MappedLibrary* c) {
            return (c->real_path.empty() ? c->path : c->real_path) == file;
          })) {
        copies.push_back(&m);
      }
    }
    for (const auto& [name, copies] : by_name) {
      if (copies.size() < 2) {
        continue;
      }
      std::vector<std::string> files;
      for (const MappedLibrary* c : copies) {
        files.push_back(c->real_path.empty() ? c->path : c->real_path);
      }
      std::sort(files.begin(), files.end());
      Problem& p = problems[files];
      p.name = name.second;
      p.library = name.first;
      if (p.copies.empty()) {
        p.copies = copies;
      }
      add_order(p.orders, s.order);
    }
  }
  // Libraries whose copies come from the same folders in the same orders (a system CUDA and
  // a wheel's, for cuBLAS, cuFFT, ...) are one finding.
  std::map<std::pair<std::vector<std::vector<std::string>>, std::vector<std::string>>,
           std::vector<const Problem*>>
      groups;
  for (const auto& [files, p] : problems) {
    std::vector<std::string> origins;
    for (const MappedLibrary* c : p.copies) {
      origins.push_back(fmt::format("{} ({})", folder(c->real_path.empty() ? c->path : c->real_path),
                                    c->loaded_by));
    }
    std::sort(origins.begin(), origins.end());
    groups[{p.orders, origins}].push_back(&p);
  }
  for (const auto& [key, members] : groups) {
    const Problem& p = *members.front();
    Finding f;
    f.id = "LOAD-LIB-DUPLICATE";
    f.severity = Severity::warning;
    std::vector<std::string> names;
    std::vector<std::string> titles;
    for (const Problem* m : members) {
      names.push_back(m->name);
      if (std::find(titles.begin(), titles.end(), library_title(m->library)) == titles.end()) {
        titles.push_back(library_title(m->library));
      }
    }
    if (members.size() == 1) {
      std::vector<std::string> described;
      for (const MappedLibrary* c : p.copies) {
        const std::string& file = c->real_path.empty() ? c->path : c->real_path;
        described.push_back(c->loaded_by.empty() ? file
                                                 : fmt::format("{} ({})", file, c->loaded_by));
      }
      f.title = fmt::format("{} would map {} copies of {}: {}",
                            import_orders_text(p.orders, loader), p.copies.size(), p.name,
                            fmt::join(described, " and "));
    } else {
      f.title = fmt::format("{} would map {} copies each of {}: from {}",
                            import_orders_text(p.orders, loader), p.copies.size(),
                            fmt::join(names, ", "), fmt::join(key.second, " and "));
    }
    f.subjects = names;
    for (const Problem* m : members) {
      for (const MappedLibrary* c : m->copies) {
        f.evidence.push_back("maps " + mapped_text(*c));
      }
    }
    f.why = fmt::format(
        "two copies of {} in one process keep two sets of global state, and a symbol both "
        "define binds to whichever was mapped first, so code built against one copy may run the "
        "other's functions (crashes, or errors only one order shows)",
        fmt::join(titles, ", "));
    const MappedLibrary* by_path = nullptr;
    for (const Problem* m : members) {
      for (const MappedLibrary* c : m->copies) {
        if (c->rule == "ld_library_path" && by_path == nullptr) {
          by_path = c;
        }
      }
    }
    if (by_path != nullptr) {
      f.fix = ld_library_path_fix(loader.ld_library_path, folder(by_path->path));
    } else {
      f.fix = fmt::format(
          "let every framework use one copy: builds that take {} from the same place (all from "
          "wheels, or all from the system), or import the frameworks in separate processes",
          fmt::join(titles, ", "));
    }
    out.push_back(std::move(f));
  }
}

// --- LOAD-SYMBOL-VERSION ---------------------------------------------------------------------

const MappedLibrary* find_mapped(const LoadScenario& s, std::string_view path) {
  for (const MappedLibrary& m : s.libraries) {
    if (m.path == path || m.real_path == path) {
      return &m;
    }
  }
  return nullptr;
}

void symbol_version_findings(const facts::LoaderFacts& loader, std::vector<Finding>& out) {
  struct Problem {
    std::set<std::string> versions;
    std::string file;
    const MappedLibrary* provider = nullptr;
    std::vector<std::vector<std::string>> orders;
  };
  std::map<std::pair<std::string, std::string>, Problem> problems;  // (object, provider)
  for (const LoadScenario& s : loader.scenarios) {
    for (const facts::MissingSymbolVersion& v : s.missing_versions) {
      if (v.weak) {
        continue;  // ld.so loads the object all the same
      }
      Problem& p = problems[{v.object, v.provider}];
      p.versions.insert(v.version);
      p.file = v.file;
      if (p.provider == nullptr) {
        p.provider = find_mapped(s, v.provider);
      }
      add_order(p.orders, s.order);
    }
  }
  for (const auto& [key, p] : problems) {
    const auto& [object, provider] = key;
    // Orders that map the object without the problem.
    std::vector<std::vector<std::string>> good;
    for (const LoadScenario& s : loader.scenarios) {
      if (find_mapped(s, object) != nullptr &&
          std::find(p.orders.begin(), p.orders.end(), s.order) == p.orders.end()) {
        add_order(good, s.order);
      }
    }
    const std::string versions = fmt::format("{}", fmt::join(p.versions, ", "));
    Finding f;
    f.id = "LOAD-SYMBOL-VERSION";
    f.severity = Severity::error;
    f.title = fmt::format("{} would fail: {} needs {} of {}, which {} does not define",
                          import_orders_text(p.orders, loader), object, versions, p.file, provider);
    f.subjects = {p.file};
    f.evidence.push_back(fmt::format("{} needs {} from {}", object, versions, p.file));
    f.evidence.push_back(p.provider != nullptr ? "maps " + mapped_text(*p.provider)
                                               : "maps " + provider);
    for (const auto& o : good) {
      f.evidence.push_back(fmt::format("works: `{}`", import_order_text(o)));
    }
    f.why = fmt::format("ld.so refuses to load an object whose symbol versions its providers do "
                        "not define (\"version `{}' not found (required by {})\"): the import "
                        "raises ImportError",
                        *p.versions.begin(), object);
    const bool cxx = std::any_of(p.versions.begin(), p.versions.end(), [](const std::string& v) {
      return v.starts_with("GLIBCXX_") || v.starts_with("CXXABI_");
    });
    if (!good.empty()) {
      f.fix = fmt::format("import in this order: `{}`", import_order_text(good.front()));
    } else if (p.provider != nullptr && p.provider->rule == "ld_library_path") {
      f.fix = ld_library_path_fix(loader.ld_library_path, folder(p.provider->path));
    } else if (cxx) {
      f.fix = fmt::format(
          "a libstdc++ that defines {}: upgrade the system's libstdc++6 (or the environment's "
          "libstdcxx-ng), or install a build of the framework made for this system's libstdc++",
          versions);
    } else if (p.provider != nullptr && !p.provider->package.empty()) {
      f.fix = fmt::format("python -m pip install --upgrade '{}'", p.provider->package);
    } else {
      f.fix = fmt::format("put a {} that defines {} ahead of {} on the library path", p.file,
                          versions, folder(provider));
    }
    out.push_back(std::move(f));
  }
}

// --- LOAD-LD-LIBRARY-PATH ---------------------------------------------------------------------

// A wheel's (or the framework's bundled) copy of the same file that `framework` could use.
const facts::CudaLibrary* wheel_copy(const facts::BuildFacts& builds, const MappedLibrary& m) {
  const FrameworkBuild* b = find_build(builds, m.loaded_by);
  const std::string name = m.soname.empty() ? file_name(m.path) : m.soname;
  for (const facts::CudaLibrary& l : builds.cuda_libraries) {
    if (l.origin != "wheel" && l.found_via != "bundled") {
      continue;
    }
    if ((l.soname.empty() ? file_name(l.path) : l.soname) != name || l.path == m.path ||
        l.path == m.real_path) {
      continue;
    }
    const bool its_own =
        b == nullptr || l.found_via == "bundled" ||
        std::any_of(b->cuda_pins.begin(), b->cuda_pins.end(),
                    [&l](const facts::CudaPin& p) { return p.package == l.package; });
    if (its_own) {
      return &l;
    }
  }
  return nullptr;
}

void ld_library_path_findings(const facts::LoaderFacts& loader, const facts::BuildFacts& builds,
                              std::vector<Finding>& out) {
  struct Problem {
    const MappedLibrary* mapped = nullptr;
    const facts::CudaLibrary* wheel = nullptr;
    std::vector<std::vector<std::string>> orders;
  };
  std::map<std::string, Problem> problems;  // by the mapped file
  for (const LoadScenario& s : loader.scenarios) {
    for (const MappedLibrary& m : s.libraries) {
      if (m.library.empty() || m.rule != "ld_library_path") {
        continue;
      }
      const facts::CudaLibrary* w = wheel_copy(builds, m);
      if (w == nullptr) {
        continue;
      }
      Problem& p = problems[m.path];
      if (p.mapped == nullptr) {
        p.mapped = &m;
        p.wheel = w;
      }
      add_order(p.orders, s.order);
    }
  }
  for (const auto& [path, p] : problems) {
    const std::string dir = folder(path);
    const std::string owner = p.wheel->package.empty() ? p.mapped->loaded_by : p.wheel->package;
    Finding f;
    f.id = "LOAD-LD-LIBRARY-PATH";
    f.severity = Severity::warning;
    f.title = fmt::format("LD_LIBRARY_PATH folder {} shadows {}'s {}: {} would map {}{} instead "
                          "of {}{}",
                          dir, owner, file_name(p.wheel->path), import_orders_text(p.orders, loader), path,
                          p.mapped->version.value.empty() ? ""
                                                          : " (" + p.mapped->version.value + ")",
                          p.wheel->path,
                          p.wheel->version.empty() ? "" : " (" + p.wheel->version + ")");
    f.subjects = {owner};
    f.evidence.push_back("maps " + mapped_text(*p.mapped));
    f.evidence.push_back(fmt::format("wheel copy: {} ({}{})", p.wheel->path,
                                     p.wheel->package.empty() ? p.wheel->found_via
                                                              : p.wheel->package,
                                     p.wheel->version.empty() ? "" : " " + p.wheel->version));
    f.evidence.push_back("LD_LIBRARY_PATH=" + loader.ld_library_path);
    f.why = "ld.so searches LD_LIBRARY_PATH before a library's RUNPATH and before the folders a "
            "framework preloads from, so the folder's copy is used instead of the one the wheel "
            "was built and tested with";
    f.fix = ld_library_path_fix(loader.ld_library_path, dir);
    out.push_back(std::move(f));
  }
}

// --- LOAD-LIB-NOT-FOUND / LOAD-INCOMPLETE ---------------------------------------------------

// The tracked library a file name belongs to, for the framework's pin of it
// (`libcublasLt.so.12` → `cublas`, whose wheel carries it).
std::string library_of(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> k_prefixes = {{
      {"libcublasLt.", "cublas"},
      {"libcublas.", "cublas"},
      {"libcudart.", "cudart"},
      {"libcudnn", "cudnn"},
      {"libnccl.", "nccl"},
      {"libcufft", "cufft"},
      {"libcusparse.", "cusparse"},
      {"libcusolver", "cusolver"},
      {"libcurand.", "curand"},
      {"libnvJitLink.", "nvjitlink"},
      {"libnvrtc", "nvrtc"},
      {"libcupti.", "cupti"},
      {"libnvToolsExt.", "nvtx"},
  }};
  for (const auto& [prefix, library] : k_prefixes) {
    if (name.starts_with(prefix)) {
      return std::string(library);
    }
  }
  return {};
}

// One `missing` sentence of linkmap: `NAME (dlopen|needed by PATH): REASON; CONTEXT`, where
// CONTEXT is `import F fails (WHY)`, `F at first GPU use (WHY)` or `the interpreter does not
// start`.
struct MissingEntry {
  std::string name;
  std::string context;  // CONTEXT without its `(WHY)`: what fails and when
  std::string framework;  // the F of the context, empty when none
  bool fatal = false;     // the import (or the interpreter) fails
};

MissingEntry parse_missing(std::string_view sentence) {
  MissingEntry e;
  const std::size_t semi = sentence.find("; ");
  if (semi != std::string_view::npos) {
    const std::string_view c = sentence.substr(semi + 2);
    e.context = std::string(c.substr(0, c.find(" (")));
  }
  std::string_view head = sentence.substr(0, semi);
  e.name = std::string(head.substr(0, head.find(' ')));
  std::string_view c = e.context;
  if (c.starts_with("import ")) {
    c.remove_prefix(7);
    e.framework = std::string(c.substr(0, c.find(' ')));
    e.fatal = c.find(" fails") != std::string_view::npos;
  } else if (c.find(" at ") != std::string_view::npos) {
    e.framework = std::string(c.substr(0, c.find(' ')));
  }
  e.fatal = e.fatal || e.context.find("does not start") != std::string::npos ||
            (e.context.empty() && sentence.find("(needed by") != std::string_view::npos);
  return e;
}

// The framework's own requirement (or fix) for each missing file, as one `pip install`.
std::string missing_fix(const facts::BuildFacts& builds, const std::string& framework,
                        const std::set<std::string>& names) {
  std::vector<std::string> requirements;
  std::string whole;  // a framework's requirement that installs all its CUDA wheels
  for (const std::string& name : names) {
    for (const FrameworkBuild& b : builds.frameworks) {
      if (!framework.empty() && b.name != framework) {
        continue;
      }
      const auto use = std::find_if(b.libraries.begin(), b.libraries.end(),
                                    [&name](const facts::LibraryUse& u) {
                                      return u.soname == name;
                                    });
      std::string req = pinned_requirement(&b, use != b.libraries.end() ? use->library
                                                                         : library_of(name));
      if (!req.empty()) {
        if (std::find(requirements.begin(), requirements.end(), req) == requirements.end()) {
          requirements.push_back(std::move(req));
        }
        break;
      }
      if (whole.empty()) {
        whole = b.cuda_install;
      }
    }
  }
  if (requirements.size() < names.size() && !whole.empty()) {
    return fmt::format("python -m pip install '{}'", whole);
  }
  if (requirements.empty()) {
    return fmt::format("install the package that provides {}, or add its folder to the library "
                       "path",
                       fmt::join(names, ", "));
  }
  std::string out = "python -m pip install";
  for (const std::string& r : requirements) {
    out += " '" + r + "'";
  }
  return out;
}

void missing_findings(const facts::LoaderFacts& loader, const facts::BuildFacts& builds,
                      std::vector<Finding>& out) {
  struct Problem {
    MissingEntry first;
    std::set<std::string> names;
    std::vector<std::string> sentences;
    std::vector<std::vector<std::string>> orders;
  };
  // By context (what fails, and when), then the orders: one finding lists every file missing
  // for the same reason in the same orders.
  std::map<std::string, std::map<std::string, std::vector<std::vector<std::string>>>> per_name;
  std::map<std::string, MissingEntry> entries;
  std::map<std::string, std::string> sentence_of;
  for (const LoadScenario& s : loader.scenarios) {
    for (const std::string& m : s.missing) {
      MissingEntry e = parse_missing(m);
      add_order(per_name[e.context][e.name], s.order);
      sentence_of.emplace(e.context + '\n' + e.name, m);
      entries.emplace(e.context, std::move(e));
    }
  }
  std::map<std::pair<std::string, std::vector<std::vector<std::string>>>, Problem> problems;
  for (const auto& [context, names] : per_name) {
    for (const auto& [name, orders] : names) {
      Problem& p = problems[{context, orders}];
      p.first = entries.at(context);
      p.names.insert(name);
      p.sentences.push_back(sentence_of.at(context + '\n' + name));
      p.orders = orders;
    }
  }
  for (const auto& [key, p] : problems) {
    Finding f;
    f.id = "LOAD-LIB-NOT-FOUND";
    f.severity = p.first.fatal ? Severity::error : Severity::warning;
    const std::string when =
        p.first.fatal ? std::string()
        : p.first.context.find(" at first GPU use") != std::string::npos ? " at first GPU use"
                                                                         : std::string();
    f.title = fmt::format("{} would not find {}{}", import_orders_text(p.orders, loader),
                          fmt::join(p.names, ", "), when);
    f.subjects = {p.first.framework.empty() ? *p.names.begin() : p.first.framework};
    f.evidence = p.sentences;
    if (!loader.ld_library_path.empty()) {
      f.evidence.push_back("LD_LIBRARY_PATH=" + loader.ld_library_path);
    }
    f.why = p.first.fatal
                ? "ld.so refuses to load an object when a library it needs is not found: the "
                  "import raises ImportError"
                : "the framework opens it with dlopen and goes on without it: the GPU (or the "
                  "feature it serves) is not used";
    f.fix = missing_fix(builds, p.first.framework, p.names);
    out.push_back(std::move(f));
  }
  std::vector<std::string> incomplete = loader.problems;
  for (const LoadScenario& s : loader.scenarios) {
    for (const std::string& p : s.problems) {
      if (std::find(incomplete.begin(), incomplete.end(), p) == incomplete.end()) {
        incomplete.push_back(p);
      }
    }
  }
  for (const std::string& p : incomplete) {
    Finding f;
    f.id = "LOAD-INCOMPLETE";
    f.severity = Severity::info;
    f.title = "the loader emulation could not follow: " + p;
    f.subjects = {"loader"};
    f.evidence = {p};
    f.why = "what the loader would map past this point is not predicted, so the LOAD-* findings "
            "may miss a problem there (`doctor --probe` observes it)";
    f.fix = "if it names a file: reinstall the distribution that owns it, or remove the stray copy";
    out.push_back(std::move(f));
  }
}

}  // namespace

std::vector<Finding> loader_findings(const facts::LoaderFacts& loader,
                                     const facts::BuildFacts& builds) {
  std::vector<Finding> out;
  if (!loader.emulated) {
    return out;
  }
  too_old_findings(loader, builds, out);
  std::vector<Finding> majors = cuda_major_findings(loader, builds);
  out.insert(out.end(), std::make_move_iterator(majors.begin()),
             std::make_move_iterator(majors.end()));
  duplicate_findings(loader, out);
  symbol_version_findings(loader, out);
  ld_library_path_findings(loader, builds, out);
  missing_findings(loader, builds, out);
  return out;
}

}  // namespace mlstack::rules
