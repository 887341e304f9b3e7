// SPDX-License-Identifier: MIT
#include "mlstack/linkmap/scenario.hpp"

#include "mlstack/cudalibs/library_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace mlstack::linkmap {
namespace {

std::string normalized(const std::string& path) {
  return std::filesystem::path(path).lexically_normal().string();
}

std::string_view file_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The version part of a file name after `.so.`: `13.2.86` for `libcudart.so.13.2.86`.
std::string so_version(std::string_view name) {
  const std::size_t so = name.find(".so.");
  return so == std::string_view::npos ? std::string() : std::string(name.substr(so + 4));
}

}  // namespace

std::string tracked_library(std::string_view name) {
  if (name.starts_with("libstdc++.so")) {
    return "libstdcxx";
  }
  if (name.starts_with("libnvrtc-builtins.so")) {
    return "nvrtc_builtins";
  }
  if (name.starts_with("libcudnn_")) {
    const std::size_t so = name.find(".so");
    if (so != std::string_view::npos) {
      return "cudnn_" + std::string(name.substr(9, so - 9));
    }
  }
  if (const auto parsed = cudalibs::parse_library_file_name(name)) {
    return std::string(parsed->spec->name);
  }
  return {};
}

Labeller::Labeller(const io::FileSystem& fs, const facts::BuildFacts& builds,
                   const facts::Inventory& inventory)
    : m_fs(fs) {
  for (const facts::InstalledDist& d : inventory.dists) {
    if (std::find(m_sites.begin(), m_sites.end(), d.location) == m_sites.end()) {
      m_sites.push_back(d.location);
    }
    if (!d.record_libraries) {
      continue;
    }
    for (const facts::RecordedFile& f : *d.record_libraries) {
      m_owners.emplace(normalized(f.path), d.canonical_name);
    }
  }
  for (const facts::FrameworkBuild& b : builds.frameworks) {
    m_framework_dists.insert(m_framework_dists.end(), b.distributions.begin(),
                             b.distributions.end());
    m_framework_dists.push_back(b.distribution);
  }
  for (const facts::CudaLibrary& lib : builds.cuda_libraries) {
    // A file two wheels list (nvidia-cudnn-cu12 and -cu13 both write nvidia/cudnn/lib) belongs
    // to the one whose copy is on disk, as cudalibs found it from the RECORD sizes.
    if (lib.origin == "wheel" && !lib.package.empty() && !lib.path.empty()) {
      m_owners[normalized(lib.path)] = lib.package;
    }
    if (lib.version.empty() || lib.path.empty()) {
      continue;
    }
    m_versions.emplace(real_path(lib.path), facts::Sourced{lib.version, lib.version_source});
  }
}

const std::string& Labeller::real_path(const std::string& path) const {
  auto it = m_real.find(path);
  if (it == m_real.end()) {
    // The folder's real path once (the objects of a scenario sit in a few dozen folders),
    // then the file's own link, if it is one.
    std::string real;
    const std::size_t slash = path.rfind('/');
    io::FileStat st;
    const std::string_view last = std::string_view(path).substr(slash + 1);
    if (slash != std::string::npos && slash > 0 && last != "." && last != ".." &&
        m_fs.stat(path, io::Follow::no, st).ok() && st.kind != io::FileKind::symlink) {
      real = real_path(path.substr(0, slash)) + path.substr(slash);
    } else if (!m_fs.realpath(path, real).ok()) {
      real = path;
    }
    it = m_real.emplace(path, std::move(real)).first;
  }
  return it->second;
}

std::string Labeller::owner(const std::string& path, const std::string& real_path) const {
  for (const std::string* p : {&path, &real_path}) {
    if (const auto it = m_owners.find(normalized(*p)); it != m_owners.end()) {
      return it->second;
    }
  }
  return {};
}

bool Labeller::is_framework_dist(const std::string& canonical_name) const {
  return std::find(m_framework_dists.begin(), m_framework_dists.end(), canonical_name) !=
         m_framework_dists.end();
}

