// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace mlstack::image {

/// One `KEY=value` pair: an environment variable or a label.
struct KeyValue {
  std::string key;
  std::string value;
};

/// One image built `FROM` the base: a variant of the spec (tf-only, torch-only, full stack).
struct Variant {
  std::string name;         // [a-z0-9][a-z0-9._-]*: the tag `<image>-<name>` and file names
  std::string description;  // org.opencontainers.image.description
  /// requirements.txt lines: a lock (`name==1.2 --hash=sha256:...` on every line, installed
  /// with `--require-hashes --no-deps`) or planned pins (installed with pip's resolver under
  /// the shared pins). Comment and blank lines are kept as they are.
  std::vector<std::string> requirements;
  std::vector<std::string> index_urls;  // extra indexes (`--extra-index-url`), in order
  std::vector<std::string> find_links;  // `--find-links`
  std::vector<KeyValue> env;            // the memory-sharing environment of its frameworks
};

/// What `mlstack image` writes, independent of how it was planned (cli maps a plan to it).
struct ImageRequest {
  std::string name = "mlstack";  // image names: `<name>-base`, `<name>-<variant>`
  std::string base_image;        // FROM of the base image
  std::string python = "3";      // the Python X.Y the base image provides (checked in the build)
  std::string python_command = "python3";  // the base's interpreter, which makes /opt/venv
  std::string mlstack_version;
  std::vector<std::string> shared_pins;  // requirement lines every variant honours (base layer)
  std::string nvidia_require_cuda;       // NVIDIA_REQUIRE_CUDA; empty: not set
  std::vector<KeyValue> labels;          // extra labels on every image, in order
  std::vector<KeyValue> env;             // environment of every image (base)
  std::vector<std::string> healthcheck = {"/opt/mlstack/bin/mlstack", "doctor", "--healthcheck"};
  std::vector<Variant> variants;
};

/// One file of the build context, relative to the output folder.
struct ContextFile {
  std::string path;
  std::string content;
};

}  // namespace mlstack::image
