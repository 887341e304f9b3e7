// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/base/result.hpp"
#include "mlstack/kb/expression.hpp"
#include "mlstack/pep440/specifier.hpp"
#include "mlstack/pep440/version.hpp"
#include "mlstack/rules/finding.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mlstack::kb {

/// What every KB entry carries: a stable id, where the fact comes from, and whether it was
/// read in a source (`verified = true`: grades V, V-dev, S of KB-FACTS.md) or not (U).
struct Entry {
  std::string id;
  std::string source;  // URL, or `owner/repo@commit:path`
  bool verified = false;
  std::string grade;  // `V`, `V-dev`, `S`, `S-weak`, `U` as KB-FACTS.md tags it; may be empty
  std::string note;
  std::string file;  // `data/kb/cuda.toml` (embedded) or the user's path
  long line = 0;
};

/// A version from a KB file and its text as written: `580.65.06` (PEP 440 would print
/// `580.65.6`, which is not how NVIDIA names drivers).
struct KbVersion {
  pep440::Version version;
  std::string text;
};

/// cuda.toml `[[toolkit]]`: the minimum driver a CUDA toolkit release needs for full
/// compatibility (Table 3 of the CUDA Toolkit Release Notes).
struct ToolkitDriver {
  Entry entry;
  KbVersion toolkit;     // `12.4.1` (update 1)
  KbVersion min_driver;  // Linux x86_64, `550.54.15`
};

/// cuda.toml `[[minor_version_compat]]`: the oldest driver that runs any toolkit of a major.
struct MinorVersionCompat {
  Entry entry;
  int cuda_major = 0;
  KbVersion min_driver;
};

/// cuda.toml `[[arch_floor]]`: the oldest compute capability a toolkit compiles for.
struct ArchFloor {
  Entry entry;
  KbVersion toolkit;  // applies from this toolkit until the next floor
  KbVersion min_compute_capability;
};

/// cuda.toml `[[forward_compat]]`: who may use the cuda-compat package (prose, for `why`).
struct ForwardCompat {
  Entry entry;
  std::string eligible;
  std::string package;
};

/// gpus.toml `[[gpu]]`: a GPU model name pattern (whole words, case-insensitive).
struct GpuModel {
  Entry entry;
  std::string pattern;  // `H100`, `RTX 4090`
  KbVersion compute_capability;
  std::string segment;  // `data-center`, `workstation`, `consumer`, `embedded`; may be empty
};

/// frameworks.toml `[[release]]`: one framework release (or variant) and what it was built with.
struct FrameworkRelease {
  Entry entry;
  std::string framework;          // `tensorflow`, `torch`, `jax`, `onnxruntime`, `cupy`
  pep440::SpecifierSet versions;  // `==2.11.*`
  std::string variant;            // `cu121`, `cuda12`; empty when the release has one build
  std::string cuda;               // `11.2`, `12.x`
  std::string cudnn;              // `8.1`, `9.1.0.70`
  std::string nccl;
  std::string python;              // specifier set as text, `>=3.7,<3.11`
  std::vector<std::string> archs;  // `sm_75`, `compute_90`
  std::string numpy;               // the NumPy it was built against (`1`, `2`) when sourced
  std::string index_url;  // the package index that serves this variant, when it is not PyPI
  bool pypi = false;      // PyPI serves this variant (the release's default build there)
  /// Where the build's CUDA libraries come from: `bundled` (copies inside the wheel),
  /// `system` (loaded by soname from the image's library path), `wheels` (the nvidia-* wheels
  /// it requires); empty when not sourced.
  std::string libraries;
};

/// images.toml `[[base_image]]`: what a well-known container image provides.
struct BaseImage {
  Entry entry;
  std::string image;   // `debian:bullseye`, `nvidia/cuda:11.3.1-cudnn8-runtime-ubuntu20.04`
  std::string os;      // `Debian 11`
  std::string python;  // the Python it has, or its distribution's `python3` (`3.9`); may be empty
  bool python_installed = false;  // the image itself has it (else the distribution packages it)
  std::string cuda;    // the CUDA runtime in the image (`11.3.1`); empty: none
  std::string cudnn;   // empty: none
};

