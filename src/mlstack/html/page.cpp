// SPDX-License-Identifier: MIT
// The doctor report as one HTML page (render_html): the verdict and the merged fix first,
// then the findings grouped as the terminal report groups them, the dependency paths around
// package problems, and the facts (Python, GPU, frameworks, CUDA libraries, the loader's
// prediction, probes). Every string from the environment goes through `escape`.
#include <algorithm>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "mlstack/html/html.hpp"
#include "mlstack/html/style.hpp"
#include "mlstack/report/findings_view.hpp"
#include "mlstack/report/loader_view.hpp"

namespace mlstack::html {
namespace {

using report::Report;

constexpr std::string_view k_csp =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; "
    "form-action 'none'";

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string code(std::string_view s) { return "<code>" + escape(s) + "</code>"; }

std::string dash_or(std::string_view s) {
  return s.empty() ? "<span class=\"muted\">-</span>" : escape(s);
}

// The tables name files below the site folders from the folder's last part on
// (`site-packages/torch/version.py`); the Python section has the whole folder, and the cell's
// title the whole path.
class Sites {
 public:
  explicit Sites(const std::vector<std::string>& dirs) {
    for (const std::string& d : dirs) {
      const std::size_t slash = d.find_last_of('/', d.size() > 1 ? d.size() - 2 : 0);
      if (d.size() > 1 && slash != std::string::npos && slash > 0) {
        m_dirs.emplace_back(d + (d.ends_with('/') ? "" : "/"), slash + 1);
      }
    }
    // The longest first: a site folder inside another is cut as itself.
    std::sort(m_dirs.begin(), m_dirs.end(),
              [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  }
  /// `text` with every site folder cut to its last part, escaped.
  [[nodiscard]] std::string operator()(std::string_view text) const {
    std::string out(text);
    for (const auto& [dir, keep_from] : m_dirs) {
      for (std::size_t at = out.find(dir); at != std::string::npos; at = out.find(dir, at + 1)) {
        out.erase(at, keep_from);
      }
    }
    return escape(out);
  }
  /// A path as `<code>`: cut, with the whole path as its title.
  [[nodiscard]] std::string file(std::string_view path) const {
    const std::string cut = (*this)(path);
    const std::string whole = escape(path);
    return cut == whole ? "<code>" + whole + "</code>"
                        : "<code title=\"" + whole + "\">" + cut + "</code>";
  }

 private:
  std::vector<std::pair<std::string, std::size_t>> m_dirs;  // `DIR/`, bytes to cut
};

// A value and, under it, where it was read.
std::string sourced(const facts::Sourced& s, const Sites& sites) {
  if (s.value.empty()) {
    return "<span class=\"muted\">-</span>";
  }
  std::string out = escape(s.value);
  if (!s.source.empty()) {
    out += "<div class=\"src\">" + sites(s.source) + "</div>";
  }
  return out;
}

std::string_view severity_name(rules::Severity s) { return rules::to_string(s); }

std::string badge(rules::Severity s) {
  return fmt::format("<span class=\"badge {0}\">{0}</span>", severity_name(s));
}

// Text that may hold line breaks (a parse error with its caret line) stays pre-formatted.
std::string evidence_item(std::string_view e) {
  if (e.find('\n') != std::string_view::npos) {
    return "<pre>" + escape(e) + "</pre>";
  }
  return code(e);
}

class Page {
 public:
  void raw(std::string_view s) { m_out += s; }
  template <typename... Args>
  void add(fmt::format_string<Args...> format, Args&&... args) {
    m_out += fmt::format(format, std::forward<Args>(args)...);
  }
  [[nodiscard]] const std::string& text() const { return m_out; }

 private:
  std::string m_out;
};

// --- The verdict --------------------------------------------------------------------------

std::string verdict_text(const rules::FindingCounts& c) {
  if (c.errors == 0 && c.warnings == 0) {
    return "Healthy";
  }
  if (c.errors == 0) {
    return plural(static_cast<std::size_t>(c.warnings), "warning");
  }
  if (c.warnings == 0) {
    return plural(static_cast<std::size_t>(c.errors), "error");
  }
  return plural(static_cast<std::size_t>(c.errors), "error") + ", " +
         plural(static_cast<std::size_t>(c.warnings), "warning");
}

std::string target_text(const Report& r) {
  const facts::PythonFacts& py = r.python;
  std::string who = py.executable.empty()
                        ? (py.site_dirs.empty() ? std::string("--site") : py.site_dirs.front())
                        : py.executable;
  std::string root;
  if (!r.root_kind.empty()) {
    root =
        std::string(r.root_kind == "image" ? "image " : "root ") + code(r.root_path) + " &middot; ";
  }
  return root + code(who) + " &middot; Python " + escape(py.version);
}

void render_verdict(const Report& r, const std::vector<std::string>& sections, Page& p) {
  const rules::FindingCounts c = rules::count(r.findings);
  const std::string_view state = c.errors > 0 ? "error" : c.warnings > 0 ? "warning" : "healthy";
  p.add("<header class=\"card verdict {}\" id=\"verdict\">\n<h1>{}</h1>\n", state, verdict_text(c));
  p.add("<p class=\"target\">{}</p>\n", target_text(r));
  if (!r.findings.empty()) {
    p.raw("<ul class=\"counts\">");
    const auto count = [&p](int n, std::string_view severity, std::string text) {
      p.add("<li><span class=\"badge {}\">{}</span></li>", n == 0 ? "zero" : severity, text);
    };
    count(c.errors, "error", plural(static_cast<std::size_t>(c.errors), "error"));
    count(c.warnings, "warning", plural(static_cast<std::size_t>(c.warnings), "warning"));
    count(c.infos, "info", fmt::format("{} info", c.infos));
    p.raw("</ul>\n");
  }
  const report::MergedFix fix = report::merged_fix(r.findings);
  if (!fix.commands.empty()) {
    p.add("<div class=\"fix\"><h2>{}</h2>\n",
          fix.installs > 1
              ? fmt::format("Fix: the pip commands of {} findings, merged", fix.installs)
              : std::string("Fix"));
    for (const std::vector<std::string>& words : fix.commands) {
      p.add("<pre class=\"wrap\"><code>{}</code></pre>\n",
            escape(fmt::format("{}", fmt::join(words, " "))));
    }
    p.raw("</div>\n");
  }
  p.raw("<nav class=\"toc\">");
  for (const std::string& s : sections) {
    p.raw(s);
  }
  p.raw("</nav>\n</header>\n");
}

// --- Findings ---------------------------------------------------------------------------

void render_subjects(const std::vector<std::string>& subjects, Page& p) {
  if (subjects.empty()) {
    return;
  }
  p.raw("<dt>subjects</dt><dd class=\"subjects\">");
  for (const std::string& s : subjects) {
    p.raw(code(s));
  }
  p.raw("</dd>\n");
}

void render_evidence(const std::vector<std::string_view>& evidence, Page& p) {
  if (evidence.empty()) {
    return;
  }
  p.raw("<dt>evidence</dt><dd><ul>");
  for (const std::string_view e : evidence) {
    p.add("<li>{}</li>", evidence_item(e));
  }
  p.raw("</ul></dd>\n");
}

void render_why_fix(std::string_view why, std::string_view fix, Page& p) {
  if (!why.empty()) {
    p.add("<dt>why</dt><dd>{}</dd>\n", escape(why));
  }
  if (!fix.empty()) {
    p.add("<dt>fix</dt><dd><pre class=\"wrap\"><code>{}</code></pre></dd>\n", escape(fix));
  }
}

void render_finding(const rules::Finding& f, Page& p) {
  p.add(
      "<article class=\"card finding {}\">\n<header>{}<code class=\"id\">{}</code>"
      "<h3>{}</h3></header>\n<dl>\n",
      severity_name(f.severity), badge(f.severity), escape(f.id), escape(f.title));
  render_subjects(f.subjects, p);
  std::vector<std::string_view> evidence(f.evidence.begin(), f.evidence.end());
  render_evidence(evidence, p);
  render_why_fix(f.why, f.fix, p);
  p.raw("</dl>\n</article>\n");
}

void render_group(const report::FindingGroup& g, Page& p) {
  const rules::Finding& head = *g.members.front();
  const std::vector<std::string_view> shared = report::shared_evidence(g);
  const std::string fix = report::group_fix(g);
  p.add(
      "<article class=\"card finding {}\">\n<header>{}<code class=\"id\">{}</code>"
      "<span class=\"muted\">{} findings</span></header>\n<dl>\n",
      severity_name(head.severity), badge(head.severity), escape(head.id), g.members.size());
  std::vector<std::string> subjects;
  for (const rules::Finding* f : g.members) {
    for (const std::string& s : f->subjects) {
      if (std::find(subjects.begin(), subjects.end(), s) == subjects.end()) {
        subjects.push_back(s);
      }
    }
  }
  render_subjects(subjects, p);
  p.raw("<dt>findings</dt><dd><ul class=\"members\">\n");
  for (const rules::Finding* f : g.members) {
    p.add("<li><div class=\"member\">{}</div>", escape(f->title));
    std::vector<std::string_view> own;
    for (const std::string& e : f->evidence) {
      if (std::find(shared.begin(), shared.end(), e) == shared.end()) {
        own.push_back(e);
      }
    }
    if (!own.empty()) {
      p.raw("<ul>");
      for (const std::string_view e : own) {
        p.add("<li>{}</li>", evidence_item(e));
      }
      p.raw("</ul>");
    }
    if (fix.empty() && !f->fix.empty()) {
      p.add("<pre class=\"wrap\"><code>{}</code></pre>", escape(f->fix));
    }
    p.raw("</li>\n");
  }
  p.raw("</ul></dd>\n");
  render_evidence(shared, p);
  render_why_fix(head.why, fix, p);
  p.raw("</dl>\n</article>\n");
}

void render_findings(const Report& r, Page& p) {
  p.add("<section id=\"findings\">\n<h2>Findings ({})</h2>\n", r.findings.size());
  if (r.findings.empty()) {
    p.raw("<p class=\"card\">None: no problem found.</p>\n");
  }
  for (const report::FindingGroup& g : report::group_findings(r.findings)) {
    if (g.members.size() == 1) {
      render_finding(*g.members.front(), p);
    } else {
      render_group(g, p);
    }
  }
  p.raw("</section>\n");
}

// --- Dependency paths -------------------------------------------------------------------

std::string installed(std::string_view name, std::string_view version) {
  return code(name) + " " +
         (version.empty() ? std::string("<span class=\"bad-mark\">not installed</span>")
                          : escape(version));
}

std::string mark(const Edge& e) {
  return e.satisfied ? "<span class=\"ok-mark\" title=\"satisfied\">&#10003;</span>"
                     : "<span class=\"bad-mark\" title=\"not satisfied\">&#10007;</span>";
}

void render_dependencies(const std::vector<DependencyPath>& paths, Page& p) {
  p.raw("<section id=\"dependencies\">\n<h2>Dependency paths</h2>\n<div class=\"deps\">\n");
  for (const DependencyPath& d : paths) {
    p.add("<div class=\"card\">\n<h3>{}</h3>\n<div class=\"muted ids\">", installed(d.name, d.version));
    for (std::size_t i = 0; i < d.finding_ids.size(); ++i) {
      p.add("{}{}", i == 0 ? "" : ", ", escape(d.finding_ids[i]));
    }
    p.raw("</div>\n");
    p.add("<h4>Required by ({})</h4>\n", d.required_by.size());
    if (d.required_by.empty()) {
      p.raw("<p class=\"muted\">nothing installed requires it</p>\n");
    } else {
      p.raw("<ul>");
      for (const Edge& e : d.required_by) {
        p.add("<li>{} {} {} requires {}", mark(e), code(e.from), escape(e.from_version),
              code(e.requirement));
        const auto up = std::find_if(d.requirers_of.begin(), d.requirers_of.end(),
                                     [&e](const auto& r) { return r.first == e.from; });
        if (up != d.requirers_of.end()) {
          if (up->second.empty()) {
            p.raw("<div class=\"src\">installed directly: nothing requires it</div>");
          } else {
            std::string names;
            for (const std::string& n : up->second) {
              names += (names.empty() ? "" : ", ") + escape(n);
            }
            p.add("<div class=\"src\">itself required by {}</div>", names);
          }
        }
        p.raw("</li>\n");
      }
      p.raw("</ul>\n");
    }
    if (!d.version.empty()) {
      if (d.requires_.empty()) {
        p.raw("<h4>Requires nothing</h4>\n");
      } else {
        p.add("<h4>Requires ({})</h4>\n", d.requires_.size());
        p.raw("<ul>");
        for (const Edge& e : d.requires_) {
          p.add("<li>{} {} &rarr; {}</li>\n", mark(e), code(e.requirement),
                e.to_version.empty() ? std::string("<span class=\"bad-mark\">not installed</span>")
                                     : escape(e.to_version));
        }
        p.raw("</ul>\n");
      }
    }
    p.raw("</div>\n");
  }
  p.raw("</div>\n</section>\n");
}

// --- Python, system, packages -----------------------------------------------------------

void fact(Page& p, std::string_view key, const std::string& html_value) {
  p.add("<dt>{}</dt><dd>{}</dd>\n", key, html_value);
}

void render_python(const Report& r, Page& p) {
  const facts::PythonFacts& py = r.python;
  p.raw(
      "<section id=\"python\">\n<h2>Python and system</h2>\n<div class=\"card\"><dl "
      "class=\"facts\">\n");
  if (!r.root_kind.empty()) {
    fact(p, "root",
         code(r.root_path) + (r.root_kind == "image"
                                  ? " <span class=\"muted\">(image archive)</span>"
                                  : " <span class=\"muted\">(folder)</span>"));
  }
  fact(p, "interpreter",
       py.executable.empty() ? std::string("none (--site)") : code(py.executable));
  std::string version = escape(py.version);
  if (py.executable.empty() && r.python_version_source != "interpreter") {
    version += " <span class=\"muted\">(" + escape(r.python_version_source) + ")</span>";
  }
  if (!r.python_version_evidence.empty()) {
    version +=
        " <span class=\"muted\">(read from " + escape(r.python_version_evidence) + ")</span>";
  }
  fact(p, "version", version);
  if (!py.prefix.empty()) {
    fact(p, "prefix",
         code(py.prefix) + (py.in_virtualenv ? " <span class=\"muted\">(virtualenv)</span>" : ""));
  }
  std::string sites;
  for (const std::string& s : py.site_dirs) {
    sites += (sites.empty() ? "" : "<br>") + code(s);
  }
  if (!sites.empty()) {
    fact(p, "site dirs", sites);
  }
  if (r.system) {
    fact(p, "OS", dash_or(r.system->os_name));
    fact(p, "glibc",
         r.system->glibc_version.empty() ? std::string("none (not a glibc interpreter)")
                                         : escape(r.system->glibc_version));
  }
  std::map<std::string, int> per_location;
  for (const report::DistRow& d : r.distributions) {
    ++per_location[d.location];
  }
  std::string packages = plural(r.distributions.size(), "distribution");
  for (const auto& [location, n] : per_location) {
    packages += fmt::format("<div class=\"src\">{} in {}</div>", n, code(location));
  }
  fact(p, "packages", packages);
  for (const std::string_view name : {"numpy", "protobuf", "ml-dtypes"}) {
    const auto it = std::find_if(r.distributions.begin(), r.distributions.end(),
                                 [name](const report::DistRow& d) { return d.name == name; });
    fact(p, name,
         it == r.distributions.end() ? std::string("<span class=\"muted\">not installed</span>")
                                     : dash_or(it->version));
  }
  p.raw("</dl></div>\n</section>\n");
}

// --- GPU --------------------------------------------------------------------------------

void render_problems(const std::vector<std::string>& problems, std::string_view prefix, Page& p) {
  if (problems.empty()) {
    return;
  }
  p.raw("<ul class=\"problems\">");
  for (const std::string& s : problems) {
    p.add("<li>{}{}</li>", prefix, escape(s));
  }
  p.raw("</ul>\n");
}

void render_gpu(const facts::GpuFacts& gpu, Page& p) {
  p.raw("<section id=\"gpu\">\n<h2>GPU</h2>\n");
  p.raw("<div class=\"card\"><dl class=\"facts\">\n");
  if (!gpu.driver_present) {
    fact(p, "driver",
         gpu.source.empty() || gpu.source == "none" ? std::string("no NVIDIA driver")
                                                    : "none: " + escape(gpu.source));
    fact(p, "checks",
         "partial: without a driver, the driver-version and architecture rules "
         "cannot run; the environment's own checks still do");
  } else {
    fact(p, "driver",
         dash_or(gpu.driver_version) + " <span class=\"muted\">(from " + escape(gpu.source) +
             ")</span>");
    fact(p, "CUDA driver", dash_or(gpu.cuda_driver_api_version));
    if (gpu.cuda_visible_devices_set) {
      fact(p, "CUDA_VISIBLE_DEVICES", code(gpu.cuda_visible_devices));
    }
  }
  p.raw("</dl>\n");
  render_problems(gpu.problems, "", p);
  render_problems(gpu.visibility_problems, "visibility: ", p);
  p.raw("</div>\n");
  if (!gpu.devices.empty()) {
    p.raw(
        "<div class=\"scroll\"><table class=\"reflow\">\n<thead><tr><th>#</th><th>name</th>"
        "<th>memory</th><th>CC</th><th>MIG</th><th>CUDA</th><th>UUID</th></tr></thead>\n<tbody>\n");
    for (const facts::GpuDevice& d : gpu.devices) {
      p.add(
          "<tr><td class=\"num\" data-label=\"index\">{}</td><td class=\"nowrap head\">{}</td><td "
          "class=\"num\" data-label=\"memory\">{} MiB</td>"
          "<td data-label=\"CC\">{}</td><td data-label=\"MIG\">{}</td><td class=\"num\" "
          "data-label=\"CUDA\">{}</td><td class=\"nowrap\" data-label=\"UUID\">{}</td></tr>\n",
          d.index, escape(d.name), d.memory_total_mib, dash_or(d.compute_capability),
          dash_or(d.mig), d.cuda_ordinal >= 0 ? fmt::format("{}", d.cuda_ordinal) : "-",
          code(d.uuid));
      for (const facts::MigDevice& m : d.mig_devices) {
        std::string_view profile = m.name;
        const std::string prefix = d.name + " MIG ";
        if (!d.name.empty() && profile.starts_with(prefix)) {
          profile.remove_prefix(prefix.size());
        }
        p.add(
            "<tr><td class=\"empty\"></td><td class=\"nowrap head\">&#8627; MIG {} &middot; {} "
            "<span class=\"muted\">"
            "GI {} CI {}</span></td><td class=\"num\" data-label=\"memory\">{} "
            "MiB</td><td></td><td></td>"
            "<td class=\"num\" data-label=\"CUDA\">{}</td><td class=\"nowrap\" "
            "data-label=\"UUID\">{}</td></tr>\n",
            m.index, dash_or(profile), m.gpu_instance_id, m.compute_instance_id, m.memory_total_mib,
            m.cuda_ordinal >= 0 ? fmt::format("{}", m.cuda_ordinal) : "-", code(m.uuid));
      }
    }
    p.raw("</tbody></table></div>\n");
  }
  p.raw("</section>\n");
}

// --- Frameworks and CUDA libraries ---------------------------------------------------------

std::string archs_cell(const facts::FrameworkBuild& f, const Sites& sites) {
  if (!f.archs.empty()) {
    std::string out =
        "<span class=\"mono\">" + escape(fmt::format("{}", fmt::join(f.archs, " "))) + "</span>";
    if (!f.archs_source.empty()) {
      out += "<div class=\"src\">" + sites(f.archs_source) + "</div>";
    }
    return out;
  }
  if (!f.archs_source.empty()) {
    return "none listed<div class=\"src\">" + sites(f.archs_source) + "</div>";
  }
  return "<span class=\"muted\">unknown</span>";
}

void render_frameworks(const facts::BuildFacts& b, const Sites& sites, Page& p) {
  p.raw("<section id=\"frameworks\">\n<h2>Frameworks</h2>\n");
  if (b.frameworks.empty()) {
    p.raw("<p class=\"card muted\">None installed.</p>\n</section>\n");
    return;
  }
  p.raw(
      "<div class=\"scroll\"><table "
      "class=\"reflow\">\n<thead><tr><th>framework</th><th>version</th><th>CUDA</th>"
      "<th>cuDNN</th><th>NCCL</th><th>archs</th></tr></thead>\n<tbody>\n");
  for (const facts::FrameworkBuild& f : b.frameworks) {
    std::string name = "<strong>" + escape(f.name) + "</strong>";
    if (f.distributions.size() > 1 ||
        (f.distributions.size() == 1 && f.distributions[0] != f.name)) {
      name += "<div class=\"src\">" + escape(fmt::format("{}", fmt::join(f.distributions, ", "))) +
              "</div>";
    }
    std::string version = dash_or(f.version);
    if (!f.gpu_build) {
      version += "<div class=\"src\">CPU-only build</div>";
    }
    p.add(
        "<tr><td class=\"fw head\">{}</td><td class=\"ver\" data-label=\"version\">{}</td><td "
        "class=\"build\" data-label=\"CUDA\">{}</td>"
        "<td class=\"build\" data-label=\"cuDNN\">{}</td><td class=\"build\" "
        "data-label=\"NCCL\">{}</td><td class=\"wide\" data-label=\"archs\">{}</td></tr>\n",
        name, version, f.gpu_build ? sourced(f.cuda, sites) : "-",
        f.gpu_build ? sourced(f.cudnn, sites) : "-", f.gpu_build ? sourced(f.nccl, sites) : "-",
        f.gpu_build ? archs_cell(f, sites) : "-");
  }
  p.raw("</tbody></table></div>\n");
  // The libraries each framework uses: one row per framework and library.
  std::size_t uses = 0;
  for (const facts::FrameworkBuild& f : b.frameworks) {
    uses += f.libraries.size();
  }
  if (uses > 0) {
    p.raw(
        "<h3 class=\"sub\">Libraries each framework uses</h3>\n<div class=\"scroll\"><table "
        "class=\"reflow\">\n"
        "<thead><tr><th>framework</th><th>library</th><th>needs</th><th>how</th><th>version</th>"
        "<th>file</th></tr></thead>\n<tbody>\n");
    for (const facts::FrameworkBuild& f : b.frameworks) {
      for (const facts::LibraryUse& u : f.libraries) {
        const bool bad = !facts::usable(u, f);
        std::string how = escape(u.how);
        if (!u.package.empty() && u.how == "wheel") {
          how += "<div class=\"src\">" + escape(u.package) + "</div>";
        }
        if (!u.cuda_major.value.empty()) {
          how += "<div class=\"src\">for CUDA " + escape(u.cuda_major.value) + "</div>";
        }
        p.add(
            "<tr{}><td class=\"nowrap head\">{}</td><td class=\"nowrap\" "
            "data-label=\"library\">{}</td><td data-label=\"needs\">{}</td>"
            "<td class=\"nowrap\" data-label=\"how\">{}</td><td class=\"build\" "
            "data-label=\"version\">{}</td><td class=\"file\" data-label=\"file\">{}</td></tr>\n",
            bad ? " class=\"bad\"" : "", escape(f.name), escape(u.library),
            u.need.value.empty() ? dash_or(u.major) : escape(u.need.value), how,
            sourced(u.version, sites),
            u.how == "missing" ? std::string("<span class=\"bad-mark\">not found</span>")
                               : sites.file(u.path));
      }
    }
    p.raw("</tbody></table></div>\n");
  }
  for (const facts::FrameworkBuild& f : b.frameworks) {
    render_problems(f.problems, "", p);
  }
  p.raw("</section>\n");
}

void render_cuda_libraries(const facts::BuildFacts& b, const Sites& sites, Page& p) {
  std::vector<const facts::CudaLibrary*> libs;
  for (const facts::CudaLibrary& l : b.cuda_libraries) {
    libs.push_back(&l);
  }
  std::stable_sort(libs.begin(), libs.end(), [](const auto* x, const auto* y) {
    return std::tie(x->name, x->version, x->path) < std::tie(y->name, y->version, y->path);
  });
  p.add("<section id=\"cuda-libraries\">\n<h2>CUDA libraries ({})</h2>\n",
        libs.size() + b.compat_libcuda.size());
  if (libs.empty() && b.compat_libcuda.empty()) {
    p.raw("<p class=\"card muted\">None found.</p>\n");
  } else {
    p.raw(
        "<div class=\"scroll\"><table "
        "class=\"reflow\">\n<thead><tr><th>library</th><th>version</th><th>origin</th>"
        "<th>file</th></tr></thead>\n<tbody>\n");
    for (const facts::CudaLibrary* l : libs) {
      std::string origin = escape(l->origin);
      if (!l->package.empty()) {
        origin += "<div class=\"src\">" + escape(l->package) + "</div>";
      }
      p.add(
          "<tr><td class=\"nowrap head\">{}</td><td class=\"build\" "
          "data-label=\"version\">{}{}</td><td class=\"nowrap\" data-label=\"origin\">{}</td>"
          "<td class=\"file\" data-label=\"file\">{}</td></tr>\n",
          escape(l->name), dash_or(l->version),
          l->version_source.empty() ? ""
                                    : "<div class=\"src\">" + sites(l->version_source) + "</div>",
          origin, sites.file(l->path));
    }
    for (const facts::CudaLibrary& l : b.compat_libcuda) {
      p.add(
          "<tr><td class=\"nowrap head\">{}</td><td class=\"nowrap\" "
          "data-label=\"version\">{}</td><td data-label=\"origin\">{}<div class=\"src\">"
          "cuda-compat, {}</div></td><td class=\"file\" data-label=\"file\">{}</td></tr>\n",
          escape(l.name), dash_or(l.version), escape(l.origin), escape(l.found_via),
          sites.file(l.path));
    }
    p.raw("</tbody></table></div>\n");
  }
  render_problems(b.problems, "", p);
  p.raw("</section>\n");
}

// --- The loader and the probes ---------------------------------------------------------------

void render_loader(const facts::LoaderFacts& loader, const Sites& sites, Page& p) {
  p.raw("<section id=\"loader\">\n<h2>What each import order maps</h2>\n");
  if (!loader.emulated) {
    p.add("<p class=\"card muted\">Not emulated: {}</p>\n</section>\n", dash_or(loader.skipped));
    return;
  }
  p.add(
      "<p class=\"muted\">Predicted from the files, {}; a pair lists only what differs from "
      "each framework imported alone.</p>\n",
      plural(loader.scenarios.size(), "import order"));
  p.raw("<div class=\"card\"><dl class=\"facts\">\n");
  fact(p, "LD_LIBRARY_PATH",
       loader.ld_library_path.empty() ? std::string("unset") : code(loader.ld_library_path));
  if (!loader.cache.empty()) {
    fact(p, "ld.so cache", code(loader.cache));
  }
  p.raw("</dl>\n");
  render_problems(loader.problems, "", p);
  p.raw("</div>\n");
  // One table, a row group per import order: the columns line up across orders.
  p.raw(
      "<div class=\"scroll\"><table class=\"reflow "
      "loader\">\n<thead><tr><th>library</th><th>version</th>"
      "<th>origin</th><th>file</th><th>notes</th></tr></thead>\n");
  for (const facts::LoadScenario& s : loader.scenarios) {
    const report::ScenarioView view = report::scenario_view(loader, s);
    std::string summary = view.summary;
    if (summary.empty() && view.tracked == 0) {
      summary = "no tracked library";
    }
    p.add("<tbody><tr class=\"order\"><th colspan=\"5\"><code>{}</code>{}</th></tr>\n",
          escape(report::order_text(s.order)),
          summary.empty() ? "" : " <span class=\"muted\">&mdash; " + escape(summary) + "</span>");
    for (const report::ScenarioView::Row& row : view.rows) {
      const facts::MappedLibrary& m = *row.library;
      std::string notes;
      for (const std::string& n : row.notes) {
        notes += (notes.empty() ? "" : "<br>") + escape(n);
      }
      p.add(
          "<tr><td class=\"nowrap head\">{}</td><td class=\"nowrap\" "
          "data-label=\"version\">{}</td><td data-label=\"origin\">{}</td>"
          "<td class=\"file\" data-label=\"file\">{}{}</td><td class=\"notes\" "
          "data-label=\"notes\">{}</td></tr>\n",
          escape(m.library), dash_or(m.version.value), dash_or(m.origin),
          code(report::short_path(m.path)),
          m.why.empty() ? "" : "<div class=\"src\">" + sites(m.why) + "</div>", notes);
    }
    for (const std::string* m : view.missing) {
      p.add(
          "<tr class=\"bad\"><td class=\"nowrap head\">missing</td><td "
          "colspan=\"4\">{}</td></tr>\n",
          escape(*m));
    }
    for (const facts::MissingSymbolVersion* v : view.versions) {
      p.add(
          "<tr class=\"bad\"><td class=\"nowrap head\">version</td><td colspan=\"4\">{}{} of "
          "<code>{}</code> not defined by <code>{}</code> (needed by <code>{}</code>)</td></tr>\n",
          escape(v->version), v->weak ? " (weak)" : "", escape(v->file),
          v->provider.empty() ? "-" : escape(v->provider), escape(v->object));
    }
    p.raw("</tbody>\n");
  }
  p.raw("</table></div>\n</section>\n");
}

void render_probes(const facts::ProbeFacts& probes, Page& p) {
  p.add(
      "<section id=\"probes\">\n<h2>Probes</h2>\n<p class=\"muted\">{}, {} at a time, {:.1f} s; "
      "timeout {:g} s each.</p>\n<div class=\"scroll\"><table "
      "class=\"reflow\">\n<thead><tr><th>import order</th>"
      "<th>status</th><th>time</th><th>versions</th><th>devices</th><th>error</th></tr></"
      "thead>\n<tbody>\n",
      plural(probes.probes.size(), "import order"), probes.jobs, probes.wall_s, probes.timeout_s);
  for (const facts::ProbeResult& r : probes.probes) {
    std::string versions;
    for (const auto& [name, version] : r.versions) {
      versions += (versions.empty() ? "" : "<br>") + escape(name + " " + version);
    }
    std::string devices;
    for (const auto& [name, list] : r.devices) {
      devices += (devices.empty() ? "" : "<br>") +
                 escape(fmt::format("{}: {}", name,
                                    list.empty() ? std::string("no GPU")
                                                 : fmt::format("{}", fmt::join(list, ", "))));
    }
    std::string error = escape(r.error);
    if (r.status == "crash") {
      error = escape(r.signal_name.empty() ? fmt::format("signal {}", r.signal) : r.signal_name) +
              (error.empty() ? "" : "<br>" + error);
    } else if (r.status == "exit") {
      error = fmt::format("exit status {}", r.exit_code) + (error.empty() ? "" : "<br>" + error);
    }
    const bool ok = r.status == "ok";
    p.add(
        "<tr{}><td class=\"head\"><code>{}</code></td><td data-label=\"status\">{}</td><td "
        "class=\"num\" data-label=\"time\">{:.1f} s</td><td data-label=\"versions\">{}</td>"
        "<td data-label=\"devices\">{}</td><td data-label=\"error\">{}</td></tr>\n",
        ok ? "" : " class=\"bad\"", escape(report::order_text(r.order)), escape(r.status), r.wall_s,
        versions, devices, error);
  }
  p.raw("</tbody></table></div>\n</section>\n");
}

}  // namespace

void render_html(const Report& r, std::ostream& out) {
  const std::vector<DependencyPath> paths = dependency_paths(r);
  std::vector<std::string> toc;
  const auto link = [&toc](std::string_view id, std::string_view label) {
    toc.push_back(fmt::format("<a href=\"#{}\">{}</a>", id, label));
  };
  link("findings", fmt::format("Findings ({})", r.findings.size()));
  if (!paths.empty()) {
    link("dependencies", "Dependency paths");
  }
  link("python", "Python");
  if (r.gpu) {
    link("gpu", "GPU");
  }
  if (r.builds) {
    link("frameworks", "Frameworks");
    link("cuda-libraries", "CUDA libraries");
  }
  if (r.loader) {
    link("loader", "Loader");
  }
  if (r.probes && r.probes->done) {
    link("probes", "Probes");
  }
  const rules::FindingCounts c = rules::count(r.findings);
  Page p;
  p.add(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"color-scheme\" content=\"light dark\">\n"
      "<meta name=\"generator\" content=\"mlstack {}\">\n"
      "<title>mlstack doctor: {}</title>\n<style>{}</style>\n</head>\n<body>\n<div "
      "class=\"page\">\n",
      k_csp, escape(r.mlstack_version), verdict_text(c), detail::k_style);
  render_verdict(r, toc, p);
  render_findings(r, p);
  if (!paths.empty()) {
    render_dependencies(paths, p);
  }
  render_python(r, p);
  if (r.gpu) {
    render_gpu(*r.gpu, p);
  }
  const Sites sites(r.python.site_dirs);
  if (r.builds) {
    render_frameworks(*r.builds, sites, p);
    render_cuda_libraries(*r.builds, sites, p);
  }
  if (r.loader) {
    render_loader(*r.loader, sites, p);
  }
  if (r.probes && r.probes->done) {
    render_probes(*r.probes, p);
  }
  p.add(
      "<footer class=\"muted\">mlstack {} &middot; <code>{}</code> &middot; the same report as "
      "<code>mlstack doctor --json</code></footer>\n</div>\n</body>\n</html>\n",
      escape(r.mlstack_version), report::k_doctor_schema);
  out << p.text();
}

}  // namespace mlstack::html
