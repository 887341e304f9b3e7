// SPDX-License-Identifier: MIT
#include "mlstack/cli/run.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "mlstack/cli/archs_command.hpp"
#include "mlstack/cli/compare_command.hpp"
#include "mlstack/cli/commands.hpp"
#include "mlstack/cli/plan_command.hpp"
#include "mlstack/cli/image_command.hpp"
#include "mlstack/base/text.hpp"
#include "mlstack/cli/exit_code.hpp"
#include "mlstack/cli/run_command.hpp"
#include "mlstack/version.hpp"

namespace mlstack::cli {
namespace {

constexpr double k_min_probe_timeout_s = 0.001;
constexpr double k_max_probe_timeout_s = 86400;

// A number of seconds from `min` to `max`; CLI11 prefixes the option's name.
std::string check_seconds(const std::string& text, double min, double max) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value) || value < min || value > max) {
    return fmt::format("expected a number of seconds from {} to {}, found `{}`", min, max,
                       text::escape_controls(text));
  }
  return {};
}

// `--probe-timeout`: 1 ms to one day.
std::string check_probe_timeout(const std::string& text) {
  return check_seconds(text, k_min_probe_timeout_s, k_max_probe_timeout_s);
}

// `doctor --timeout`: 0.1 s to 55 s (Slurm kills its HealthCheckProgram at 60 s).
std::string check_healthcheck_timeout(const std::string& text) {
  return check_seconds(text, 0.1, 55);
}

// `check` also takes --python-version / --platform with --report / --lock (run_check checks
// that one of the three is there).
void add_target_options(CLI::App& cmd, TargetOptions& t, bool version_needs_site = true) {
  auto* python = cmd.add_option("--python", t.python,
                                "interpreter whose environment to inspect (default: python3 "
                                "on PATH)");
  auto* site = cmd.add_option("--site", t.sites,
                              "inspect a site-packages folder without an interpreter "
                              "(repeatable; first wins)")
                   ->allow_extra_args(false);
  python->excludes(site);
  auto* version = cmd.add_option("--python-version", t.python_version,
                                 "with --site: the Python version for markers and tags "
                                 "(default: the `pythonX.Y` folder the site is in, else 3.12)");
  auto* platform = cmd.add_option("--platform", t.platform,
                                  "with --site: linux-x86_64 (default), linux-aarch64, "
                                  "macos-arm64, macos-x86_64, windows-amd64");
  if (version_needs_site) {
    version->needs(site);
    platform->needs(site);
  }
  // A root file system instead of this machine's (target.cpp): `--python` then names an
  // interpreter inside it.
  auto* root = cmd.add_option("--root", t.root,
                              "inspect an unpacked root file system (a container's rootfs, a "
                              "node's / mounted at /host); --python names an interpreter in it");
  auto* image = cmd.add_option("--image", t.image,
                               "inspect an image archive in place (docker save / "
                               "docker-archive, OCI archive or layout), without an engine and "
                               "without unpacking it");
  root->excludes(image);
  root->excludes(site);
  image->excludes(site);
  cmd.add_option("--probe-timeout", t.probe_timeout_s,
                 "seconds to wait for the interpreter's answer (default 10) and, with "
                 "doctor --probe, for each probe (default 120)")
      ->check(CLI::Validator(check_probe_timeout, "SECONDS"));
}

// The text report's width: on a terminal, COLUMNS when set (as shells set it), else the
// window's columns; piped or written to a file, 100, so that the output does not depend on a
// window. Within 60 to 1000.
std::size_t resolve_width() {
  constexpr std::size_t k_default = 100;
  if (isatty(STDOUT_FILENO) == 0) {
    return k_default;
  }
  std::size_t width = 0;
  if (const char* env = std::getenv("COLUMNS"); env != nullptr) {
    const std::string_view v(env);
    std::size_t n = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc() && ptr == v.data() + v.size()) {
      width = n;
    }
  }
  if (width == 0) {
    winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
      width = ws.ws_col;
    }
  }
  return width == 0 ? k_default : std::clamp<std::size_t>(width, 60, 1000);
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

constexpr std::array<std::string_view, 7> k_commands = {"check", "doctor", "archs", "plan",
                                                           "image", "run", "compare"};

