// SPDX-License-Identifier: MIT
#include "mlstack/image/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <string_view>

namespace mlstack::image {
namespace {

constexpr std::string_view k_venv = "/opt/venv";
constexpr std::string_view k_constraints = "/opt/mlstack/constraints.txt";

bool is_name(std::string_view s) {
  if (s.empty() || s.size() > 64 || !(std::islower(static_cast<unsigned char>(s[0])) ||
                                      std::isdigit(static_cast<unsigned char>(s[0])))) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::islower(u) || std::isdigit(u) || c == '.' || c == '_' || c == '-';
  });
}

bool is_env_key(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool is_label_key(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// requirements.txt's logical lines: a line ending in `\` continues on the next (uv and
// pip-compile write each hash on a line of its own); comments and blank lines are left out.
std::vector<std::string> logical_lines(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  std::string current;
  bool continued = false;
  for (const std::string& line : lines) {
    std::string_view body = line;
    const bool continues = !body.empty() && body.back() == '\\';
    if (continues) {
      body.remove_suffix(1);
    }
    const std::size_t first = body.find_first_not_of(" \t");
    const bool comment = first == std::string_view::npos || body[first] == '#';
    if (!comment || continued) {
      current += body;
      current += ' ';
    }
    continued = continues;
    if (!continues && !current.empty()) {
      if (current.find_first_not_of(" \t") != std::string::npos) {
        out.push_back(current);
      }
      current.clear();
    }
  }
  if (!current.empty() && current.find_first_not_of(" \t") != std::string::npos) {
    out.push_back(current);
  }
  return out;
}

Error bad(std::string what) { return make_error(ErrorCode::invalid_data, std::move(what)); }

// A Dockerfile string in double quotes: LABEL and ENV values (`$` would be expanded).
std::string dq(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\' || c == '$') {
      out += '\\';
    }
    out += c;
  }
  return out + '"';
}

// A JSON string, for the exec form of RUN and HEALTHCHECK.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + '"';
}

std::string exec_form(const std::vector<std::string>& argv) {
  std::string out = "[";
  for (std::size_t i = 0; i < argv.size(); ++i) {
    out += (i ? ", " : "") + json_string(argv[i]);
  }
  return out + "]";
}

// A POSIX shell word in single quotes.
std::string sq(std::string_view s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string header(const ImageRequest& r, std::string_view what) {
  return fmt::format(
      "# {}: written by `mlstack image` (mlstack {}); edit the spec, not this file.\n",
      what, r.mlstack_version.empty() ? "unknown" : r.mlstack_version);
}

// `LABEL a="x" \` lines, or `ENV` lines.
std::string instruction(std::string_view word, const std::vector<KeyValue>& pairs) {
  if (pairs.empty()) {
    return {};
  }
  std::string out;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    out += i == 0 ? fmt::format("{} ", word) : std::string(word.size() + 1, ' ');
    out += pairs[i].key + "=" + dq(pairs[i].value);
    out += i + 1 < pairs.size() ? " \\\n" : "\n";
  }
  return out;
}

// A RUN of pip with the builder's configuration as build secrets: /etc/pip.conf exists only
// during this step, and its certificate bundle (a private CA, a TLS-inspecting proxy's) is
// used through PIP_CERT when the `pipcert` secret is given.
std::string pip_run(const std::vector<std::string>& pip_args) {
  std::string out =
      "RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf \\\n"
      "    --mount=type=secret,id=pipcert,target=/run/secrets/pipcert \\\n"
      "    if [ -s /run/secrets/pipcert ]; then export PIP_CERT=/run/secrets/pipcert; fi && \\\n"
      "    ";
  out += fmt::format("{}/bin/python -m pip install --no-cache-dir --disable-pip-version-check",
                     k_venv);
  for (const std::string& a : pip_args) {
    out += " \\\n        " + a;
  }
  return out + "\n";
}

