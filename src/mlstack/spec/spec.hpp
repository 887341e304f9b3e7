// SPDX-License-Identifier: MIT
#pragma once

// `mlstack.toml`: what a user wants built (docs/spec.md). Pure: the caller reads the file and
// hands its text over; every problem is an error `FILE:LINE:COL: what was expected`, with the
// line and a caret under the value.

#include "mlstack/base/result.hpp"
#include "mlstack/pep440/specifier.hpp"
#include "mlstack/pep440/version.hpp"
#include "mlstack/pep508/requirement.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlstack::spec {

/// Where a value begins in the spec file (1-based, as toml++ reports it).
struct Position {
  long line = 0;
  long column = 0;
};

/// A version as written and parsed (`450.80.02` keeps its text; PEP 440 would print `450.80.2`).
struct VersionText {
  std::string text;
  pep440::Version version;
  Position where;
};

/// `[target]`: what the images run on.
struct Target {
  VersionText python;                     // `3.9`: the Python of the images (required)
  std::string base;                       // `debian:bullseye`: the base image, may be empty
  Position base_where;
  std::optional<VersionText> cuda;        // the CUDA the base provides (`11.2`, or `11`)
  std::optional<VersionText> min_driver;  // the oldest NVIDIA driver to support
  std::vector<std::string> gpus;          // GPU model names (`A100`, `T4`)
  std::vector<VersionText> compute_capabilities;  // `8.0`
};

/// `[frameworks]`: `torch = "==1.12.1"` or `torch = { version = "==1.12.1", variant = "cu113" }`.
struct Framework {
  std::string name;                // `tensorflow`, `torch`, `jax`, `onnxruntime`, `cupy`
  pep440::SpecifierSet versions;   // empty: any release
  std::string variant;             // a CUDA variant to insist on (`cu113`); may be empty
  Position where;
};

/// `[variants]`: which frameworks (and extra packages) go into which image.
struct Variant {
  std::string name;
  std::vector<std::string> frameworks;
  std::vector<pep508::Requirement> packages;
  Position where;
};

/// How the variants were given.
enum class VariantsSource { spec, defaults };

/// `[memory]`: how frameworks that share one GPU take its memory (`mlstack run`, the images'
/// environment). `fractions` are hard caps per framework, validated: each in (0, 1], sum <= 1.
struct Memory {
  bool growth = true;
  std::vector<std::pair<std::string, double>> fractions;  // in file order
};

struct Spec {
  std::string file;  // as given to parse_spec, for messages
  std::string name;  // top-level `name`, may be empty
  Target target;
  std::vector<Framework> frameworks;              // in file order
  std::vector<pep508::Requirement> packages;      // `[packages] requirements`: every variant
  std::vector<Variant> variants;                  // in file order, or the defaults
  VariantsSource variants_source = VariantsSource::defaults;
  Memory memory;

  [[nodiscard]] const Framework* framework(std::string_view name) const;
};

/// The framework names the spec accepts (those the knowledge base describes).
[[nodiscard]] const std::vector<std::string_view>& known_frameworks();

/// Parses `text`, the contents of the spec file `file`. Without `[variants]`, the variants
/// are `base` (no framework), one per framework (named after it) and, with two or more
/// frameworks, `full` (all of them).
///
/// **Example**
/// ```
/// auto s = parse_spec("mlstack.toml", "[target]\npython = \"3.9\"\n[frameworks]\ntorch = \"==1.12.1\"\n");
/// // s->variants: base, torch
/// ```
[[nodiscard]] Result<Spec> parse_spec(std::string_view file, std::string_view text);

}  // namespace mlstack::spec