const facts::Sourced* Labeller::version(const std::string& real_path) const {
  const auto it = m_versions.find(real_path);
  return it == m_versions.end() ? nullptr : &it->second;
}

bool Labeller::in_site(const std::string& path) const {
  return std::any_of(m_sites.begin(), m_sites.end(), [&path](const std::string& site) {
    return path.starts_with(site + "/");
  });
}


Simulation::Simulation(const ScenarioInput& in) : m_in(&in), m_process(in.config, in.reader) {}

Simulation::Simulation(const ScenarioInput& in, loader::Process process)
    : m_in(&in), m_process(std::move(process)) {}

Simulation Simulation::clone() const {
  Simulation copy(*m_in, m_process.clone());
  copy.m_out = m_out;
  copy.m_exe = m_exe;
  copy.m_labelled = m_labelled;
  copy.m_started = m_started;
  return copy;
}

bool Simulation::exec() {
  auto exe = m_process.exec(m_in->interpreter);
  if (!exe) {
    m_out.problems.push_back(render(exe.error()));
    return false;
  }
  m_started = true;
  m_exe = *exe;
  for (const loader::Missing& m : m_process.resolution().missing) {
    m_out.missing.push_back(fmt::format("{} (needed by {}): {}; the interpreter does not start",
                                        m.name, m.needed_by, m.reason));
  }
  label_new("", "import", "", "interpreter");
  return true;
}

bool Simulation::import(const FrameworkLoad& fw) {
  if (!m_started) {
    return false;
  }
  for (const LoadStep& s : fw.steps) {
    if (s.when == "import" && !run(fw, s)) {
      return false;
    }
  }
  return true;
}

void Simulation::first_gpu_use(const FrameworkLoad& fw) {
  if (!m_started) {
    return;
  }
  for (const LoadStep& s : fw.steps) {
    if (s.when != "import") {
      (void)run(fw, s);
    }
  }
}

facts::LoadScenario Simulation::take(const std::vector<const FrameworkLoad*>& order) {
  facts::LoadScenario out = std::move(m_out);
  std::vector<std::string> problems;
  for (const FrameworkLoad* fw : order) {
    out.order.push_back(fw->framework);
    for (const std::string& p : fw->problems) {
      problems.push_back(fmt::format("{}: {}", fw->framework, p));
    }
  }
  out.problems.insert(out.problems.begin(), problems.begin(), problems.end());
  if (m_started) {
    for (loader::MissingVersion& v : loader::check_versions(m_process.resolution())) {
      out.missing_versions.push_back({std::move(v.object), std::move(v.file),
                                      std::move(v.provider), std::move(v.version), v.weak});
    }
  }
  return out;
}

bool Simulation::run(const FrameworkLoad& fw, const LoadStep& s) {
  if (!applies(s)) {
    return true;
  }
  const int caller = caller_index(s.caller);
  loader::Process::Opened opened;
  for (const std::string& candidate : s.candidates) {
    opened = m_process.dlopen(candidate, caller);
    if (opened.index >= 0) {
      break;
    }
  }
  if (opened.index < 0) {
    if (s.required) {
      const std::string context =
          s.when == "import" ? fmt::format("import {} fails ({})", fw.framework, s.why)
                             : fmt::format("{} at {} ({})", fw.framework, s.when, s.why);
      for (const loader::Missing& m : opened.missing) {
        const bool asked =
            std::find(s.candidates.begin(), s.candidates.end(), m.name) != s.candidates.end();
        m_out.missing.push_back(
            asked ? fmt::format("{} (dlopen): {}; {}", m.name, m.reason, context)
                  : fmt::format("{} (needed by {}): {}; {}", m.name, m.needed_by, m.reason,
                                context));
      }
      if (s.candidates.empty()) {
        m_out.missing.push_back(fmt::format("nothing to load; {}", context));
      }
    }
    return !s.required;
  }
  label_new(fmt::format("dlopen by {}", s.why), s.when, fw.framework, "", opened.index);
  return true;
}

