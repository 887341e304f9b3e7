// SPDX-License-Identifier: MIT
#pragma once

// The planner's later steps (pure), each in its own file: the driver floor (driver.cpp), the
// shared pins and the variants' requirements (requirements.cpp).

#include "mlstack/kb/kb.hpp"
#include "mlstack/plan/plan.hpp"
#include "mlstack/spec/spec.hpp"

#include <vector>

namespace mlstack::plan::detail {

/// The driver the images need: full compatibility (the newest toolkit minimum of the CUDA the
/// frameworks run with) against the CUDA major's minor-version floor and the spec's
/// `min_driver`. `rows[i]` is the release row of `choices[i]`.
[[nodiscard]] DriverPlan plan_driver(const spec::Spec& spec, const kb::Kb& kb,
                                     const std::vector<FrameworkChoice>& choices,
                                     const std::vector<const kb::FrameworkRelease*>& rows,
                                     std::vector<Collision>& collisions);

/// The pins every framework accepts, per package; `pins[i]` are those of `choices[i]`.
[[nodiscard]] std::vector<SharedPin> plan_pins(
    const spec::Spec& spec, const std::vector<FrameworkChoice>& choices,
    const std::vector<std::vector<const kb::Pin*>>& pins, std::vector<Collision>& collisions);

/// Each variant's requirements: its frameworks (with their indexes), the pins of those
/// frameworks, the spec's packages.
[[nodiscard]] std::vector<VariantPlan> plan_variants(
    const spec::Spec& spec, const std::vector<FrameworkChoice>& choices,
    const std::vector<std::vector<const kb::Pin*>>& pins);

/// A KB row's source, and its grade when it has one: `https://... (grade S)`.
[[nodiscard]] std::string kb_ref(const kb::Entry& e);

}  // namespace mlstack::plan::detail