ExitCode usage_error(std::string_view message, std::string_view help) {
  std::cerr << fmt::format("mlstack: error: {}\nhint: run `{} --help`\n", message, help);
  return ExitCode::usage_error;
}

// The command word: the first argument that is not an option. An unknown one is refused
// before CLI11 parses (which would only say that a subcommand is required), with the
// nearest command suggested; none at all names the commands.
std::optional<ExitCode> check_command_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      break;
    }
    if (arg.starts_with("-")) {
      if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "--version") {
        return std::nullopt;  // CLI11 answers these
      }
      continue;
    }
    if (std::find(k_commands.begin(), k_commands.end(), arg) != k_commands.end()) {
      return std::nullopt;
    }
    const std::vector<std::string_view> commands(k_commands.begin(), k_commands.end());
    const std::string_view near = text::closest(arg, commands, 2);
    const std::string shown = text::escape_controls(arg);
    if (!near.empty()) {
      std::cerr << fmt::format("mlstack: error: unknown command `{}`; did you mean `{}`?\n",
                               shown, near);
      return ExitCode::usage_error;
    }
    return usage_error(fmt::format("unknown command `{}`: expected `check`, `doctor`, `archs`, "
                                   "`plan`, `image`, `run` or `compare`",
                                   shown),
                       "mlstack");
  }
  return std::nullopt;
}

// What CLI11 left over (the subcommands allow extras, so that this message names them): an
// unknown option with the nearest of the command's own, or an unexpected argument.
std::optional<ExitCode> check_extras(const CLI::App& cmd) {
  const std::vector<std::string> extras = cmd.remaining();
  if (extras.empty()) {
    return std::nullopt;
  }
  const std::string help = "mlstack " + cmd.get_name();
  const std::string_view first = extras.front();
  const std::string shown = text::escape_controls(first);
  if (!first.starts_with("-") || first == "-") {
    return usage_error(fmt::format("unexpected argument `{}` for `{}`", shown, help), help);
  }
  std::vector<std::string> names;
  for (const CLI::Option* o : cmd.get_options()) {
    for (const std::string& n : o->get_lnames()) {
      names.push_back("--" + n);
    }
  }
  const std::vector<std::string_view> views(names.begin(), names.end());
  const std::string_view word = first.substr(0, first.find('='));
  const std::string_view near = text::closest(word, views, 3);
  if (!near.empty()) {
    std::cerr << fmt::format("mlstack: error: unknown option `{}` for `{}`; did you mean `{}`?\n",
                             text::escape_controls(word), help, near);
    return ExitCode::usage_error;
  }
  return usage_error(fmt::format("unknown option `{}` for `{}`", text::escape_controls(word), help),
                     help);
}

