// SPDX-License-Identifier: MIT
// The plan as text (sections, each choice with its reasons and KB ids) and as `mlstack.plan/1`
// JSON (the same, with every source in full).
#include "mlstack/base/text.hpp"
#include "mlstack/plan/plan.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mlstack::plan {
namespace {

std::string line(const Reason& r) {
  return text::escape_controls(r.text) + (r.id.empty() ? "" : " [" + r.id + "]");
}

std::string_view path_name(DriverPath p) {
  switch (p) {
    case DriverPath::full:
      return "full";
    case DriverPath::minor_version:
      return "minor-version";
    case DriverPath::below_floor:
      return "below-floor";
    case DriverPath::unknown:
      break;
  }
  return "unknown";
}

nlohmann::json reason_json(const Reason& r) {
  return {{"text", r.text},
          {"id", r.id.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.id)},
          {"source", r.source.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.source)}};
}

nlohmann::json reasons_json(const std::vector<Reason>& rs) {
  nlohmann::json out = nlohmann::json::array();
  for (const Reason& r : rs) {
    out.push_back(reason_json(r));
  }
  return out;
}

nlohmann::json or_null(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

// `words` joined by spaces into lines of at most ~96 columns, each line starting `indent`.
std::string wrap_words(const std::vector<std::string>& words, const std::string& indent) {
  constexpr std::size_t k_width = 96;
  std::string out;
  std::string line = indent;
  for (const std::string& w : words) {
    if (line.size() > indent.size() && line.size() + 1 + w.size() > k_width) {
      out += line + "\n";
      line = indent;
    }
    line += (line.size() > indent.size() ? " " : "") + text::escape_controls(w);
  }
  if (line.size() > indent.size()) {
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string_view to_string(VariantResolution::Status status) {
  switch (status) {
    case VariantResolution::Status::resolved:
      return "resolved";
    case VariantResolution::Status::problems:
      return "resolved, with problems";
    case VariantResolution::Status::no_solution:
      return "no solution";
    case VariantResolution::Status::unresolved:
      return "not resolved";
  }
  return "not resolved";
}

std::string render_text(const Plan& plan, const Resolution& resolution) {
  std::string out = "Plan for " + text::escape_controls(plan.spec_file) + "\n";
  const BasePlan& b = plan.base;
  out += "\nTarget\n  Python " + b.python;
  if (!b.image.empty()) {
    out += " on " + text::escape_controls(b.image);
  }
  if (!b.cuda.empty()) {
    out += ", CUDA " + b.cuda;
  }
  if (!plan.driver.spec_min.empty()) {
    out += ", drivers from " + plan.driver.spec_min;
  }
  out += "\n";
  for (const Reason& r : b.notes) {
    out += "  " + line(r) + "\n";
  }
  if (!plan.frameworks.empty()) {
    out += "\nFrameworks\n";
  }
  for (const FrameworkChoice& c : plan.frameworks) {
    out += "  " + c.requirement + "\n";
    out += "    wheel: " + c.wheel_source + "\n";
    out += "    build: CUDA " + c.cuda;
    if (!c.cudnn.empty()) {
      out += ", cuDNN " + c.cudnn;
    }
    if (!c.python.empty()) {
      out += ", Python " + c.python;
    }
    out += " [" + c.release_id + "]\n";
    out += "    loads: " + line(c.loads) + "\n";
    for (const Reason& r : c.reasons) {
      out += "    why: " + line(r) + "\n";
    }
    for (const Rejected& r : c.rejected) {
      out += "    rejected: " + text::escape_controls(r.what) + ": " + text::escape_controls(r.why) +
             "\n";
    }
  }
  if (!plan.pins.empty()) {
    out += "\nShared pins (what every framework of the spec accepts)\n";
  }
  for (const SharedPin& p : plan.pins) {
    out += "  " + p.requirement + "\n";
    for (const Reason& r : p.reasons) {
      out += "    " + line(r) + "\n";
    }
  }
  const DriverPlan& d = plan.driver;
  out += "\nDriver\n";
  if (!d.full_min.empty()) {
    out += "  full compatibility >= " + d.full_min + " (CUDA " + d.full_cuda +
           "), minor-version compatibility >= " + d.minor_min;
    if (!d.require_cuda.empty()) {
      out += "; NVIDIA_REQUIRE_CUDA " + d.require_cuda;
    }
    out += "\n";
  }
  for (const Reason& r : d.reasons) {
    out += "  " + line(r) + "\n";
  }
  if (!plan.variants.empty()) {
    out += "\nVariants\n";
  }
  for (const VariantPlan& v : plan.variants) {
    out += "  " + v.name + ":";
    for (const Requirement& r : v.requirements) {
      out += " " + text::escape_controls(r.text);
    }
    out += "\n";
    for (const Requirement& r : v.requirements) {
      if (!r.index_url.empty()) {
        out += "    " + r.text + " from " + r.index_url + "\n";
      }
    }
  }
  out += "\nMemory\n  growth: " + std::string(plan.memory.growth ? "on" : "off");
  if (plan.memory.fractions.empty()) {
    out += "; no hard caps";
  }
  for (const auto& [fw, fraction] : plan.memory.fractions) {
    const int percent = static_cast<int>(fraction * 100 + 0.5);
    out += "; " + fw + " at most " + std::to_string(percent) + " %";
  }
  out += "\n";
  if (!plan.ok()) {
    out += "\nNo plan: constraints collide\n";
    for (const Collision& c : plan.collisions) {
      out += "  " + text::escape_controls(c.what) + "\n";
      for (const std::string& s : c.constraints) {
        out += "    " + text::escape_controls(s) + "\n";
      }
    }
  }
  out += "\nResolution\n";
  if (!resolution.done) {
    out += "  not done: " + text::escape_controls(resolution.note) + "\n";
  }
  for (const VariantResolution& v : resolution.variants) {
    out += "  " + v.variant + ": " + std::string(to_string(v.status));
    if (!v.tool.empty()) {
      out += " (" + v.tool + ", " + std::to_string(v.packages.size()) + " packages, " +
             std::to_string(static_cast<long>(v.wall_s * 1000 + 0.5)) + " ms)";
    }
    out += "\n";
    if (!v.packages.empty() && v.status != VariantResolution::Status::unresolved) {
      out += wrap_words(v.packages, "    ");
    }
    for (const std::string& line : v.problems) {
      out += "    problem: " + text::escape_controls(line) + "\n";
    }
    std::size_t start = 0;
    while (start < v.message.size()) {
      std::size_t nl = v.message.find('\n', start);
      nl = nl == std::string::npos ? v.message.size() : nl;
      if (nl > start) {
        out += "    " + text::escape_controls(v.message.substr(start, nl - start)) + "\n";
      }
      start = nl + 1;
    }
  }
  return out;
}

std::string render_json(const Plan& plan, const Resolution& resolution) {
  nlohmann::json j;
  j["schema"] = "mlstack.plan/1";
  j["spec"] = plan.spec_file;
  j["ok"] = plan.ok();
  const BasePlan& b = plan.base;
  j["target"] = {{"python", b.python},        {"base", or_null(b.image)},
                 {"os", or_null(b.os)},       {"cuda", or_null(b.cuda)},
                 {"cudnn", or_null(b.cudnn)}, {"base_kb_id", or_null(b.kb_id)},
                 {"notes", reasons_json(b.notes)}};
  j["frameworks"] = nlohmann::json::array();
  for (const FrameworkChoice& c : plan.frameworks) {
    nlohmann::json rejected = nlohmann::json::array();
    for (const Rejected& r : c.rejected) {
      rejected.push_back({{"what", r.what}, {"why", r.why}});
    }
    j["frameworks"].push_back({{"name", c.framework},
                               {"requirement", c.requirement},
                               {"index_url", or_null(c.index_url)},
                               {"wheel_source", c.wheel_source},
                               {"variant", or_null(c.variant)},
                               {"kb_id", c.release_id},
                               {"cuda", or_null(c.cuda)},
                               {"cudnn", or_null(c.cudnn)},
                               {"python", or_null(c.python)},
                               {"libraries", or_null(c.libraries)},
                               {"runtime_cuda", or_null(c.runtime_cuda)},
                               {"loads", reason_json(c.loads)},
                               {"reasons", reasons_json(c.reasons)},
                               {"rejected", std::move(rejected)}});
  }
  j["pins"] = nlohmann::json::array();
  for (const SharedPin& p : plan.pins) {
    j["pins"].push_back({{"package", p.package},
                         {"requirement", p.requirement},
                         {"reasons", reasons_json(p.reasons)}});
  }
  const DriverPlan& d = plan.driver;
  j["driver"] = {{"full_compatibility_min", or_null(d.full_min)},
                 {"full_compatibility_cuda", or_null(d.full_cuda)},
                 {"minor_version_compatibility_min", or_null(d.minor_min)},
                 {"spec_min", or_null(d.spec_min)},
                 {"path", path_name(d.path)},
                 {"nvidia_require_cuda", or_null(d.require_cuda)},
                 {"reasons", reasons_json(d.reasons)}};
  j["variants"] = nlohmann::json::array();
  for (const VariantPlan& v : plan.variants) {
    nlohmann::json reqs = nlohmann::json::array();
    for (const Requirement& r : v.requirements) {
      reqs.push_back({{"requirement", r.text}, {"index_url", or_null(r.index_url)},
                      {"kind", r.why}});
    }
    j["variants"].push_back(
        {{"name", v.name}, {"frameworks", v.frameworks}, {"requirements", std::move(reqs)}});
  }
  nlohmann::json fractions = nlohmann::json::object();
  for (const auto& [fw, fraction] : plan.memory.fractions) {
    fractions[fw] = fraction;
  }
  j["memory"] = {{"growth", plan.memory.growth}, {"fractions", std::move(fractions)}};
  j["collisions"] = nlohmann::json::array();
  for (const Collision& c : plan.collisions) {
    j["collisions"].push_back({{"what", c.what}, {"constraints", c.constraints}});
  }
  nlohmann::json variants = nlohmann::json::array();
  for (const VariantResolution& v : resolution.variants) {
    variants.push_back({{"variant", v.variant},
                        {"status", to_string(v.status)},
                        {"tool", or_null(v.tool)},
                        {"packages", v.packages},
                        {"problems", v.problems},
                        {"message", or_null(v.message)},
                        {"wall_s", v.wall_s}});
  }
  j["resolution"] = {{"done", resolution.done},
                     {"note", or_null(resolution.note)},
                     {"variants", std::move(variants)}};
  return j.dump(2) + "\n";
}

}  // namespace mlstack::plan
