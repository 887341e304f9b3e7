// SPDX-License-Identifier: MIT
#pragma once

// `mlstack plan`: from a spec and the knowledge base, choose each framework's release and CUDA
// variant, the pins the frameworks share, and the driver the images need, each with its
// reasons and sources (docs/plan.md). Pure: no I/O; the resolver runs elsewhere, fed through
// `resolve_inputs`.

#include "mlstack/kb/kb.hpp"
#include "mlstack/spec/spec.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::plan {

/// A statement and where it comes from (a KB row's id and source, or the spec).
struct Reason {
  std::string text;
  std::string source;  // the KB row's `source` (and grade), or empty
  std::string id;      // the KB row's id, or empty
};

/// An alternative the plan did not take, and the constraint it broke.
struct Rejected {
  std::string what;  // `torch 1.12 cu116 (https://download.pytorch.org/whl/cu116)`
  std::string why;   // `its CUDA 11.6 needs driver >= 510.39.01 for full compatibility, ...`
};

/// The choice for one framework.
struct FrameworkChoice {
  std::string framework;     // `torch`
  std::string requirement;   // `torch==1.12.1+cu113`
  std::string index_url;     // empty: the index the user configured (PyPI)
  std::string wheel_source;  // `PyPI (its default build)`, `PyTorch's cu113 index`
  std::string variant;       // `cu113`; empty when the release has one build
  std::string release_id;    // the frameworks.toml row
  std::string cuda;          // the CUDA it was built for: `11.3`
  std::string cudnn;         // `8.3.2.44`; may be empty
  std::string python;        // the release's Python range: `>=3.7,<3.11`
  std::string libraries;     // `bundled`, `system`, `wheels`, or empty (not sourced)
  std::string runtime_cuda;  // the CUDA it runs with: its own (bundled) or the base's
  Reason loads;              // which CUDA libraries it will load
  std::vector<Reason> reasons;
  std::vector<Rejected> rejected;
};

/// A package the frameworks share, and the specifier every framework in the spec accepts.
struct SharedPin {
  std::string package;      // `protobuf`
  std::string requirement;  // `protobuf<3.20,>=3.9.2`
  std::vector<Reason> reasons;  // one per framework (declared or known break)
};

/// How an image's frameworks reach the driver.
enum class DriverPath {
  unknown,        // no GPU framework
  full,           // the driver the spec supports is at least every toolkit's minimum
  minor_version,  // below that, within the CUDA major's minor-version compatibility
  below_floor,    // below even that: forward compatibility only (data-center GPUs)
};

struct DriverPlan {
  std::string full_min;        // `465.19.01`: the newest toolkit minimum of the frameworks
  std::string full_cuda;       // `11.3`: the CUDA that sets it
  std::string minor_min;       // `450.80.02`: the CUDA major's minor-version floor
  std::string spec_min;        // the spec's `min_driver`, may be empty
  std::string require_cuda;    // for NVIDIA_REQUIRE_CUDA: `cuda>=11.0`
  DriverPath path = DriverPath::unknown;
  std::vector<Reason> reasons;
};

/// What the base image provides, as the knowledge base or the spec says.
struct BasePlan {
  std::string image;         // may be empty
  std::string os;            // empty when the image is not in the KB
  std::string python;        // the images' Python (the spec's)
  std::string cuda;          // the CUDA the frameworks run over (the base's or the spec's)
  std::string cudnn;
  std::string kb_id;         // images.toml row, or empty
  std::vector<Reason> notes;
};

/// One requirement as the resolver gets it.
struct Requirement {
  std::string text;       // PEP 508: `torch==1.12.1+cu113`, `numpy<2,>=1.20`
  std::string index_url;  // an index to add for it (PyTorch's), or empty
  std::string why;        // `framework`, `pin`, `package`
};

/// One image of the family: its frameworks and the requirements to resolve for it.
struct VariantPlan {
  std::string name;
  std::vector<std::string> frameworks;
  std::vector<Requirement> requirements;
};

/// Constraints that cannot all hold: no plan exists.
struct Collision {
  std::string what;                      // `no release of tensorflow fits`
  std::vector<std::string> constraints;  // each constraint, with where it comes from
};

struct Plan {
  std::string spec_file;
  BasePlan base;
  std::vector<FrameworkChoice> frameworks;
  std::vector<SharedPin> pins;
  DriverPlan driver;
  std::vector<VariantPlan> variants;
  spec::Memory memory;
  std::vector<Collision> collisions;  // non-empty: no plan

  [[nodiscard]] bool ok() const { return collisions.empty(); }
};

/// Chooses releases, variants, pins and the driver floor for `spec` from `kb`.
[[nodiscard]] Plan make_plan(const spec::Spec& spec, const kb::Kb& kb);

/// The seam to the resolver: per variant, the target Python and the requirements (frameworks
/// with their index URLs, the shared pins, the spec's packages), in a stable order.
struct ResolveInput {
  std::string variant;
  std::string python_version;  // `3.9`
  std::vector<Requirement> requirements;
  std::vector<std::string> index_urls;  // the extra indexes the requirements need, deduplicated
};
[[nodiscard]] std::vector<ResolveInput> resolve_inputs(const Plan& plan);

/// What the resolver made of one variant. Filled by the caller (cli runs the `resolve`
/// module); plan only renders it.
struct VariantResolution {
  enum class Status : std::uint8_t {
    resolved,      // a full package set, and the package checks found nothing
    problems,      // resolved, but the package checks on the set found problems
    no_solution,   // the resolver says the requirements collide
    unresolved,    // the resolver could not run or reach an index (`message` says why)
  };
  std::string variant;
  Status status = Status::unresolved;
  std::string tool;                   // `uv`, `pip`; empty when none ran
  std::vector<std::string> packages;  // `name==version` of the set, sorted
  std::vector<std::string> problems;  // the checks' lines, as `mlstack check` prints them
  std::string message;                // the resolver's words (bounded) when not resolved
  double wall_s = 0;                  // the resolver's wall time
};

/// The resolution step: not done (`note` says why: `--no-resolve`, no plan), or one entry per
/// variant in plan order.
struct Resolution {
  bool done = false;
  std::string note;
  std::vector<VariantResolution> variants;
};

[[nodiscard]] std::string_view to_string(VariantResolution::Status status);

/// The text report (docs/MESSAGES.md: stdout is data), with the resolution step last.
[[nodiscard]] std::string render_text(const Plan& plan, const Resolution& resolution);

/// The `mlstack.plan/1` JSON document (docs/plan.md).
[[nodiscard]] std::string render_json(const Plan& plan, const Resolution& resolution);

}  // namespace mlstack::plan
