// SPDX-License-Identifier: MIT
#include "mlstack/launch/render.hpp"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"

namespace mlstack::launch {
namespace {

// Text for a `#` comment: one line, control characters escaped.
std::string comment(std::string_view s) {
  std::string out;
  for (char c : text::escape_controls(s)) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string frameworks_line(const Plan& plan) {
  std::string out;
  for (const Framework& f : plan.frameworks) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", f.name, f.version);
  }
  return out.empty() ? "no GPU framework found" : out;
}

std::string why_line(const Setting& s) {
  return s.source.empty() ? comment(s.why) : comment(s.why) + " [" + s.source + "]";
}

std::string render_sh(const Plan& plan, const ShimPlace& shim) {
  std::string out = fmt::format("# mlstack run: {}\n", frameworks_line(plan));
  for (const std::string& note : plan.notes) {
    out += "# note: " + comment(note) + "\n";
  }
  for (const Setting& s : plan.settings) {
    if (s.kept) {
      out += fmt::format("# {} is already set to {}: {} [{}]\n", s.name, comment(sh_quote(s.value)),
                         comment(s.why), s.source);
      continue;
    }
    out += fmt::format("# {}: {}\nexport {}={}\n", s.framework, why_line(s), s.name,
                       sh_quote(s.value));
  }
  if (!shim.dir.empty()) {
    out += "# mlstack: the sitecustomize shim that applies the torch/TensorFlow caps at import\n";
    out += fmt::format("export PYTHONPATH={}\"${{PYTHONPATH:+:$PYTHONPATH}}\"\n", sh_quote(shim.dir));
  }
  return out;
}

std::string render_dockerfile(const Plan& plan, const ShimPlace& shim) {
  std::string out = fmt::format("# mlstack run: {}\n", frameworks_line(plan));
  for (const std::string& note : plan.notes) {
    out += "# note: " + comment(note) + "\n";
  }
  for (const Setting& s : plan.settings) {
    if (s.kept) {
      continue;  // the caller's environment is not the image's
    }
    out += fmt::format("# {}: {}\nENV {}={}\n", s.framework, why_line(s), s.name,
                       dockerfile_quote(s.value));
  }
  if (!shim.dir.empty()) {
    out += "# mlstack: the sitecustomize shim that applies the torch/TensorFlow caps at import\n";
    out += fmt::format("RUN [\"mlstack\", \"run\", \"--write-shim\", {}]\n",
                       nlohmann::json(shim.dir).dump());
    // The image's PYTHONPATH, if it has one, after the shim (Dockerfile substitution).
    std::string path = dockerfile_quote(shim.dir);
    path.insert(path.size() - 1, "${PYTHONPATH:+:$PYTHONPATH}");
    out += fmt::format("ENV PYTHONPATH={}\n", path);
  }
  return out;
}

std::string render_json(const Plan& plan, const ShimPlace& shim) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["schema"] = "mlstack.run-env/1";
  ordered_json fws = ordered_json::array();
  for (const Framework& f : plan.frameworks) {
    fws.push_back({{"name", f.name}, {"distribution", f.distribution}, {"version", f.version}});
  }
  j["frameworks"] = fws;
  ordered_json settings = ordered_json::array();
  for (const Setting& s : plan.settings) {
    settings.push_back({{"name", s.name},
                        {"value", s.value},
                        {"action", s.kept ? "kept" : "set"},
                        {"framework", s.framework},
                        {"why", s.why},
                        {"source", s.source.empty() ? ordered_json(nullptr) : ordered_json(s.source)}});
  }
  j["settings"] = settings;
  ordered_json shares = ordered_json::array();
  for (const Share& s : plan.shares) {
    shares.push_back({{"framework", s.framework}, {"fraction", s.fraction}});
  }
  j["shares"] = shares;
  j["notes"] = plan.notes;
  j["shim_dir"] = shim.dir.empty() ? ordered_json(nullptr) : ordered_json(shim.dir);
  return j.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string sh_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

std::string dockerfile_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"' || c == '$') {
      out += '\\';
    }
    out += c;
  }
  out += '"';
  return out;
}

std::string render_env(const Plan& plan, const ShimPlace& shim, EnvFormat format) {
  switch (format) {
    case EnvFormat::sh:
      return render_sh(plan, shim);
    case EnvFormat::dockerfile:
      return render_dockerfile(plan, shim);
    case EnvFormat::json:
      return render_json(plan, shim);
  }
  return {};
}

}  // namespace mlstack::launch
