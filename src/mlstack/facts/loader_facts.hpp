// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/facts/build_facts.hpp"
#include "mlstack/facts/gpu_facts.hpp"

#include <string>
#include <vector>

/// What the dynamic loader would map when the frameworks are imported, predicted from files
/// (linkmap/, over the ld.so emulation of loader/), and what the isolated import probes saw
/// (probe/). docs/loader.md, docs/frameworks.md ("What an import maps").
namespace mlstack::facts {

/// One shared object a scenario maps.
struct MappedLibrary {
  // The tracked library it is (`cudart`, `cublas`, `cublaslt`, `cudnn`, `cudnn_ops`, ...,
  // `nccl`, `nvjitlink`, `nvrtc`, `nvrtc_builtins`, `cufft`, `cusparse`, `libstdcxx`); empty
  // for every other object.
  std::string library;
  std::string path;       // as the loader finds it: a search folder + the name
  std::string real_path;  // symlinks resolved: the file /proc/self/maps names
  std::string soname;     // DT_SONAME, empty when none
  Sourced version;        // its version (tracked libraries), with the source
  // `wheel` (an nvidia-* or other distribution's file), `framework` (the framework's own
  // folder), `system`, `interpreter` (mapped before any import).
  std::string origin;
  std::string package;  // the distribution that owns the file (RECORD), when known
  std::string rule;     // how the loader found it: loader::rule_name (`runpath`, `cache`, ...)
  // One phrase: `DT_NEEDED of torch/lib/libtorch_cuda.so`, `dlopen by torch/__init__.py
  // (_load_global_deps)`, `dlopen by TensorFlow's dso_loader (libcudnn.so.9)`.
  std::string why;
  std::string loaded_by;  // the framework whose import maps it first in this scenario
  std::string when = "import";  // `import`, or `first GPU use` (mapped lazily, not by import)
};

/// A symbol version an object needs and its provider does not define (ld.so: "version `V' not
/// found (required by OBJECT)").
struct MissingSymbolVersion {
  std::string object;    // the path of the object that needs it
  std::string file;      // the soname it is needed from (`libstdc++.so.6`)
  std::string provider;  // the path of the object mapped for `file`
  std::string version;   // `GLIBCXX_3.4.32`
  bool weak = false;
};

/// One import order: a framework alone, or two in this order, in one fresh interpreter.
struct LoadScenario {
  std::vector<std::string> order;        // framework names (`torch`, `tensorflow`)
  std::vector<MappedLibrary> libraries;  // in load order, the interpreter's own first
  // DT_NEEDED / dlopen names that would not be found: "libcudnn.so.9 (needed by PATH): not
  // found"; an import with one at `import` time fails.
  std::vector<std::string> missing;
  std::vector<MissingSymbolVersion> missing_versions;
  std::vector<std::string> problems;  // files that could not be read, one sentence each
};

struct LoaderFacts {
  bool emulated = false;
  std::string skipped;  // why not, when not emulated (`--site`, no interpreter)
  // The settings the emulation used.
  std::string interpreter;      // the interpreter's real path
  std::string ld_library_path;  // as set for the target
  std::string cache;            // `/etc/ld.so.cache`, empty when none was read
  std::vector<std::string> default_dirs;
  std::vector<LoadScenario> scenarios;  // each framework alone, then each pair in both orders
  std::vector<std::string> problems;
  // The fatbin index of every tracked library file the scenarios map that holds device code
  // (frameworks::add_mapped_gpu_code, through the file-facts cache), for LOAD-ARCH-MISSING.
  std::vector<GpuCode> gpu_code;
};

}  // namespace mlstack::facts