std::vector<std::string> source_args(const Variant& v) {
  std::vector<std::string> args;
  for (const std::string& url : v.index_urls) {
    args.push_back("--extra-index-url " + sq(url));
  }
  for (const std::string& link : v.find_links) {
    args.push_back("--find-links " + sq(link));
  }
  return args;
}

std::string requirements_file(const ImageRequest& r, std::string_view what,
                              const std::vector<std::string>& lines) {
  std::string out = header(r, what);
  for (const std::string& line : lines) {
    out += line + "\n";
  }
  return out;
}

std::string check_step() {
  return fmt::format("# A broken environment fails the build here.\nRUN {}\n",
                     exec_form({std::string(k_bundle_image_dir) + "/bin/mlstack", "check"}));
}

std::string base_dockerfile(const ImageRequest& r) {
  std::string out = header(r, "the base image");
  out += fmt::format("FROM {}\n", r.base_image);
  std::vector<KeyValue> labels = {
      {"org.opencontainers.image.title", r.name + "-base"},
      {"org.opencontainers.image.description",
       fmt::format("Python {}, mlstack and the shared pins of {}'s variants", r.python, r.name)},
      {"org.opencontainers.image.base.name", r.base_image},
      {"org.opencontainers.image.version", r.mlstack_version},
  };
  labels.insert(labels.end(), r.labels.begin(), r.labels.end());
  out += instruction("LABEL", labels);
  std::vector<KeyValue> env;
  if (!r.nvidia_require_cuda.empty()) {
    env.push_back({"NVIDIA_REQUIRE_CUDA", r.nvidia_require_cuda});
    env.push_back({"NVIDIA_VISIBLE_DEVICES", "all"});
    env.push_back({"NVIDIA_DRIVER_CAPABILITIES", "compute,utility"});
  }
  env.insert(env.end(), r.env.begin(), r.env.end());
  out += instruction("ENV", env);
  out += fmt::format(
      "# mlstack with the libraries it needs, so it runs on any x86-64 Linux base.\n"
      "COPY {}/ {}/\n"
      "RUN {}\n",
      k_bundle_context_dir, k_bundle_image_dir,
      exec_form({std::string(k_bundle_image_dir) + "/bin/mlstack", "--version"}));
  if (r.python.find('.') != std::string::npos) {
    out += fmt::format(
        "RUN {}\n",
        exec_form({r.python_command, "-c",
                   fmt::format("import sys; v = '%d.%d' % sys.version_info[:2]; sys.exit(0 if v "
                               "== '{0}' else 'the base image has Python ' + v + ', the spec "
                               "wants {0}')",
                               r.python)}));
  }
  out += fmt::format(
      "# One virtual environment over the base's Python (its packages stay visible).\n"
      "RUN {}\n"
      "ENV VIRTUAL_ENV=\"{}\" \\\n"
      "    PATH=\"{}/bin:{}/bin:${{PATH}}\"\n",
      exec_form({r.python_command, "-m", "venv", "--system-site-packages", std::string(k_venv)}),
      k_venv, k_venv, k_bundle_image_dir);
  out += fmt::format("COPY requirements/shared.txt {}\n", k_constraints);
  if (!r.shared_pins.empty()) {
    std::vector<std::string> args;
    if (is_hashed(r.shared_pins)) {
      args = {"--require-hashes", "--no-deps"};
    }
    args.push_back(fmt::format("-r {}", k_constraints));
    out += pip_run(args);
  }
  out += check_step();
  std::string options = "--interval=5m --timeout=50s --start-period=1m --retries=3";
  out += fmt::format("HEALTHCHECK {} \\\n    CMD {}\n", options, exec_form(r.healthcheck));
  return out;
}

