// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/library_uses.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/cudalibs/library_table.hpp"
#include "mlstack/pep440/specifier.hpp"
#include "mlstack/pep440/version.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>

namespace mlstack::cudalibs {
namespace {

using facts::CudaLibrary;
using facts::FrameworkBuild;
using facts::LibraryUse;

std::string major_of(std::string_view v) {
  const auto dot = v.find('.');
  return std::string(v.substr(0, dot));
}

bool is_number(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// `.../cuda-12.4/lib64/libcudnn.so.9` → `12`; `.../nvidia/cu13/lib/libcusparse.so.12` (the
// CUDA 13 wheels' shared folder) → `13`.
std::string cuda_major_in_path(std::string_view path) {
  for (const std::string_view marker : {std::string_view("/cuda-"), std::string_view("/nvidia/cu")}) {
    const auto at = path.find(marker);
    if (at == std::string_view::npos) {
      continue;
    }
    const std::string_view rest = path.substr(at + marker.size());
    const auto end = rest.find_first_of(marker == "/cuda-" ? "./" : "/");
    const std::string_view m = rest.substr(0, end);
    if (is_number(m) && end != std::string_view::npos) {
      return std::string(m);
    }
  }
  return {};
}

std::string label(const FrameworkBuild& f) {
  return (f.distribution.empty() ? f.name : f.distribution) + " " + f.version;
}

/// A library a build needs and the soname major it loads.
struct Need {
  std::string library;
  std::string major;
  facts::Sourced need;
  std::string soname = {};     // `libcudnn.so.9`; as written in DT_NEEDED when linked
  std::string linked_by = {};  // the framework binary that links it, else empty (dlopen)
};

// Every CUDA library the build's main GPU binary names in DT_NEEDED: it marks the matching
// need as linked, or adds one (onnxruntime-gpu's CUDA provider links libcurand.so.10).
// Sonames that carry a hash (`libcudart-80664282.so.10.2`, torch's bundled copies) are not
// tracked names and are left to the bundled-library search.
void add_linked(const FrameworkBuild& f, std::vector<Need>& out) {
  for (const std::string& soname : f.linked) {
    const auto file = parse_library_file_name(soname);
    if (!file || file->version.empty()) {
      continue;
    }
    const std::string major = major_of(file->version);
    const std::string name(file->spec->name);
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const Need& n) { return n.library == name; });
    if (same == out.end()) {
      out.push_back({name, major, {}, soname, f.linked_by});
    } else if (same->major == major) {
      same->soname = soname;
      same->linked_by = f.linked_by;
    }
  }
}

std::vector<Need> needs_of(const FrameworkBuild& f) {
  std::vector<Need> out;
  const std::string cuda = major_of(f.cuda.value);
  if (!f.gpu_build || !is_number(cuda)) {
    return out;
  }
  if (f.name == "cupy") {
    // CuPy compiles its kernels at run time with NVRTC and calls cuBLAS; cuDNN and NCCL are
    // optional (cupy.cudnn, cupy.cuda.nccl).
    out.push_back({"cublas", cuda, {}});
    out.push_back({"nvrtc", cuda, {}});
    return out;
  }
  out.push_back({"cudart", cuda, {}});
  out.push_back({"cublas", cuda, {}});
  if (const std::string m = major_of(f.cudnn.value); is_number(m)) {
    out.push_back({"cudnn", m, f.cudnn});
  }
  if (const std::string m = major_of(f.nccl.value); is_number(m)) {
    out.push_back({"nccl", m, f.nccl});
  }
  add_linked(f, out);
  for (Need& n : out) {
    if (n.soname.empty()) {
      const LibrarySpec* spec = find_library(n.library);
      n.soname = std::string(spec != nullptr ? spec->file_stem : "lib" + n.library) + ".so." +
                 n.major;
    }
  }
  return out;
}

bool has_major(const CudaLibrary& lib, std::string_view library, std::string_view major) {
  return lib.name == library && major_of(lib.version) == major;
}

// The CUDA major a wheel's or the system's copy is built for, and why.
facts::Sourced copy_cuda_major(const CudaLibrary& lib) {
  if (lib.origin == "wheel" && !lib.package.empty()) {
    if (auto w = parse_wheel_dist_name(lib.package); w && !w->cuda_suffix.empty()) {
      return {w->cuda_suffix.substr(2), "the distribution name `" + lib.package + "`"};
    }
  }
  if (lib.name == "cudart" || lib.name == "cublas" || lib.name == "cublaslt") {
    return {major_of(lib.version), "its version " + lib.version};
  }
  if (auto m = cuda_major_in_path(lib.path); !m.empty()) {
    return {m, "its folder " + lib.path.substr(0, lib.path.rfind('/'))};
  }
  return {};
}

LibraryUse resolve(const FrameworkBuild& f, const Need& need,
                   const std::vector<CudaLibrary>& libraries) {
  LibraryUse use;
  use.library = need.library;
  use.major = need.major;
  use.need = need.need;
  use.soname = need.soname;
  use.linked_by = need.linked_by;
  const std::string own_cuda = major_of(f.cuda.value);
  auto take = [&](const CudaLibrary& lib, std::string how, facts::Sourced cuda) {
    use.how = std::move(how);
    use.path = lib.path;
    use.version = {lib.version, lib.version_source};
    use.package = lib.package;
    use.cuda_major = std::move(cuda);
  };
  for (const CudaLibrary& lib : f.static_libraries) {
    if (lib.name == need.library) {
      take(lib, "static", {own_cuda, "linked into " + lib.path});
      return use;
    }
  }
  for (const CudaLibrary& lib : f.bundled_libraries) {
    if (has_major(lib, need.library, need.major)) {
      take(lib, "bundled", {own_cuda, "bundled with " + label(f)});
      return use;
    }
  }
  // Among the wheels' copies: one built for the build's own CUDA major first (libcusparse.so.12
  // is CUDA 12's and CUDA 13's file name; each framework's preload or RPATH names its own
  // major's folder), then one of unknown major, then the build's own site folder.
  const CudaLibrary* wheel = nullptr;
  int wheel_rank = -1;
  for (const CudaLibrary& lib : libraries) {
    if (lib.origin != "wheel" || lib.found_via == "bundled" ||
        !has_major(lib, need.library, need.major)) {
      continue;
    }
    const std::string copy = copy_cuda_major(lib).value;
    const int rank = (copy == own_cuda ? 4 : copy.empty() ? 2 : 0) +
                     (lib.path.starts_with(f.location) ? 1 : 0);
    if (rank > wheel_rank) {
      wheel = &lib;
      wheel_rank = rank;
    }
  }
  if (wheel != nullptr) {
    take(*wheel, "wheel", copy_cuda_major(*wheel));
    return use;
  }
  for (const CudaLibrary& lib : libraries) {
    if (lib.origin == "system" && has_major(lib, need.library, need.major)) {
      take(lib, "system", copy_cuda_major(lib));
      return use;
    }
  }
  use.how = "missing";
  return use;
}

bool too_old(const LibraryUse& use) {
  if (use.need.value.empty() || use.version.value.empty()) {
    return false;
  }
  auto need = pep440::Version::parse(use.need.value);
  auto have = pep440::Version::parse(use.version.value);
  return need && have && *have < *need;
}

bool wrong(const LibraryUse& use, const FrameworkBuild& f) {
  return use.how != "missing" && (facts::for_other_cuda(use, f) || too_old(use));
}

/// One user of a file: the build and its use of it.
struct User {
  const FrameworkBuild* build;
  const LibraryUse* use;
};

/// What every user of a file pins for it, merged into one requirement.
struct Merged {
  std::string requirement;  // `nvidia-cudnn-cu12==9.26.0.51`; empty when nothing is known
  // When the pins cannot all hold (two exact versions): who pins what, for the fix's text.
  std::string conflict;
};

// The requirement that satisfies every `users` pin on the distribution for `library` built
// for CUDA `cuda`: one exact pin that every other pin accepts (`nvidia-cudnn-cu12==9.26.0.51`),
// else the pins' specifiers joined (`nvidia-cudnn-cu12>=9.3,<10`), else `>=` the build's need.
// Two exact pins that differ cannot both hold: the newest is chosen (each build accepts a newer
// release of the same major at run time) and `conflict` says whose pin pip will then report.
Merged merged_requirement(const std::vector<User>& users, std::string_view library,
                          const std::string& cuda) {
  std::string package;
  std::vector<std::string> specifiers;
  std::vector<std::pair<std::string, std::string>> exact;  // (version, `torch 2.5.1`)
  std::string floor;
  for (const User& u : users) {
    if (major_of(u.build->cuda.value) != cuda) {
      continue;
    }
    for (const facts::CudaPin& pin : u.build->cuda_pins) {
      if (pin.library != library) {
        continue;
      }
      auto w = parse_wheel_dist_name(pin.package);
      if (w && !w->cuda_suffix.empty() && w->cuda_suffix != "cu" + cuda) {
        continue;
      }
      package = pin.package;
      const std::string_view spec = pin.specifier;
      std::size_t start = 0;
      while (start <= spec.size()) {
        const auto comma = spec.find(',', start);
        const std::string piece(text::trim(spec.substr(start, comma - start)));
        if (piece.starts_with("==") && piece.find('*') == std::string::npos) {
          exact.emplace_back(piece.substr(2), label(*u.build));
        }
        if (!piece.empty() &&
            std::find(specifiers.begin(), specifiers.end(), piece) == specifiers.end()) {
          specifiers.push_back(piece);
        }
        if (comma == std::string_view::npos) {
          break;
        }
        start = comma + 1;
      }
    }
    if (floor.empty() && !u.use->need.value.empty()) {
      floor = u.use->need.value;
    }
  }
  if (package.empty()) {
    const LibrarySpec* spec = find_library(library);
    if (spec == nullptr || spec->dist_base.empty()) {
      return {};
    }
    package = wheel_dist_name(*spec, cuda);
  }
  if (specifiers.empty()) {
    return {floor.empty() ? package : package + ">=" + floor, {}};
  }
  std::string joined;
  for (const std::string& piece : specifiers) {
    joined += (joined.empty() ? "" : ",") + piece;
  }
  if (exact.empty()) {
    return {package + joined, {}};
  }
  // The newest exact pin, and whether every pin accepts it.
  const auto newest = std::max_element(exact.begin(), exact.end(), [](const auto& a, const auto& b) {
    auto va = pep440::Version::parse(a.first);
    auto vb = pep440::Version::parse(b.first);
    return va && vb ? *va < *vb : a.first < b.first;
  });
  const auto all = pep440::SpecifierSet::parse(joined);
  const auto version = pep440::Version::parse(newest->first);
  if (all && version && all->contains(*version, pep440::Prereleases::allow)) {
    return {package + "==" + newest->first, {}};
  }
  std::string pins;
  for (const auto& [v, who] : exact) {
    if (v != newest->first) {
      pins += (pins.empty() ? "" : ", ") + who + " pins " + package + "==" + v;
    }
  }
  return {package + "==" + newest->first, pins};
}

std::string join_labels(const std::vector<User>& users, const std::string& cuda) {
  std::string out;
  for (const User& u : users) {
    if (major_of(u.build->cuda.value) == cuda) {
      out += (out.empty() ? "" : ", ") + label(*u.build);
    }
  }
  return out;
}

std::string fix_for(const FrameworkBuild& f, const LibraryUse& use, const std::vector<User>& users,
                    const BuildForCuda& build_for_cuda) {
  std::set<std::string> majors;
  for (const User& u : users) {
    majors.insert(major_of(u.build->cuda.value));
  }
  const std::string own = major_of(f.cuda.value);
  if (majors.size() > 1) {
    // No copy serves two CUDA majors: every user must move to one. The older major is the
    // one every framework still builds for.
    std::vector<std::string> sorted(majors.begin(), majors.end());
    std::sort(sorted.begin(), sorted.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    const std::string& target = sorted.front();
    std::string groups;
    std::string movers;
    for (const std::string& m : sorted) {
      groups += (groups.empty() ? "" : " and ") + ("CUDA " + m + " (" + join_labels(users, m) + ")");
      if (m == target) {
        continue;
      }
      for (const User& u : users) {
        if (major_of(u.build->cuda.value) != m) {
          continue;
        }
        const std::string build = build_for_cuda ? build_for_cuda(*u.build, target) : "";
        const std::string who =
            label(*u.build) +
            (build.empty() ? "" : " (the newest in mlstack's knowledge base: " + build + ")");
        if (movers.find(who) == std::string::npos) {
          movers += (movers.empty() ? "" : ", ") + who;
        }
      }
    }
    const Merged merged = merged_requirement(users, use.library, target);
    std::string out = "one copy of " + use.path + " cannot serve both " + groups + ": move " +
                      movers + " to a CUDA " + target + " build";
    if (!merged.requirement.empty()) {
      out += ", then reinstall the CUDA " + target +
             " copy last: `python -m pip install --force-reinstall --no-deps '" +
             merged.requirement + "'`";
    }
    return out + "; or keep them in separate environments";
  }
  const Merged merged = merged_requirement(users, use.library, own);
  const std::string& requirement = merged.requirement;
  if (requirement.empty()) {
    return {};
  }
  std::string out;
  const std::string package = requirement.substr(0, requirement.find_first_of("=<>!~,"));
  if (use.how == "wheel" && !use.package.empty() && use.package != package) {
    // Another wheel's copy overwrote the one the builds pin: remove that wheel, whose RECORD
    // also lists the file, before putting the pinned copy back.
    out = "`python -m pip uninstall -y " + use.package + " && ";
  } else {
    out = "`";
  }
  out += "python -m pip install --force-reinstall --no-deps '" + requirement + "'`";
  if (!merged.conflict.empty()) {
    out += " (the pins cannot all hold: " + merged.conflict + "; every build accepts a newer " +
           "release of its major at run time, and pip check reports the older pin until that " +
           "framework is upgraded to a release that pins this one or newer)";
  }
  return out;
}

// For a library the build links that is not installed: the build's own requirement for it
// (`nvidia-curand~=10.0` from onnxruntime-gpu's extra `cuda`), else the set that installs its
// CUDA libraries, else the system.
std::string missing_fix_for(const FrameworkBuild& f, const LibraryUse& use) {
  for (const facts::CudaPin& pin : f.cuda_pins) {
    if (pin.library == use.library) {
      return "`python -m pip install \"" + pin.package + pin.specifier + "\"`" +
             (pin.extra.empty() ? std::string()
                                : " (" + label(f) + "'s requirement for it, extra `" + pin.extra +
                                      "`)");
    }
  }
  if (!f.cuda_install.empty()) {
    return "`python -m pip install \"" + f.cuda_install + "\"`";
  }
  return "install " + use.soname + " for CUDA " + major_of(f.cuda.value) +
         " from the nvidia-* wheels or the system CUDA toolkit";
}

// For a build that can use none of its libraries: install them as one set, and say which
// frameworks of another CUDA major would lose their cuDNN/NCCL copy to that set's wheels.
std::string libraries_fix_for(const FrameworkBuild& f,
                              const std::map<std::string, std::vector<User>>& by_path) {
  std::string out = f.cuda_install.empty()
                        ? "install the CUDA " + f.cuda.value + " libraries it loads (cuDNN " +
                              (f.cudnn.value.empty() ? std::string("of its build") : f.cudnn.value) +
                              ") on the system or from the nvidia-* wheels"
                        : "install the build with its CUDA libraries, as one set: `python -m pip "
                          "install \"" + f.cuda_install + "\"`";
  std::vector<std::string> others;
  std::vector<std::string> paths;
  for (const LibraryUse& use : f.libraries) {
    if (use.how != "wheel" || facts::usable(use, f)) {
      continue;
    }
    const auto it = by_path.find(use.path);
    if (it == by_path.end()) {
      continue;
    }
    for (const User& u : it->second) {
      if (u.build != &f && major_of(u.build->cuda.value) != major_of(f.cuda.value)) {
        const std::string who = label(*u.build) + " (CUDA " + major_of(u.build->cuda.value) + ")";
        if (std::find(others.begin(), others.end(), who) == others.end()) {
          others.push_back(who);
        }
      }
    }
    paths.push_back(use.path.substr(0, use.path.rfind('/')));
  }
  if (others.empty()) {
    return out;
  }
  std::string who;
  for (const std::string& o : others) {
    who += (who.empty() ? "" : ", ") + o;
  }
  std::string where;
  for (const std::string& p : paths) {
    where += (where.empty() ? "" : " and ") + p;
  }
  return out + "; but its CUDA " + major_of(f.cuda.value) +
         " wheels would overwrite the cuDNN/NCCL files that " + who + " load from " + where +
         ": give " + label(f) + " an environment of its own, or move those frameworks to CUDA " +
         major_of(f.cuda.value) + " builds first";
}

}  // namespace

void resolve_library_uses(facts::BuildFacts& builds, const BuildForCuda& build_for_cuda) {
  for (FrameworkBuild& f : builds.frameworks) {
    f.libraries.clear();
    for (const Need& need : needs_of(f)) {
      f.libraries.push_back(resolve(f, need, builds.cuda_libraries));
    }
  }
  // Users of each file, in framework order.
  std::map<std::string, std::vector<User>> by_path;
  for (const FrameworkBuild& f : builds.frameworks) {
    for (const LibraryUse& use : f.libraries) {
      if (!use.path.empty() && use.how != "static") {
        by_path[use.path].push_back({&f, &use});
      }
    }
  }
  for (FrameworkBuild& f : builds.frameworks) {
    for (LibraryUse& use : f.libraries) {
      if (use.path.empty() || use.how == "static") {
        continue;
      }
      const std::vector<User>& users = by_path[use.path];
      for (const User& u : users) {
        use.users.push_back(label(*u.build) + " (CUDA " + major_of(u.build->cuda.value) + ")");
      }
      if (wrong(use, f)) {
        use.fix = fix_for(f, use, users, build_for_cuda);
      }
    }
    for (LibraryUse& use : f.libraries) {
      if (use.how == "missing") {
        use.fix = missing_fix_for(f, use);
      }
    }
  }
  for (FrameworkBuild& f : builds.frameworks) {
    f.libraries_fix.clear();
    // Linked-in copies (static) travel with the binary: the set is the libraries it loads.
    if (std::any_of(f.libraries.begin(), f.libraries.end(), facts::is_loaded) &&
        std::none_of(f.libraries.begin(), f.libraries.end(), [&](const LibraryUse& u) {
          return facts::is_loaded(u) && facts::usable(u, f);
        })) {
      f.libraries_fix = libraries_fix_for(f, by_path);
    }
  }
}

}  // namespace mlstack::cudalibs
