// SPDX-License-Identifier: MIT
#include "mlstack/cli/target.hpp"

#include <fmt/format.h>

namespace mlstack::cli {

Result<void> open_image_target(const std::string& archive, Target& target) {
  (void)target;
  return unexpected(make_error(ErrorCode::unsupported,
                               fmt::format("cannot read the image `{}`: image archives are not "
                                           "read yet (unpack it and use --root)",
                                           archive)));
}

}  // namespace mlstack::cli
