// SPDX-License-Identifier: MIT
#include "mlstack/cli/image_command.hpp"
#include "mlstack/cli/plan_command.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <ostream>
#include <system_error>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "mlstack/base/text.hpp"
#include "mlstack/image/bundle.hpp"
#include "mlstack/image/lock_requirements.hpp"
#include "mlstack/image/render.hpp"
#include "mlstack/io/file_system.hpp"
#include "mlstack/kb/kb.hpp"
#include "mlstack/launch/plan.hpp"
#include "mlstack/plan/plan.hpp"
#include "mlstack/resolve/resolver.hpp"
#include "mlstack/spec/spec.hpp"
#include "mlstack/tensors/onnx_plugin.hpp"
#include "mlstack/version.hpp"

namespace mlstack::cli {
namespace {

namespace fs = std::filesystem;

ExitCode fail(std::ostream& err, const std::string& message) {
  err << "mlstack: error: " << text::escape_controls(message) << '\n';
  return ExitCode::usage_error;
}

// `KEY=VALUE` → the pair; false when there is no `=` or the key is empty.
bool split_pair(const std::string& text, image::KeyValue& out) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return false;
  }
  out = {text.substr(0, eq), text.substr(eq + 1)};
  return true;
}

Result<std::vector<std::string>> read_lines(const std::string& path) {
  const io::RealFileSystem fs;
  auto text = io::read_text(fs, path);
  if (!text) {
    return unexpected(std::move(text).error());
  }
  std::vector<std::string> lines;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    lines.emplace_back(line);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  }
  // The header comment mlstack writes is not carried into a second run's output twice.
  while (!lines.empty() && lines.front().starts_with("# ") &&
         lines.front().find("written by `mlstack image`") != std::string::npos) {
    lines.erase(lines.begin());
  }
  return lines;
}

// The spec → plan step of `mlstack plan` (read_spec_plan), for `mlstack image SPEC`: a plan
// with collisions is an error here.
std::optional<plan::Plan> read_plan(const std::string& path, std::ostream& err, ExitCode& code) {
  std::optional<plan::Plan> p = read_spec_plan(path, err, code);
  if (!p) {
    return std::nullopt;
  }
  if (!p->ok()) {
    err << fmt::format("mlstack: error: no plan for {}: {} constraint collision{} (`mlstack plan "
                       "{}` lists them)\n",
                       text::escape_controls(path), p->collisions.size(),
                       p->collisions.size() == 1 ? "" : "s", text::escape_controls(path));
    code = ExitCode::no_plan;
    return std::nullopt;
  }
  return p;
}

// The lowest version a planned requirement allows: `tensorflow==2.9.*,>=2.9.1` → `2.9.1`,
// `torch==1.12.1+cu113` → `1.12.1+cu113`, `==2.9.*` → `2.9`; empty when there is none.
std::string planned_version(std::string_view requirement) {
  for (std::string_view op : {">=", "=="}) {
    const std::size_t at = requirement.find(op);
    if (at == std::string_view::npos) {
      continue;
    }
    std::string_view v = requirement.substr(at + 2);
    v = v.substr(0, v.find_first_of(",; "));
    if (v.ends_with(".*")) {
      v.remove_suffix(2);
    }
    return std::string(v);
  }
  return {};
}

// The memory-sharing environment of a variant's frameworks when the spec asks for growth:
// what `mlstack run --print-env` sets for those framework versions (memory.toml's `[[launch]]`
// rows), without `--share` caps (they need the shim at run time: `mlstack run --share`).
std::vector<image::KeyValue> memory_env(const launch::PlanInput& input) {
  std::vector<image::KeyValue> env;
  // memory.toml's rows, read once for all variants.
  static const auto kb = kb::load_embedded_kb_file("data/kb/memory.toml");
  if (!kb) {
    return env;
  }
  auto settings = launch::plan_launch(input, kb->launch);
  if (!settings) {
    return env;
  }
  for (const launch::Setting& s : settings->settings) {
    if (s.framework != "mlstack" && !s.value.empty()) {
      env.push_back({s.name, s.value});
    }
  }
  return env;
}

