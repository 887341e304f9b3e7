// SPDX-License-Identifier: MIT
#include "mlstack/cli/target.hpp"

#include "mlstack/rootfs/image.hpp"

#include <fmt/format.h>

namespace mlstack::cli {

Result<void> open_image_target(const std::string& archive, Target& target) {
  // `--image FILE[:NAME]`: NAME picks one image of an archive that holds several.
  const auto [file, name] = rootfs::split_image_argument(
      archive, [](const std::string& p) { return io::real_file_system().exists(p); });
  rootfs::ImageOptions options;
  options.select = name;
  MLSTACK_TRY_ASSIGN(rootfs::Image image, rootfs::open_image(file, options));
  for (const std::string& assignment : image.config.env) {  // the last assignment wins
    const std::size_t eq = assignment.find('=');
    if (eq == std::string::npos) {
      target.environment[assignment] = "";
    } else {
      target.environment[assignment.substr(0, eq)] = assignment.substr(eq + 1);
    }
  }
  target.fs = std::shared_ptr<const io::FileSystem>(std::move(image.fs));
  target.root_kind = "image";
  target.root_path = name.empty() ? file : fmt::format("{}:{}", file, name);
  return {};
}

}  // namespace mlstack::cli
