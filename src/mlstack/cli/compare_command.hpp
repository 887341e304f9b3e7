// SPDX-License-Identifier: MIT
#pragma once

#include "mlstack/cli/exit_code.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mlstack::cli {

struct CompareOptions {
  std::string a;
  std::string b;
  bool json = false;
  std::vector<std::string> maps;  // `A=B`
  std::vector<std::string> rtol;  // `[NAME:]VALUE` (Polygraphy's syntax; compare/report.hpp)
  std::vector<std::string> atol;
  bool equal_nan = false;
  std::string semantics = "numpy";
};

/// Registers `mlstack compare A B [--json] [--map a=b]... [--rtol [NAME:]X]... [--atol [NAME:]Y]...
/// [--equal-nan]
/// [--semantics numpy|torch|polygraphy]`.
CLI::App* add_compare_command(CLI::App& app, CompareOptions& options);

/// Reads both, pairs and compares their tensors (compare/report.hpp), prints the report.
/// Exit 0 when all agree, 1 on any difference (values, shape, a missing or extra tensor),
/// 2 on bad input (a file that cannot be read, a `--map` or tolerance name not found).
[[nodiscard]] ExitCode run_compare(const CompareOptions& options, std::ostream& out,
                                   std::ostream& err);

}  // namespace mlstack::cli