/// pins.toml `[[pin]]`: what a framework release needs of a shared package, declared in its
/// metadata (`declared = true`, Requires-Dist) or known to break without being declared.
struct Pin {
  Entry entry;
  std::string framework;
  pep440::SpecifierSet versions;  // the framework releases it applies to
  std::string package;            // `protobuf`
  pep440::SpecifierSet required;  // TOML `requires`: `<3.20,>=3.9.2`
  bool declared = false;
  std::string why;
};

/// memory.toml `[[knob]]`: a setting that controls a framework's GPU memory.
struct MemoryKnob {
  Entry entry;
  std::string framework;  // `tensorflow`, `torch`, `jax`, `onnxruntime`, `cupy`, `cuda`
  std::string kind;       // `env`, `api`, `option`
  std::string name;       // `XLA_PYTHON_CLIENT_PREALLOCATE`
  std::string values;     // `true|false`
  std::string effect;
};

/// memory.toml `[[launch]]`: a variable `mlstack run` sets for the installed versions of a
/// framework so that it shares a GPU (grows instead of preallocating), or, without `value`, a
/// note about those versions (a setting they ignore). Rows of one `group` are one setting under
/// several names: a value the user set under any of them leaves the whole group alone.
struct LaunchSetting {
  Entry entry;
  std::string framework;          // `torch`, `tensorflow`, `jax`, `cupy`
  pep440::SpecifierSet versions;  // the framework versions it applies to; empty: all
  std::string name;               // `PYTORCH_CUDA_ALLOC_CONF`
  std::string value;              // `expandable_segments:True`; empty: a note
  std::string group;              // defaults to `name`
  std::string why;
};

/// What a rule iterates over.
enum class ForEach { once, framework, device, framework_device, framework_pair, framework_library };

/// rules.toml / conflicts.toml `[[rule]]`: a finding, written in the rule language.
struct Rule {
  Entry entry;
  rules::Severity severity = rules::Severity::error;
  ForEach for_each = ForEach::once;
  Expression when;
  Template title;
  Template why;
  Template fix;
};

/// The whole knowledge base: the embedded files and the user's.
struct Kb {
  std::vector<ToolkitDriver> toolkits;
  std::vector<MinorVersionCompat> minor_version_compat;
  std::vector<ArchFloor> arch_floors;
  std::vector<ForwardCompat> forward_compat;
  std::vector<GpuModel> gpus;
  std::vector<FrameworkRelease> releases;
  std::vector<MemoryKnob> memory;
  std::vector<BaseImage> base_images;
  std::vector<Pin> pins;
  std::vector<LaunchSetting> launch;
  std::vector<Rule> rules;
  std::vector<std::string> files;  // in load order
};

/// One KB file compiled into the binary (data/kb/*.toml).
struct EmbeddedFile {
  std::string_view name;  // `data/kb/cuda.toml`
  std::string_view text;
};

/// The data/kb/*.toml files as they were at build time, sorted by name.
[[nodiscard]] const std::vector<EmbeddedFile>& embedded_files();

/// Parses one KB file's text into `kb` (appending). `name` is used in error messages.
/// Errors read `name:line:column: message` with the offending line and a caret.
[[nodiscard]] Result<void> add_kb_text(Kb& kb, std::string_view name, std::string_view text);

/// Checks what spans files: duplicate ids. Called by `load_kb`.
[[nodiscard]] Result<void> validate(const Kb& kb);

/// A user's KB file as the caller read it (the KB does no I/O; `cli` reads `--kb` files
/// through io::FileSystem): its path, for messages, and its text.
struct KbFile {
  std::string name;
  std::string text;
};

/// The embedded KB plus `user_files`, in order. A duplicate id, a TOML error or a
/// rule-language error is an error naming the file, line and column.
///
/// **Example**
/// ```
/// auto kb = load_kb({{"site-kb.toml", text}});  // kb->rules.size() >= 20
/// ```
[[nodiscard]] Result<Kb> load_kb(const std::vector<KbFile>& user_files);

/// One embedded file's rows only (`data/kb/memory.toml` for `mlstack run`, which needs no
/// rule compiled): a fraction of load_kb's time.
[[nodiscard]] Result<Kb> load_embedded_kb_file(std::string_view name);

}  // namespace mlstack::kb