std::vector<image::KeyValue> memory_env(const plan::Plan& p, const plan::VariantPlan& vp) {
  if (!p.memory.growth) {
    return {};
  }
  launch::PlanInput input;
  for (const std::string& fw : vp.frameworks) {
    for (const plan::FrameworkChoice& choice : p.frameworks) {
      if (choice.framework == fw) {
        input.installed.push_back({fw, fw, planned_version(choice.requirement)});
      }
    }
  }
  return memory_env(input);
}

// The frameworks a requirements file pins (`torch==1.12.1`, also in a lock's continued lines).
std::vector<image::KeyValue> memory_env(const std::vector<std::string>& requirements) {
  launch::PlanInput input;
  for (const std::string& line : requirements) {
    for (std::string_view fw : {"tensorflow", "torch", "jax", "cupy"}) {
      const std::string pinned = std::string(fw) + "==";
      if (line.starts_with(pinned)) {
        input.installed.push_back({std::string(fw), std::string(fw), planned_version(line)});
      }
    }
  }
  return memory_env(input);
}

// A plan's choices as an image request: the variant named `base` is the base image (its
// requirements join the shared pins), every other one an image FROM it with the planned pins.
image::ImageRequest request_from_plan(const plan::Plan& p, const std::string& name,
                                      const std::string& base) {
  image::ImageRequest r;
  r.name = name;
  r.base_image = base.empty() ? p.base.image : base;
  r.python = p.base.python;
  r.nvidia_require_cuda = p.driver.require_cuda;
  for (const plan::SharedPin& pin : p.pins) {
    r.shared_pins.push_back(pin.requirement);
  }
  for (const plan::VariantPlan& vp : p.variants) {
    if (vp.name == "base") {
      for (const plan::Requirement& req : vp.requirements) {
        if (std::find(r.shared_pins.begin(), r.shared_pins.end(), req.text) ==
            r.shared_pins.end()) {
          r.shared_pins.push_back(req.text);
        }
      }
      continue;
    }
    image::Variant v;
    v.name = vp.name;
    v.description = vp.frameworks.empty()
                        ? fmt::format("the `{}` variant", vp.name)
                        : fmt::format("{}", fmt::join(vp.frameworks, " + "));
    for (const plan::Requirement& req : vp.requirements) {
      v.requirements.push_back(req.text);
      if (!req.index_url.empty() && std::find(v.index_urls.begin(), v.index_urls.end(),
                                              req.index_url) == v.index_urls.end()) {
        v.index_urls.push_back(req.index_url);
      }
    }
    v.env = memory_env(p, vp);
    r.variants.push_back(std::move(v));
  }
  return r;
}

// `text` with its control characters escaped, each line after the first indented by two.
std::string indented(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::string line = text.substr(start, nl == std::string::npos ? nl : nl - start);
    out += (start == 0 ? "" : "\n  ") + text::escape_controls(line);
    if (nl == std::string::npos) {
      break;
    }
    start = nl + 1;
  }
  return out;
}

// Replaces each variant's planned pins by its lock: the resolver (`uv pip compile`, else pip)
// for the images' Python on linux-x86_64, with the variant's indexes; the lock's packages go
// in with their hashes. A variant whose resolution fails keeps its planned pins (a warning);
// a resolution with problems (`mlstack check` on the lock) stops with exit 1.
std::optional<ExitCode> lock_variants(image::ImageRequest& request, std::ostream& err) {
  resolve::Target target;
  target.python_version = request.python;
  for (image::Variant& v : request.variants) {
    resolve::IndexOptions index;
    index.extra_index_urls = v.index_urls;
    index.find_links = v.find_links;
    auto resolution = resolve::resolve(v.requirements, target, index);
    if (!resolution) {
      err << fmt::format(
          "mlstack: warning: variant `{}` not resolved ({}): its requirements carry the "
          "planned pins, no lock\n  {}\n",
          v.name, resolve::to_string(resolve::failure_of(resolution.error())),
          indented(to_string(resolution.error()).substr(0, 400)));
      continue;
    }
    auto check = resolve::check_resolution(*resolution, target);
    if (check && !check->healthy) {
      err << fmt::format("mlstack: error: the resolution of variant `{}` has problems:\n", v.name);
      for (const std::string& line : check->lines) {
        err << "  " << text::escape_controls(line) << '\n';
      }
      return ExitCode::problems_found;
    }
    if (!resolution->lock) {
      err << fmt::format("mlstack: warning: variant `{}`: the resolver gave no pylock.toml (pip "
                         "report): its requirements carry the planned pins, no lock\n",
                         v.name);
      continue;
    }
    auto lines = image::requirements_from_lock(*resolution->lock);
    if (!lines) {
      err << fmt::format("mlstack: warning: variant `{}`: {}; its requirements carry the "
                         "planned pins\n",
                         v.name, text::escape_controls(to_string(lines.error())));
      continue;
    }
    v.requirements = std::move(*lines);
  }
  return std::nullopt;
}

}  // namespace