std::string variant_dockerfile(const ImageRequest& r, const Variant& v) {
  std::string out = header(r, fmt::format("the `{}` variant", v.name));
  out += fmt::format("FROM {}-base\n", r.name);
  std::vector<KeyValue> labels = {
      {"org.opencontainers.image.title", r.name + "-" + v.name},
      {"org.opencontainers.image.description", v.description},
      {"org.opencontainers.image.base.name", r.name + "-base"},
  };
  labels.insert(labels.end(), r.labels.begin(), r.labels.end());
  labels.push_back({"io.mlstack.variant", v.name});
  out += instruction("LABEL", labels);
  out += instruction("ENV", v.env);
  const std::string path = fmt::format("/opt/mlstack/requirements/{}.txt", v.name);
  out += fmt::format("COPY requirements/{}.txt {}\n", v.name, path);
  std::vector<std::string> args;
  if (is_hashed(v.requirements)) {
    out += "# A complete lock: exactly these files, each checked against its hash.\n";
    args = {"--require-hashes", "--no-deps"};
  } else if (!r.shared_pins.empty()) {
    args = {fmt::format("-c {}", k_constraints)};
  }
  const std::vector<std::string> sources = source_args(v);
  args.insert(args.end(), sources.begin(), sources.end());
  args.push_back("-r " + path);
  out += pip_run(args);
  out += check_step();
  return out;
}

std::string hcl_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i ? ", " : "") + json_string(items[i]);
  }
  return out + "]";
}

std::string bake_file(const ImageRequest& r) {
  std::string out = header(r, "docker buildx bake");
  out +=
      "# `docker buildx bake` builds every variant; pip's configuration goes in as build\n"
      "# secrets (PIP_CONF, PIP_CERT), never into a layer.\n"
      "variable \"PIP_CONF\" {\n  default = \"/etc/pip.conf\"\n}\n\n"
      "variable \"PIP_CERT\" {\n  default = \"/etc/ssl/certs/ca-certificates.crt\"\n}\n\n";
  std::vector<std::string> names;
  for (const Variant& v : r.variants) {
    names.push_back(v.name);
  }
  out += fmt::format("group \"default\" {{\n  targets = {}\n}}\n\n", hcl_list(names));
  out +=
      "target \"_common\" {\n  context = \".\"\n"
      "  secret = [\"id=pipconf,src=${PIP_CONF}\", \"id=pipcert,src=${PIP_CERT}\"]\n}\n\n";
  out += fmt::format(
      "target \"base\" {{\n  inherits = [\"_common\"]\n  dockerfile = \"Dockerfile.base\"\n"
      "  tags = [\"{}-base\"]\n}}\n",
      r.name);
  for (const Variant& v : r.variants) {
    out += fmt::format(
        "\ntarget \"{1}\" {{\n  inherits = [\"_common\"]\n  dockerfile = \"Dockerfile.{1}\"\n"
        "  contexts = {{\n    \"{0}-base\" = \"target:base\"\n  }}\n  tags = [\"{0}-{1}\"]\n}}\n",
        r.name, v.name);
  }
  return out;
}

Result<bool> validate_lines(const std::vector<std::string>& lines, std::string_view where) {
  for (const std::string& line : lines) {
    if (has_control(line)) {
      return unexpected(bad(fmt::format("{}: a requirement line has a control character", where)));
    }
  }
  std::size_t hashed = 0;
  std::size_t total = 0;
  for (const std::string& line : logical_lines(lines)) {
    const std::size_t first = line.find_first_not_of(" \t");
    if (line.compare(first, 1, "-") == 0) {
      continue;  // an option line (`--index-url`, `-c`): no requirement
    }
    ++total;
    if (line.find("--hash=") != std::string::npos) {
      ++hashed;
    }
  }
  if (hashed != 0 && hashed != total) {
    return unexpected(bad(fmt::format(
        "{}: {} of {} requirements have hashes; a lock needs one on every line", where, hashed,
        total)));
  }
  return true;
}

