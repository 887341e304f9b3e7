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

// `.../cuda-12.4/lib64/libcudnn.so.9` → `12`.
std::string cuda_major_in_path(std::string_view path) {
  const auto at = path.find("/cuda-");
  if (at == std::string_view::npos) {
    return {};
  }
  const auto m = major_of(path.substr(at + 6));
  return is_number(m) ? m : std::string();
}

std::string label(const FrameworkBuild& f) {
  return (f.distribution.empty() ? f.name : f.distribution) + " " + f.version;
}

/// A library a build needs and the soname major it loads.
struct Need {
  std::string library;
  std::string major;
  facts::Sourced need;
};

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
  const CudaLibrary* wheel = nullptr;
  for (const CudaLibrary& lib : libraries) {
    if (lib.origin == "wheel" && lib.found_via != "bundled" &&
        has_major(lib, need.library, need.major) &&
        (wheel == nullptr ||
         (!wheel->path.starts_with(f.location) && lib.path.starts_with(f.location)))) {
      wheel = &lib;
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
  const bool other_cuda =
      !use.cuda_major.value.empty() && use.cuda_major.value != major_of(f.cuda.value);
  return use.how != "missing" && (other_cuda || too_old(use));
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
    package = std::string(spec->dist_base) + "-cu" + cuda;
  }
  if (specifiers.empty()) {
    return {floor.empty() ? std::string() : package + ">=" + floor, {}};
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

std::string fix_for(const FrameworkBuild& f, const LibraryUse& use,
                    const std::vector<User>& users) {
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
      if (m != target) {
        movers += (movers.empty() ? "" : ", ") + join_labels(users, m);
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

}  // namespace

void resolve_library_uses(facts::BuildFacts& builds) {
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
        use.fix = fix_for(f, use, users);
      }
    }
  }
}

}  // namespace mlstack::cudalibs