CLI::App* add_image_command(CLI::App& app, ImageOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "image", "write a layered image build (Dockerfiles, docker-bake.hcl, locks) to a folder");
  cmd->add_option("spec", o.spec, "the spec (mlstack.toml): planned as `mlstack plan` does");
  cmd->add_option("-o,--output", o.output, "the folder to write (the build context)")->required();
  cmd->add_option("--base", o.base, "the base image (overrides the spec's)");
  cmd->add_flag("--no-resolve", o.no_resolve,
                "requirements with the planned pins only (no resolver run, no lock)");
  cmd->add_option("--variant", o.variants,
                  "NAME=REQUIREMENTS: a variant and its lock or requirements file (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--shared", o.shared, "a requirements file of the pins every variant shares");
  cmd->add_option("--python-version", o.python, "the Python X.Y the base image provides");
  cmd->add_option("--name", o.name, "image name prefix (default mlstack: mlstack-base, ...)");
  cmd->add_option("--nvidia-require-cuda", o.nvidia_require_cuda,
                  "NVIDIA_REQUIRE_CUDA of the images (the driver constraint)");
  cmd->add_option("--env", o.env, "KEY=VALUE in every image's environment (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--label", o.labels, "KEY=VALUE label on every image (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--extra-index-url", o.index_urls, "an index every variant installs from too")
      ->allow_extra_args(false);
  cmd->add_option("--find-links", o.find_links, "a find-links location for every variant")
      ->allow_extra_args(false);
  cmd->add_flag("--no-bundle", o.no_bundle, "do not copy mlstack itself into the context");
  return cmd;
}