Result<bool> validate_pairs(const std::vector<KeyValue>& pairs, bool env, std::string_view where) {
  for (const KeyValue& kv : pairs) {
    if (env ? !is_env_key(kv.key) : !is_label_key(kv.key)) {
      return unexpected(bad(fmt::format("{}: `{}` is not a valid {} name", where, kv.key,
                                        env ? "environment variable" : "label")));
    }
    if (has_control(kv.value)) {
      return unexpected(
          bad(fmt::format("{}: the value of `{}` has a control character", where, kv.key)));
    }
  }
  return true;
}

Result<bool> validate(const ImageRequest& r) {
  if (!is_name(r.name)) {
    return unexpected(bad(fmt::format(
        "image name `{}`: expected lowercase letters, digits, `.`, `_` or `-`", r.name)));
  }
  if (r.base_image.empty() || has_control(r.base_image) ||
      r.base_image.find(' ') != std::string::npos) {
    return unexpected(bad(fmt::format("base image `{}`: expected an image reference",
                                      r.base_image)));
  }
  for (const std::string* s : {&r.python, &r.python_command, &r.mlstack_version,
                               &r.nvidia_require_cuda}) {
    if (has_control(*s)) {
      return unexpected(bad("a field of the image request has a control character"));
    }
  }
  if (r.healthcheck.empty()) {
    return unexpected(bad("the health check command is empty"));
  }
  for (auto check : {validate_pairs(r.labels, false, "labels"),
                     validate_pairs(r.env, true, "environment"),
                     validate_lines(r.shared_pins, "shared pins")}) {
    if (!check) {
      return unexpected(std::move(check).error());
    }
  }
  if (r.variants.empty()) {
    return unexpected(bad("no variants: expected at least one image besides the base"));
  }
  std::set<std::string> seen;
  for (const Variant& v : r.variants) {
    if (!is_name(v.name) || v.name == "base" || v.name == "shared" || v.name == "_common") {
      return unexpected(bad(fmt::format(
          "variant name `{}`: expected lowercase letters, digits, `.`, `_` or `-` (and not "
          "`base` or `shared`)",
          v.name)));
    }
    if (!seen.insert(v.name).second) {
      return unexpected(bad(fmt::format("two variants are named `{}`", v.name)));
    }
    const std::string where = fmt::format("variant `{}`", v.name);
    for (auto check : {validate_pairs(v.env, true, where),
                       validate_lines(v.requirements, where)}) {
      if (!check) {
        return unexpected(std::move(check).error());
      }
    }
    for (const auto* list : {&v.index_urls, &v.find_links}) {
      for (const std::string& s : *list) {
        if (s.empty() || has_control(s)) {
          return unexpected(bad(fmt::format("{}: an empty index or find-links entry", where)));
        }
      }
    }
    if (has_control(v.description)) {
      return unexpected(bad(fmt::format("{}: the description has a control character", where)));
    }
  }
  return true;
}

}  // namespace

bool is_hashed(const std::vector<std::string>& requirements) {
  bool any = false;
  for (const std::string& line : logical_lines(requirements)) {
    const std::size_t first = line.find_first_not_of(" \t");
    if (line.compare(first, 1, "-") == 0) {
      continue;
    }
    if (line.find("--hash=") == std::string::npos) {
      return false;
    }
    any = true;
  }
  return any;
}

Result<std::vector<ContextFile>> render_context(const ImageRequest& request) {
  if (auto ok = validate(request); !ok) {
    return unexpected(std::move(ok).error());
  }
  std::vector<ContextFile> files;
  files.push_back({"Dockerfile.base", base_dockerfile(request)});
  for (const Variant& v : request.variants) {
    files.push_back({"Dockerfile." + v.name, variant_dockerfile(request, v)});
  }
  files.push_back({"docker-bake.hcl", bake_file(request)});
  files.push_back({"requirements/shared.txt",
                   requirements_file(request, "the shared pins", request.shared_pins)});
  for (const Variant& v : request.variants) {
    files.push_back({"requirements/" + v.name + ".txt",
                     requirements_file(request, fmt::format("the `{}` variant", v.name),
                                       v.requirements)});
  }
  return files;
}

}  // namespace mlstack::image
