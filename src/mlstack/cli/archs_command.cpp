// SPDX-License-Identifier: MIT
#include "mlstack/cli/archs_command.hpp"

#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mlstack/base/text.hpp"
#include "mlstack/elf/gpu_code.hpp"

namespace mlstack::cli {
namespace {

std::string count(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

ExitCode run_archs(const ArchsOptions& options, std::ostream& out, std::ostream& err) {
  ExitCode code = ExitCode::healthy;
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const std::string& path : options.files) {
    auto gpu = elf::read_gpu_code(path);
    if (!gpu) {
      err << "mlstack: error: " << text::escape_controls(render(gpu.error())) << '\n';
      code = ExitCode::usage_error;
      continue;
    }
    const elf::FatbinIndex& ix = gpu->index;
    for (const std::string& p : ix.problems) {
      err << fmt::format("mlstack: warning: {}: {}\n", text::escape_controls(path),
                         text::escape_controls(p));
    }
    if (options.json) {
      json.push_back({{"path", path},
                      {"has_fatbin", gpu->has_fatbin},
                      {"sass", ix.sass},
                      {"ptx", ix.ptx},
                      {"sass_entries", ix.sass_entries},
                      {"ptx_entries", ix.ptx_entries},
                      {"other_entries", ix.other_entries},
                      {"fatbins", ix.fatbins},
                      {"problems", ix.problems}});
      continue;
    }
    out << text::escape_controls(path) << '\n';
    if (!gpu->has_fatbin) {
      out << "  no CUDA device code (no .nv_fatbin section)\n";
      continue;
    }
    out << fmt::format("  sass  {}  ({})\n",
                       ix.sass.empty() ? "none" : fmt::format("{}", fmt::join(ix.sass, " ")),
                       count(ix.sass_entries, "cubin", "cubins"));
    out << fmt::format("  ptx   {}  ({})\n",
                       ix.ptx.empty() ? "none" : fmt::format("{}", fmt::join(ix.ptx, " ")),
                       count(ix.ptx_entries, "PTX entry", "PTX entries"));
  }
  if (options.json) {
    out << json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  }
  return code;
}

}  // namespace mlstack::cli