ExitCode run_image(const ImageOptions& o, std::ostream& out, std::ostream& err) {
  image::ImageRequest request;
  if (!o.spec.empty() && !o.variants.empty()) {
    return fail(err, "give a spec or `--variant NAME=FILE`s, not both");
  }
  if (!o.spec.empty()) {
    ExitCode code = ExitCode::healthy;
    const std::optional<plan::Plan> p = read_plan(o.spec, err, code);
    if (!p) {
      return code;
    }
    request = request_from_plan(*p, o.name, o.base);
    if (request.base_image.empty()) {
      return fail(err, fmt::format("{} names no base image: pass `--base IMAGE`", o.spec));
    }
    for (image::Variant& v : request.variants) {
      v.index_urls.insert(v.index_urls.end(), o.index_urls.begin(), o.index_urls.end());
      v.find_links = o.find_links;
    }
    if (!o.no_resolve) {
      if (const auto failed = lock_variants(request, err)) {
        return *failed;
      }
    }
  }
  if (o.spec.empty() && o.variants.empty()) {
    return fail(err, "expected a spec (mlstack.toml) or `--variant NAME=FILE` (one per image "
                     "besides the base)");
  }
  if (o.spec.empty() && o.base.empty()) {
    return fail(err, "expected `--base IMAGE`: the image the base Dockerfile starts FROM");
  }
  if (o.spec.empty()) {
    request.name = o.name;
    request.base_image = o.base;
  }
  request.mlstack_version = std::string(k_version);
  if (!o.nvidia_require_cuda.empty()) {
    request.nvidia_require_cuda = o.nvidia_require_cuda;
  }
  if (!o.python.empty()) {
    request.python = o.python;
  }
  for (const auto& [list, target] :
       {std::pair{&o.env, &request.env}, std::pair{&o.labels, &request.labels}}) {
    for (const std::string& text : *list) {
      image::KeyValue kv;
      if (!split_pair(text, kv)) {
        return fail(err, fmt::format("expected KEY=VALUE, found `{}`", text));
      }
      target->push_back(kv);
    }
  }
  if (!o.shared.empty()) {
    if (!o.spec.empty()) {
      return fail(err, "--shared is for `--variant` inputs; a spec's plan has its own pins");
    }
    auto lines = read_lines(o.shared);
    if (!lines) {
      return fail(err, to_string(lines.error()));
    }
    request.shared_pins = *lines;
  }
  for (const std::string& text : o.variants) {
    image::KeyValue kv;
    if (!split_pair(text, kv) || kv.value.empty()) {
      return fail(err, fmt::format("--variant: expected NAME=REQUIREMENTS_FILE, found `{}`", text));
    }
    auto lines = read_lines(kv.value);
    if (!lines) {
      return fail(err, to_string(lines.error()));
    }
    image::Variant v;
    v.name = kv.key;
    v.description = fmt::format("the `{}` variant of {}", kv.key, o.name);
    v.requirements = *lines;
    v.index_urls = o.index_urls;
    v.find_links = o.find_links;
    v.env = memory_env(v.requirements);
    request.variants.push_back(std::move(v));
  }

  auto files = image::render_context(request);
  if (!files) {
    return fail(err, to_string(files.error()));
  }
  for (const image::ContextFile& f : *files) {
    const std::string path = (fs::path(o.output) / f.path).string();
    if (auto ok = io::write_file_atomic(path, f.content); !ok) {
      return fail(err, to_string(ok.error()));
    }
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write |
                              fs::perms::group_read | fs::perms::others_read, ec);
  }
  std::string bundled;
  if (!o.no_bundle) {
    std::error_code ec;
    image::BundleSources sources;
    sources.executable = fs::read_symlink("/proc/self/exe", ec).string();
    // The ONNX reader plugin this mlstack would load, carried to lib/mlstack/.
    const auto candidates = tensors::onnx_plugin_candidates();
    for (const auto& c : candidates) {
      if (fs::is_regular_file(c, ec)) {
        sources.plugins.push_back(c);
        break;
      }
    }
    if (sources.plugins.empty()) {
      err << fmt::format("mlstack: warning: the ONNX reader plugin is in none of {}: the "
                         "image's mlstack will not read ONNX files\n",
                         fmt::join(candidates, ", "));
    }
    auto bundle = image::make_bundle(
        sources, (fs::path(o.output) / image::k_bundle_context_dir).string(),
        image::k_bundle_image_dir);
    if (!bundle) {
      return fail(err, to_string(bundle.error()));
    }
    std::string plugins;
    for (const auto& p : bundle->plugins) {
      plugins += fmt::format(", lib/mlstack/{}", p);
    }
    bundled = fmt::format("  {}/  mlstack{}{} and {}\n", image::k_bundle_context_dir,
                          bundle->stripped ? " (debug info stripped)" : "", plugins,
                          fmt::join(bundle->libraries, ", "));
  }
  out << fmt::format("wrote {}: {}-base and {} variant{}\n", o.output, o.name,
                     request.variants.size(), request.variants.size() == 1 ? "" : "s");
  for (const image::ContextFile& f : *files) {
    out << "  " << f.path << '\n';
  }
  out << bundled;
  out << "build without a daemon (buildah; docker format keeps HEALTHCHECK):\n";
  const std::string secrets =
      "--secret id=pipconf,src=/etc/pip.conf "
      "--secret id=pipcert,src=/etc/ssl/certs/ca-certificates.crt";
  const std::string dir = fs::path(o.output).lexically_normal().string();
  out << fmt::format("  buildah bud --isolation chroot --format docker {} -f {}/Dockerfile.base "
                     "-t {}-base {}\n",
                     secrets, dir, o.name, dir);
  for (const image::Variant& v : request.variants) {
    out << fmt::format("  buildah bud --isolation chroot --format docker {} -f {}/Dockerfile.{} "
                       "-t {}-{} {}\n",
                       secrets, dir, v.name, o.name, v.name, dir);
  }
  out << fmt::format("or with Docker, in {}: docker buildx bake\n", dir);
  return ExitCode::healthy;
}

}  // namespace mlstack::cli
