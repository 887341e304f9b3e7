// SPDX-License-Identifier: MIT
#include "mlstack/frameworks/binary_facts.hpp"

#include "mlstack/io/path.hpp"

#include <algorithm>

namespace mlstack::frameworks {
namespace {

using io::join_path;

std::string_view major_of(std::string_view v) { return v.substr(0, v.find('.')); }

void problem(const BinaryContext& ctx, facts::FrameworkBuild& b, std::string message) {
  b.problems.push_back(message);
  ctx.scan_problems.push_back(std::move(message));
}

}  // namespace

std::string add_gpu_code(const BinaryContext& ctx, std::string_view location,
                         std::span<const std::string_view> candidates, facts::FrameworkBuild& b) {
  std::string main_binary;
  for (std::string_view rel : candidates) {
    const std::string path = join_path(location, rel);
    io::FileStat st;
    if (!ctx.fs.stat(path, io::Follow::yes, st).ok()) {
      continue;
    }
    auto code = ctx.reader.gpu_code(path);
    if (!code) {
      problem(ctx, b, to_string(code.error()));
      continue;
    }
    const bool has_code = code->sass_entries + code->ptx_entries > 0;
    if (!has_code) {
      b.evidence.push_back(path + ": no CUDA device code (no .nv_fatbin)");
    }
    if (has_code && main_binary.empty()) {
      main_binary = path;
      std::vector<std::string> archs = code->sass;
      archs.insert(archs.end(), code->ptx.begin(), code->ptx.end());
      b.archs = std::move(archs);
      b.archs_source = path + " (fatbin: " + std::to_string(code->sass_entries) + " cubins, " +
                       std::to_string(code->ptx_entries) + " PTX)";
    }
    b.gpu_code.push_back(std::move(*code));
  }
  return main_binary;
}

void add_static_libraries(const BinaryContext& ctx, const std::string& binary,
                          const std::string& package, facts::FrameworkBuild& b) {
  auto found = ctx.reader.embedded_libraries(binary);
  if (!found) {
    problem(ctx, b, to_string(found.error()));
    return;
  }
  for (const EmbeddedLibrary& e : *found) {
    const std::string soname = "lib" + e.library + ".so";
    if (std::any_of(b.linked.begin(), b.linked.end(),
                    [&](const std::string& n) { return n.starts_with(soname); })) {
      continue;
    }
    facts::CudaLibrary lib;
    lib.name = e.library;
    lib.version = e.version;
    lib.version_source = e.evidence;
    lib.path = binary;
    lib.origin = "static";
    lib.package = package;
    lib.found_via = "static";
    lib.versions.push_back({e.version, e.evidence});
    b.evidence.push_back(binary + ": " + e.library + " " + e.version + " linked statically (" +
                         e.evidence + ")");
    facts::Sourced* field = e.library == "cudnn"  ? &b.cudnn
                            : e.library == "nccl" ? &b.nccl
                                                  : nullptr;
    if (field != nullptr && field->value.empty()) {
      *field = {e.version, binary + " (linked statically: " + e.evidence + ")"};
      const std::string unknown = e.library == "cudnn" ? "cuDNN: unknown" : "NCCL: unknown";
      std::erase_if(b.evidence, [&](const std::string& s) { return s.starts_with(unknown); });
    }
    b.static_libraries.push_back(std::move(lib));
  }
}

void add_jax_build_versions(const BinaryContext& ctx, const std::string& versions_so,
                            facts::FrameworkBuild& b) {
  io::FileStat st;
  if (!ctx.fs.stat(versions_so, io::Follow::yes, st).ok()) {
    b.evidence.push_back(versions_so + ": missing");
    return;
  }
  auto v = ctx.reader.jax_build_versions(versions_so);
  if (!v) {
    // Not a broken install: the constants are only read where the layout is known.
    b.evidence.push_back("build versions not read: " + to_string(v.error()));
    return;
  }
  const std::string where = versions_so + " (" + v->evidence + ")";
  if (!v->cuda.empty()) {
    if (!b.cuda.value.empty() && major_of(v->cuda) != major_of(b.cuda.value)) {
      problem(ctx, b,
              where + " says CUDA " + v->cuda + " but " + b.cuda.source + " says " + b.cuda.value);
    } else {
      b.cuda = {v->cuda, where};
    }
  }
  if (!v->cudnn.empty()) {
    if (!b.cudnn.value.empty() && major_of(v->cudnn) != major_of(b.cudnn.value)) {
      problem(ctx, b,
              where + " says cuDNN " + v->cudnn + " but " + b.cudnn.source + " says " +
                  b.cudnn.value);
    } else {
      b.cudnn = {v->cudnn, where};
    }
  }
}

void add_linked_libraries(const BinaryContext& ctx, const std::string& binary,
                          facts::FrameworkBuild& b) {
  auto needed = ctx.reader.needed(binary);
  if (!needed) {
    return;  // the fatbin read already reported an unreadable binary
  }
  b.linked = *needed;
  b.linked_by = binary;
  for (const std::string& soname : *needed) {
    for (const auto& [stem, field] : {std::pair{std::string_view("libcudart.so."), &b.cuda},
                                      std::pair{std::string_view("libcudnn.so."), &b.cudnn}}) {
      if (!soname.starts_with(stem) || !field->value.empty()) {
        continue;
      }
      const std::string major(major_of(std::string_view(soname).substr(stem.size())));
      if (!major.empty()) {
        *field = {major, binary + " (DT_NEEDED `" + soname + "`, major only)"};
      }
    }
  }
}

std::vector<std::string> tensorflow_archs(const std::vector<std::string>& listed) {
  std::vector<std::string> out;
  auto add = [&out](std::string s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) {
      out.push_back(std::move(s));
    }
  };
  for (const std::string& a : listed) {
    if (a.starts_with("compute_")) {
      add("sm_" + a.substr(8));
    }
  }
  for (const std::string& a : listed) {
    if (a.starts_with("sm_")) {
      add(a);
    }
  }
  std::sort(out.begin(), out.end(), [](const std::string& x, const std::string& y) {
    return x.size() != y.size() ? x.size() < y.size() : x < y;
  });
  for (const std::string& a : listed) {
    if (!a.starts_with("sm_")) {
      add(a);
    }
  }
  return out;
}

}  // namespace mlstack::frameworks