int run_app(int argc, char** argv) {
  CLI::App app{"mlstack: one healthy Python environment for several deep-learning frameworks"};
  app.set_version_flag("--version", std::string(k_version));
  app.require_subcommand(1);
  if (const auto refused = check_command_word(argc, argv)) {
    return static_cast<int>(*refused);
  }

  CheckOptions check;
  auto* check_cmd = app.add_subcommand(
      "check", "verify installed packages have compatible dependencies (pip check, exactly)");
  add_target_options(*check_cmd, check.target, /*version_needs_site=*/false);
  check_cmd->add_option("--report", check.report_file,
                        "check pip's installation report (pip install --dry-run --report FILE) "
                        "instead of an environment (docs/check-inputs.md)");
  check_cmd->add_option("--lock", check.lock_file,
                        "check a PEP 751 lock file (pylock.toml) instead of an environment "
                        "(docs/check-inputs.md)");

  DoctorOptions doctor;
  std::string color = "auto";
  auto* doctor_cmd = app.add_subcommand(
      "doctor", "report packages and their problems (terminal, --json or --format)");
  add_target_options(*doctor_cmd, doctor.target);
  doctor_cmd->add_flag("--json", doctor.json, "print the mlstack.doctor/2 JSON report (docs/doctor.schema.json)");
  doctor_cmd->add_flag("--strict", doctor.strict,
                       "exit 1 on warnings too, not only on errors (for CI gates)");
  doctor_cmd->add_option("--kb", doctor.kb_files,
                         "add a knowledge-base TOML file (repeatable; docs/kb.md)")
      ->allow_extra_args(false);
  doctor_cmd->add_option("--nvml-library", doctor.nvml_library,
                         "NVML library to load (default libnvidia-ml.so.1; env "
                         "MLSTACK_NVML_LIBRARY)");
  bool no_gpu = false;
  doctor_cmd->add_flag("--no-gpu", no_gpu,
                       "do not probe this machine's driver and GPUs (for a --site copied "
                       "from another machine)");
  doctor_cmd->add_option("--color", color, "auto (default; honours NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  std::string format_name;
  auto* format =
      doctor_cmd
          ->add_option("--format", format_name,
                       "text (default), json (as --json), prometheus (node-exporter's textfile "
                       "collector), nfd (a Node Feature Discovery feature file), junit (one test "
                       "case per check, for CI), html (the page --html writes); docs/formats.md")
          ->check(CLI::IsMember({"text", "json", "prometheus", "nfd", "junit", "html"}));
  format->excludes(doctor_cmd->get_option("--json"));
  auto* output = doctor_cmd->add_option(
      "-o,--output", doctor.output,
      "write the report to FILE, atomically (a temporary file renamed over FILE)");
  auto* healthcheck = doctor_cmd->add_flag(
      "--healthcheck", doctor.healthcheck,
      "print one status line (`healthy` or the first error) and exit 0 or 1, for a container "
      "HEALTHCHECK, a Kubernetes exec probe or Slurm's HealthCheckProgram; --strict counts "
      "warnings");
  healthcheck->excludes(output);
  healthcheck->excludes(doctor_cmd->add_option(
      "--html", doctor.html, "also write the report as one self-contained HTML page to FILE"));
  healthcheck->excludes(format);
  doctor_cmd
      ->add_option("--expiry", doctor.nfd_expiry_s,
                   "with --format nfd: NFD drops the labels this many seconds after the run "
                   "(default 600: twice a 5-minute period)")
      ->check(CLI::Range(std::int64_t{60}, std::int64_t{366} * 86400));
  healthcheck->excludes(doctor_cmd->get_option("--json"));
  auto* probe = doctor_cmd->add_flag(
      "--probe", doctor.probe,
      "also import each framework alone and each pair in both orders in child processes of "
      "the interpreter: versions, devices, libraries really mapped (docs/probe.md)");
  probe->excludes(healthcheck);
  probe->excludes(doctor_cmd->get_option("--site"));
  probe->excludes(doctor_cmd->get_option("--root"));
  probe->excludes(doctor_cmd->get_option("--image"));
  doctor_cmd->add_flag("--probe-gpu", doctor.probe_gpu,
                       "with --probe: also list JAX's and CuPy's devices (creates a CUDA "
                       "context on each GPU)")
      ->needs(probe);
  doctor_cmd->add_option("--probe-jobs", doctor.probe_jobs,
                         "with --probe: probes run at once (default: the CPUs)")
      ->check(CLI::Range(1, 1024))
      ->needs(probe);
  doctor_cmd
      ->add_option("--timeout", doctor.healthcheck_timeout_s,
                   "with --healthcheck: answer `unhealthy` after this many seconds (default 20; "
                   "Slurm kills its health check at 60)")
      ->check(CLI::Validator(check_healthcheck_timeout, "SECONDS"))
      ->needs(healthcheck);

  ArchsOptions archs;
  auto* archs_cmd = app.add_subcommand(
      "archs", "list the CUDA architectures compiled into shared objects (cuobjdump --list-elf)");
  archs_cmd->add_option("files", archs.files, "ELF files (.so, executables, objects)")
      ->required();
  archs_cmd->add_flag("--json", archs.json, "print a JSON array, one object per file");
  PlanOptions plan;
  auto* plan_cmd = app.add_subcommand(
      "plan", "choose framework releases, CUDA variants, pins and the driver floor for a spec");
  plan_cmd->add_option("spec", plan.spec, "the spec file (mlstack.toml, docs/spec.md)")->required();
  plan_cmd->add_flag("--json", plan.json, "print the mlstack.plan/1 JSON document");
  plan_cmd->add_flag("--no-resolve", plan.no_resolve,
                     "stop after the framework choice and its reasons (no resolver run)");
  plan_cmd->add_option("--index-url", plan.index_url, "the resolver's index (else its own configuration)");
  plan_cmd->add_option("--extra-index-url", plan.extra_index_urls, "one more index (repeatable)")
      ->allow_extra_args(false);
  plan_cmd->add_option("--find-links", plan.find_links, "a find-links location (repeatable)")
      ->allow_extra_args(false);
  plan_cmd->add_flag("--no-index", plan.no_index, "resolve from the find-links locations only");
  ImageOptions image_options;
  auto* image_cmd = add_image_command(app, image_options);
  CompareOptions compare_options;
  auto* compare_cmd = add_compare_command(app, compare_options);
  for (CLI::App* cmd : {check_cmd, doctor_cmd, archs_cmd, plan_cmd, image_cmd, compare_cmd}) {
    cmd->allow_extras();
  }

  RunOptions run_options;
  auto* run_cmd = app.add_subcommand(
      "run", "run a command with the environment's GPU frameworks set up to share one GPU "
             "(mlstack run [options] -- CMD...)");
  run_cmd->add_option("--python", run_options.target.python,
                      "interpreter whose environment's frameworks are set up (default: python3 "
                      "on PATH)");
  run_cmd->add_option("--probe-timeout", run_options.target.probe_timeout_s,
                      "seconds to wait for the interpreter's answer (default 10) and, with "
                 "doctor --probe, for each probe (default 120)")
      ->check(CLI::Validator(check_probe_timeout, "SECONDS"));
  run_cmd->add_option("--share", run_options.shares,
                      "hard caps, FW=FRACTION of each GPU's memory, comma-separated "
                      "(torch, tensorflow, jax, cupy; at most 1 in all)")
      ->allow_extra_args(false);
  auto* print_env = run_cmd->add_flag("--print-env", run_options.print_env,
                                      "print the settings instead of running a command");
  run_cmd->add_option("--format", run_options.format, "with --print-env: sh (default), dockerfile, json")
      ->check(CLI::IsMember({"sh", "dockerfile", "json"}))
      ->needs(print_env);
  run_cmd->add_option("--shim-dir", run_options.shim_dir,
                      "folder of the sitecustomize shim (default: ~/.cache/mlstack/shim-<hash>; "
                      "/opt/mlstack/shim for --format dockerfile)");
  run_cmd->add_option("--write-shim", run_options.write_shim,
                      "write the shim's sitecustomize.py into DIR and exit (image builds)");
  run_cmd->add_option("--nvml-library", run_options.nvml_library,
                      "NVML library to load for --share tensorflow (default libnvidia-ml.so.1)");
  // Everything from the first argument that is not an option on (or after `--`) is the
  // command's: `mlstack run python -c ...` passes `-c` on.
  run_cmd->prefix_command();
  run_cmd->allow_extras();

  // `mlstack run [options] -- CMD...`: what follows `--` is the command's, untouched by CLI11.
  std::vector<std::string> after_dashes;
  bool dashes = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "run") {
      for (int j = i + 1; j < argc; ++j) {
        if (std::string_view(argv[j]) == "--") {
          after_dashes.assign(argv + j + 1, argv + argc);
          dashes = true;
          argc = j;
          break;
        }
      }
      break;
    }
    if (!std::string_view(argv[i]).starts_with("-")) {
      break;  // another command
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const auto parsed = app.get_subcommands();
    if (parsed.empty()) {
      return static_cast<int>(
          usage_error("expected a command: `check`, `doctor`, `archs`, `plan`, `image`, `run` or `compare`", "mlstack"));
    }
    const std::string help = "mlstack " + parsed.front()->get_name();
    if (parsed.front() == archs_cmd && archs.files.empty()) {
      return static_cast<int>(usage_error("expected one or more ELF files", help));
    }
    if (parsed.front() == compare_cmd && compare_options.b.empty()) {
      return static_cast<int>(usage_error("expected two files or folders: mlstack compare A B", help));
    }
    if (parsed.front() == plan_cmd && plan.spec.empty()) {
      return static_cast<int>(usage_error("expected a spec file (mlstack.toml)", help));
    }
    return static_cast<int>(usage_error(text::escape_controls(e.what()), help));
  }
  for (const CLI::App* cmd : {check_cmd, doctor_cmd, archs_cmd, plan_cmd, image_cmd, compare_cmd}) {
    if (cmd->parsed()) {
      if (const auto refused = check_extras(*cmd)) {
        return static_cast<int>(*refused);
      }
    }
  }

  if (compare_cmd->parsed()) {
    return static_cast<int>(run_compare(compare_options, std::cout, std::cerr));
  }
  if (plan_cmd->parsed()) {
    return static_cast<int>(run_plan(plan, std::cout, std::cerr));
  }
  if (image_cmd->parsed()) {
    return static_cast<int>(run_image(image_options, std::cout, std::cerr));
  }
  if (run_cmd->parsed()) {
    run_options.command = run_cmd->remaining();
    if (!run_options.command.empty() && run_options.command.front().starts_with("-")) {
      return static_cast<int>(*check_extras(*run_cmd));  // an unknown option of run's
    }
    if (dashes) {
      if (!run_options.command.empty()) {  // `mlstack run python -- x`: all of it the command's
        run_options.command.push_back("--");
      }
      run_options.command.insert(run_options.command.end(), after_dashes.begin(),
                                 after_dashes.end());
    }
    const bool no_command = run_options.print_env || !run_options.write_shim.empty();
    if (no_command && !run_options.command.empty()) {
      return static_cast<int>(usage_error(
          "--print-env and --write-shim run nothing: leave the command out", "mlstack run"));
    }
    if (!no_command && run_options.command.empty()) {
      return static_cast<int>(usage_error("expected a command after `--`: mlstack run -- CMD...",
                                          "mlstack run"));
    }
    return run_run(run_options, std::cout, std::cerr);
  }

  if (archs_cmd->parsed()) {
    return static_cast<int>(run_archs(archs, std::cout, std::cerr));
  }
  if (check_cmd->parsed()) {
    return static_cast<int>(run_check(check, std::cout, std::cerr));
  }
  doctor.gpu = no_gpu ? GpuProbe::skip : GpuProbe::automatic;
  if (doctor_cmd->get_option("--probe-timeout")->count() > 0) {
    doctor.probe_timeout_s = doctor.target.probe_timeout_s;  // else 120 s for each probe
  }
  if (!doctor.json && !format_name.empty()) {
    doctor.format = parse_doctor_format(format_name).value_or(DoctorFormat::text);
  }
  doctor.json = doctor.json || doctor.format == DoctorFormat::json;
  doctor.format = doctor.json ? DoctorFormat::json : doctor.format;
  if (doctor_cmd->get_option("--expiry")->count() > 0 && doctor.format != DoctorFormat::nfd) {
    return static_cast<int>(usage_error("`--expiry` needs `--format nfd`", "mlstack doctor"));
  }
  doctor.started_s = run_started_s();
  if (doctor.healthcheck) {
    arm_healthcheck_deadline(doctor.healthcheck_timeout_s);
    return static_cast<int>(run_healthcheck(doctor, std::cout));
  }
  doctor.color = resolve_color(color);
  doctor.width = resolve_width();
  if (!doctor.output.empty()) {
    doctor.color = report::Color::never;
    doctor.width = 100;
    std::ostringstream text;
    const ExitCode code = run_doctor(doctor, text, std::cerr);
    if (code == ExitCode::usage_error) {
      return static_cast<int>(code);  // no report: the file keeps what it had
    }
    if (auto written = write_output(doctor.output, text.str()); !written) {
      std::cerr << "mlstack: error: " << text::escape_controls(render(written.error())) << '\n';
      return static_cast<int>(ExitCode::usage_error);
    }
    return static_cast<int>(code);
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

// `doctor --healthcheck` on the command line (before any `--`): its callers know 0 and 1 only
// (Docker reserves 2), so every failure, a bad command line included, is 1.
bool asks_healthcheck(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      return false;
    }
    if (arg == "--healthcheck") {
      return true;
    }
  }
  return false;
}

int run_guarded(int argc, char** argv) {
  try {
    return run_app(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "mlstack: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "mlstack: internal error: unknown exception\n";
  }
  return static_cast<int>(ExitCode::internal_error);
}

}  // namespace

int run(int argc, char** argv) {
  tune_allocator();
  const int code = run_guarded(argc, argv);
  if (code != 0 && asks_healthcheck(argc, argv)) {
    return static_cast<int>(ExitCode::problems_found);
  }
  return code;
}

}  // namespace mlstack::cli
