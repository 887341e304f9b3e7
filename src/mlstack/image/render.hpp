// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "mlstack/base/result.hpp"
#include "mlstack/image/image_request.hpp"

namespace mlstack::image {

/// Where the mlstack bundle (bundle.hpp) goes in the build context and in the image.
inline constexpr const char* k_bundle_context_dir = "mlstack";
inline constexpr const char* k_bundle_image_dir = "/opt/mlstack";

/// The text files of the build context, in a fixed order, byte-identical for equal requests:
///   Dockerfile.base            Python check, /opt/venv, mlstack (bundle), the shared pins,
///                              NVIDIA_REQUIRE_CUDA, memory env, HEALTHCHECK, `mlstack check`
///   Dockerfile.<variant>       FROM <name>-base, its requirements, `mlstack check`
///   requirements/shared.txt    the shared pins (also /opt/mlstack/constraints.txt)
///   requirements/<variant>.txt the variant's lock or planned pins
///   docker-bake.hcl            a target per image, the group `default` of all variants
/// pip's configuration comes in as the build secrets `pipconf` (mounted at /etc/pip.conf) and
/// `pipcert` (its certificate bundle, used as PIP_CERT), so nothing of it lands in a layer.
/// Errors: a name, key or line that cannot be written safely, a lock with hashes on only some
/// lines, two variants of one name.
[[nodiscard]] Result<std::vector<ContextFile>> render_context(const ImageRequest& request);

/// True when every requirement line (not blank, not a comment) carries `--hash=`.
[[nodiscard]] bool is_hashed(const std::vector<std::string>& requirements);

}  // namespace mlstack::image
