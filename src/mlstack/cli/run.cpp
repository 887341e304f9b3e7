// SPDX-License-Identifier: MIT
#include "mlstack/cli/run.hpp"

#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "mlstack/cli/archs_command.hpp"
#include "mlstack/cli/commands.hpp"
#include "mlstack/cli/exit_code.hpp"
#include "mlstack/version.hpp"

namespace mlstack::cli {
namespace {

void add_target_options(CLI::App& cmd, TargetOptions& t) {
  auto* python = cmd.add_option("--python", t.python,
                                "interpreter whose environment to inspect (default: python3 "
                                "on PATH)");
  auto* site = cmd.add_option("--site", t.sites,
                              "inspect a site-packages folder without an interpreter "
                              "(repeatable; first wins)");
  python->excludes(site);
  cmd.add_option("--python-version", t.python_version,
                 "with --site: the Python version for markers and tags (default: the "
                 "`pythonX.Y` folder the site is in, else 3.12)")
      ->needs(site);
  cmd.add_option("--platform", t.platform,
                 "with --site: linux-x86_64 (default), linux-aarch64, macos-arm64, "
                 "macos-x86_64, windows-amd64")
      ->needs(site);
  cmd.add_option("--probe-timeout", t.probe_timeout_s,
                 "seconds to wait for the interpreter's answer (default 10)")
      ->check(CLI::PositiveNumber);
}

report::Color resolve_color(const std::string& choice) {
  if (choice == "always") {
    return report::Color::always;
  }
  if (choice == "never") {
    return report::Color::never;
  }
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') {
    return report::Color::never;
  }
  return isatty(STDOUT_FILENO) != 0 ? report::Color::always : report::Color::never;
}

int run_app(int argc, char** argv) {
  CLI::App app{"mlstack: one healthy Python environment for several deep-learning frameworks"};
  app.set_version_flag("--version", std::string(k_version));
  app.require_subcommand(1);

  CheckOptions check;
  auto* check_cmd = app.add_subcommand(
      "check", "verify installed packages have compatible dependencies (pip check, exactly)");
  add_target_options(*check_cmd, check.target);

  DoctorOptions doctor;
  std::string color = "auto";
  auto* doctor_cmd = app.add_subcommand(
      "doctor", "report packages and their problems (terminal, or --json)");
  add_target_options(*doctor_cmd, doctor.target);
  doctor_cmd->add_flag("--json", doctor.json, "print the mlstack.doctor/1 JSON report");
  doctor_cmd->add_option("--kb", doctor.kb_files,
                         "add a knowledge-base TOML file (repeatable; docs/kb.md)");
  doctor_cmd->add_option("--nvml-library", doctor.nvml_library,
                         "NVML library to load (default libnvidia-ml.so.1; env "
                         "MLSTACK_NVML_LIBRARY)");
  bool no_gpu = false;
  doctor_cmd->add_flag("--no-gpu", no_gpu,
                       "do not probe this machine's driver and GPUs (for a --site copied "
                       "from another machine)");
  doctor_cmd->add_option("--color", color, "auto (default; honours NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  doctor_cmd->add_option("-o,--output", doctor.output, "write the report to FILE");

  ArchsOptions archs;
  auto* archs_cmd = app.add_subcommand(
      "archs", "list the CUDA architectures compiled into shared objects (cuobjdump --list-elf)");
  archs_cmd->add_option("files", archs.files, "ELF files (.so, executables, objects)")
      ->required();
  archs_cmd->add_flag("--json", archs.json, "print a JSON array, one object per file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "mlstack: error: " << e.what() << "\nhint: run `mlstack --help`\n";
    return static_cast<int>(ExitCode::usage_error);
  }

  if (archs_cmd->parsed()) {
    return static_cast<int>(run_archs(archs, std::cout, std::cerr));
  }
  if (check_cmd->parsed()) {
    return static_cast<int>(run_check(check, std::cout, std::cerr));
  }
  doctor.color = resolve_color(color);
  doctor.gpu = no_gpu ? GpuProbe::skip : GpuProbe::automatic;
  if (!doctor.output.empty()) {
    std::ofstream file(doctor.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << fmt::format("mlstack: error: cannot write `{}`\n", doctor.output);
      return static_cast<int>(ExitCode::usage_error);
    }
    doctor.color = report::Color::never;
    return static_cast<int>(run_doctor(doctor, file, std::cerr));
  }
  return static_cast<int>(run_doctor(doctor, std::cout, std::cerr));
}

// mlstack is a short-lived process that reads many files of up to a few MB (RECORD, METADATA):
// with glibc's defaults each large buffer is a fresh mmap, touched page by page and unmapped
// again. Keeping them on the heap instead saves ~20 % of doctor's time (fewer page faults).
void tune_allocator() noexcept {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
#endif
}

}  // namespace

int run(int argc, char** argv) {
  tune_allocator();
  try {
    return run_app(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "mlstack: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "mlstack: internal error: unknown exception\n";
  }
  return static_cast<int>(ExitCode::internal_error);
}

}  // namespace mlstack::cli
