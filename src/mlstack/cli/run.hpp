// SPDX-License-Identifier: MIT
#pragma once

namespace mlstack::cli {

/// The whole command line: parses, runs a subcommand, prints, returns the exit code.
/// The only place that catches exceptions (`mlstack: internal error: ...`, exit 3).
[[nodiscard]] int run(int argc, char** argv);

}  // namespace mlstack::cli