bool Simulation::applies(const LoadStep& s) const {
  const auto& objects = m_process.resolution().objects;
  if (!s.if_mapped.empty() &&
      std::none_of(objects.begin(), objects.end(), [&s](const loader::LoadedObject& o) {
        return file_name(o.path).find(s.if_mapped) != std::string_view::npos;
      })) {
    return false;
  }
  if (!s.unless_mapped.empty()) {
    const std::string& real = m_in->labeller.real_path(s.unless_mapped);
    for (const loader::LoadedObject& o : objects) {
      if (o.path == s.unless_mapped || m_in->labeller.real_path(o.path) == real) {
        return false;
      }
    }
  }
  return true;
}

int Simulation::caller_index(const std::string& caller) const {
  const auto& objects = m_process.resolution().objects;
  if (!caller.empty()) {
    const std::string& real = m_in->labeller.real_path(caller);
    for (std::size_t i = 0; i < objects.size(); ++i) {
      if (objects[i].path == caller || m_in->labeller.real_path(objects[i].path) == real) {
        return static_cast<int>(i);
      }
    }
  }
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (objects[i].soname.starts_with("libpython")) {
      return static_cast<int>(i);
    }
  }
  return m_exe;
}

void Simulation::label_new(const std::string& why, const std::string& when,
                           const std::string& framework, const std::string& origin, int target) {
  const auto& objects = m_process.resolution().objects;
  const Labeller& labeller = m_in->labeller;
  for (std::size_t i = m_labelled; i < objects.size(); ++i) {
    const loader::LoadedObject& o = objects[i];
    facts::MappedLibrary lib;
    lib.path = o.path;
    lib.real_path = labeller.real_path(o.path);
    lib.soname = o.soname;
    lib.library = tracked_library(o.soname.empty() ? file_name(o.path) : o.soname);
    if (lib.library.empty()) {
      lib.library = tracked_library(file_name(lib.real_path));
    }
    lib.package = labeller.owner(lib.path, lib.real_path);
    if (!origin.empty() || o.preloaded) {
      lib.origin = "interpreter";
    } else if (!lib.package.empty()) {
      lib.origin = labeller.is_framework_dist(lib.package) ? "framework" : "wheel";
    } else {
      lib.origin = labeller.in_site(lib.real_path) ? "wheel" : "system";
    }
    if (!lib.library.empty()) {
      if (const facts::Sourced* v = labeller.version(lib.real_path)) {
        lib.version = *v;
      } else if (const std::string real_v = so_version(file_name(lib.real_path));
                 real_v.size() > so_version(o.soname).size()) {
        lib.version = {real_v, "file name"};
      } else if (!so_version(o.soname).empty()) {
        lib.version = {so_version(o.soname), "soname"};
      }
    }
    lib.rule = std::string(loader::rule_name(o.rule));
    if (static_cast<int>(i) == target || o.loader < 0) {
      lib.why = why.empty() ? "the interpreter" : why;
    } else {
      lib.why = fmt::format("DT_NEEDED of {}", objects[static_cast<std::size_t>(o.loader)].path);
    }
    lib.loaded_by = framework;
    lib.when = when;
    m_out.libraries.push_back(std::move(lib));
  }
  m_labelled = objects.size();
}

facts::LoadScenario simulate(const ScenarioInput& input, const std::vector<FrameworkLoad>& order) {
  std::vector<const FrameworkLoad*> frameworks;
  for (const FrameworkLoad& fw : order) {
    frameworks.push_back(&fw);
  }
  Simulation sim(input);
  if (sim.exec()) {
    std::vector<bool> imported;
    for (const FrameworkLoad& fw : order) {
      imported.push_back(sim.import(fw));
    }
    for (std::size_t f = 0; f < order.size(); ++f) {
      if (imported[f]) {
        sim.first_gpu_use(order[f]);
      }
    }
  }
  return sim.take(frameworks);
}

}  // namespace mlstack::linkmap
