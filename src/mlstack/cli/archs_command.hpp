// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/cli/exit_code.hpp"

#include <iosfwd>
#include <string>
#include <vector>

namespace mlstack::cli {

struct ArchsOptions {
  std::vector<std::string> files;
  bool json = false;
};

/// `mlstack archs FILE...`: the CUDA architectures compiled into each file (its fatbin index,
/// as `cuobjdump --list-elf` / `--list-ptx` list them). Exit 0, or 2 when a file cannot be
/// read (the others are still listed).
[[nodiscard]] ExitCode run_archs(const ArchsOptions& options, std::ostream& out,
                                 std::ostream& err);

}  // namespace mlstack::cli
