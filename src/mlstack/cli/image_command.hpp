// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "mlstack/cli/exit_code.hpp"

namespace CLI {
class App;
}

namespace mlstack::cli {

struct ImageOptions {
  std::string spec;            // SPEC (mlstack.toml): planned as `mlstack plan` plans it
  std::string output;          // -o DIR
  std::string base;            // --base IMAGE
  bool no_resolve = false;     // --no-resolve
  std::vector<std::string> variants;  // --variant NAME=REQUIREMENTS (a lock or planned pins)
  std::string shared;          // --shared FILE: the shared pins
  std::string python;          // --python-version X.Y the base provides
  std::string name = "mlstack";
  std::string nvidia_require_cuda;
  std::vector<std::string> env;        // --env KEY=VALUE (every image)
  std::vector<std::string> labels;     // --label KEY=VALUE
  std::vector<std::string> index_urls;  // --extra-index-url (every variant)
  std::vector<std::string> find_links;  // --find-links (every variant)
  bool no_bundle = false;      // --no-bundle: leave mlstack/ out (golden tests)
};

/// Adds `mlstack image` to `app`.
CLI::App* add_image_command(CLI::App& app, ImageOptions& options);

/// `mlstack image`: writes the build context to `options.output` and says how to build it.
[[nodiscard]] ExitCode run_image(const ImageOptions& options, std::ostream& out,
                                 std::ostream& err);

}  // namespace mlstack::cli
