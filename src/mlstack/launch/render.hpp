// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

#include "mlstack/launch/plan.hpp"

namespace mlstack::launch {

enum class EnvFormat { sh, dockerfile, json };

/// Where the shim is, for the PYTHONPATH line (empty when the plan needs none).
struct ShimPlace {
  std::string dir;
};

/// `--print-env`: the plan for a POSIX shell (`export NAME='value'`, quoted so that any value
/// survives; PYTHONPATH keeps what the shell has after the shim), a Dockerfile (`ENV` lines;
/// a `RUN mlstack run --write-shim DIR` line when the shim is needed) or JSON
/// (`mlstack.run-env/1`, docs/run.md). Comments say why each variable is set, which the user
/// had set already (kept), and the KB's notes for the installed versions.
[[nodiscard]] std::string render_env(const Plan& plan, const ShimPlace& shim, EnvFormat format);

/// `s` as one single-quoted POSIX shell word.
[[nodiscard]] std::string sh_quote(std::string_view s);

/// `s` as a double-quoted Dockerfile ENV value (`\`, `"` and `$` escaped).
[[nodiscard]] std::string dockerfile_quote(std::string_view s);

}  // namespace mlstack::launch
