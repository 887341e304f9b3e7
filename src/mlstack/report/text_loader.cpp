// SPDX-License-Identifier: MIT
// The terminal report's loader and probe tables: per import order, which tracked library file
// would be mapped (predicted), and what each probe saw. A pair shows only the files that
// differ from what each framework maps alone: what the import order changes.
#include <algorithm>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "mlstack/report/text_writer.hpp"

namespace mlstack::report::detail {
namespace {

std::string order_text(const std::vector<std::string>& order) {
  std::string out;
  for (const std::string& name : order) {
    out += out.empty() ? "" : "; ";
    out += "import " + name;
  }
  return out;
}

// `a/b/../c` → `a/c`, `./` dropped: the loader's path (a search folder such as
// `torch/lib/../../nvidia/cu13/lib` + the name) as a reader wants it; symlinks are not followed.
std::string normalized(std::string_view path) {
  std::vector<std::string_view> parts;
  for (std::string_view part : text::split(path, '/')) {
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == ".." && !parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else {
      parts.push_back(part);
    }
  }
  std::string out = path.starts_with('/') ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out += (i == 0 ? "" : "/") + std::string(parts[i]);
  }
  return out;
}

// A wheel's file below its site folder (`nvidia/cudnn/lib/libcudnn.so.9`), others whole.
std::string short_path(std::string_view raw) {
  const std::string path_text = normalized(raw);
  const std::string_view path = path_text;
  constexpr std::string_view k_site = "/site-packages/";
  const std::size_t at = path.rfind(k_site);
  if (at != std::string_view::npos) {
    return std::string(path.substr(at + k_site.size()));
  }
  constexpr std::string_view k_dist = "/dist-packages/";
  const std::size_t dist = path.rfind(k_dist);
  return std::string(dist == std::string_view::npos ? path : path.substr(dist + k_dist.size()));
}

std::string dash_if_empty(std::string_view s) { return s.empty() ? "-" : std::string(s); }

// Column widths of the library table: the widest name and version shown, over every scenario.
struct Widths {
  std::size_t library = 7;
  std::size_t version = 7;
  std::size_t origin = 6;
};

Widths widths(const facts::LoaderFacts& loader) {
  Widths out;
  for (const facts::LoadScenario& s : loader.scenarios) {
    for (const facts::MappedLibrary& m : s.libraries) {
      if (!m.library.empty()) {
        out.library = std::max(out.library, columns(text::escape_controls(m.library)));
        out.version = std::max(out.version, columns(text::escape_controls(m.version.value)));
        out.origin = std::max(out.origin, columns(text::escape_controls(m.origin)));
      }
    }
  }
  return out;
}

std::string padded(std::string_view s, std::size_t width) {
  const std::string e = text::escape_controls(dash_if_empty(s));
  return e + std::string(width - std::min(width, columns(e)), ' ');
}

std::string file_of(const facts::MappedLibrary& m) {
  return m.real_path.empty() ? m.path : m.real_path;
}

std::string key_name(const facts::MappedLibrary& m) {
  if (!m.soname.empty()) {
    return m.soname;
  }
  const std::size_t slash = m.path.rfind('/');
  return slash == std::string::npos ? m.path : m.path.substr(slash + 1);
}

const facts::LoadScenario* alone(const facts::LoaderFacts& loader, const std::string& name) {
  for (const facts::LoadScenario& s : loader.scenarios) {
    if (s.order.size() == 1 && s.order[0] == name) {
      return &s;
    }
  }
  return nullptr;
}

// For a row of a pair: what differs from each framework imported alone, as notes
// (`tensorflow alone: nvidia/cudnn/lib/libcudnn.so.9`), or "only in this order"; nullopt
// when the row is what the frameworks alone map (the table leaves it out).
std::optional<std::vector<std::string>> pair_notes(const facts::LoaderFacts& loader,
                                                   const facts::LoadScenario& s,
                                                   const facts::MappedLibrary& m) {
  std::vector<std::string> notes;
  bool seen = false;
  for (const std::string& name : s.order) {
    const facts::LoadScenario* a = alone(loader, name);
    if (a == nullptr) {
      return notes;  // nothing to compare with: shown
    }
    for (const facts::MappedLibrary& o : a->libraries) {
      if (o.library != m.library || key_name(o) != key_name(m)) {
        continue;
      }
      seen = true;
      if (file_of(o) != file_of(m)) {
        notes.push_back(fmt::format("{} alone: {}", name, short_path(o.path)));
      }
    }
  }
  if (!seen) {
    notes.emplace_back("only in this order");
  }
  if (notes.empty()) {
    return std::nullopt;
  }
  return notes;
}

void render_scenario(const facts::LoaderFacts& loader, const facts::LoadScenario& s,
                     const Widths& cols, Writer& w) {
  const bool pair = s.order.size() > 1;
  std::vector<std::pair<const facts::MappedLibrary*, std::vector<std::string>>> rows;
  std::size_t tracked = 0;
  for (const facts::MappedLibrary& m : s.libraries) {
    if (m.library.empty()) {
      continue;
    }
    ++tracked;
    std::vector<std::string> notes;
    if (pair) {
      auto differs = pair_notes(loader, s, m);
      if (!differs) {
        continue;
      }
      if (!m.loaded_by.empty()) {
        notes.push_back("by " + m.loaded_by);
      }
      notes.insert(notes.end(), differs->begin(), differs->end());
    }
    if (m.when != "import") {
      notes.push_back("at " + m.when);
    }
    rows.emplace_back(&m, std::move(notes));
  }
  // A pair lists what no framework of it shows alone: the problems the order adds.
  const auto seen_alone = [&loader, &s, pair](const auto& member) {
    if (!pair) {
      return false;
    }
    return std::any_of(s.order.begin(), s.order.end(), [&](const std::string& name) {
      const facts::LoadScenario* a = alone(loader, name);
      return a != nullptr && member(*a);
    });
  };
  std::vector<const std::string*> missing;
  for (const std::string& m : s.missing) {
    if (!seen_alone([&m](const facts::LoadScenario& a) {
          return std::find(a.missing.begin(), a.missing.end(), m) != a.missing.end();
        })) {
      missing.push_back(&m);
    }
  }
  std::vector<const facts::MissingSymbolVersion*> versions;
  for (const facts::MissingSymbolVersion& v : s.missing_versions) {
    if (!seen_alone([&v](const facts::LoadScenario& a) {
          return std::any_of(a.missing_versions.begin(), a.missing_versions.end(),
                             [&v](const facts::MissingSymbolVersion& o) {
                               return o.object == v.object && o.provider == v.provider &&
                                      o.version == v.version;
                             });
        })) {
      versions.push_back(&v);
    }
  }
  const bool quiet = rows.empty() && missing.empty() && versions.empty();
  if (quiet && tracked == 0) {
    w.line("  ", order_text(s.order) + ": no tracked library");
  } else if (quiet && pair) {
    w.line("  ", order_text(s.order) + ": the files each maps alone");
  } else {
    w.line("  ", order_text(s.order));
  }
  for (const auto& [m, notes] : rows) {
    w.line(fmt::format("    {}  {}  {}  ", padded(m->library, cols.library),
                       padded(m->version.value, cols.version), padded(m->origin, cols.origin)),
           short_path(m->path) +
               (notes.empty() ? std::string() : fmt::format(" ({})", fmt::join(notes, "; "))));
  }
  if (tracked == 0 && !quiet) {
    w.line("    ", "no tracked library");
  }
  for (const std::string* m : missing) {
    w.line("    missing  ", *m);
  }
  for (const facts::MissingSymbolVersion* v : versions) {
    w.line("    version  ", fmt::format("{}{} of {} not defined by {} (needed by {})", v->version,
                                         v->weak ? " (weak)" : "", v->file,
                                         dash_if_empty(v->provider), v->object));
  }
}

std::string probe_details(const facts::ProbeResult& p) {
  std::vector<std::string> parts;
  if (p.status == "crash") {
    parts.push_back(p.signal_name.empty() ? fmt::format("signal {}", p.signal) : p.signal_name);
  } else if (p.status == "exit") {
    parts.push_back(fmt::format("exit status {}", p.exit_code));
  }
  if (!p.error.empty()) {
    parts.push_back(p.error);
  }
  std::vector<std::string> versions;
  for (const auto& [name, version] : p.versions) {
    versions.push_back(fmt::format("{} {}", name, version));
  }
  if (!versions.empty()) {
    parts.push_back(fmt::format("{}", fmt::join(versions, ", ")));
  }
  // The devices each framework sees; `no GPU` once when none sees any.
  std::vector<std::string> seen;
  for (const auto& [name, devices] : p.devices) {
    if (!devices.empty()) {
      seen.push_back(fmt::format("{}: {}", name, fmt::join(devices, ", ")));
    }
  }
  if (!seen.empty()) {
    parts.push_back(fmt::format("{}", fmt::join(seen, "; ")));
  } else if (!p.devices.empty()) {
    parts.emplace_back("no GPU");
  }
  if (p.output_truncated) {
    parts.emplace_back("output truncated");
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

}  // namespace

void render_loader(const facts::LoaderFacts& loader, Writer& w) {
  if (!loader.emulated) {
    w.heading("Loader");
    w.line("  not emulated: ", dash_if_empty(loader.skipped));
    w.blank();
    return;
  }
  w.heading(fmt::format("Loader (predicted, {} import order{}; a pair lists what differs from "
                        "each framework alone)",
                        loader.scenarios.size(), loader.scenarios.size() == 1 ? "" : "s"));
  w.line("  LD_LIBRARY_PATH  ",
         loader.ld_library_path.empty() ? std::string("unset") : loader.ld_library_path);
  if (!loader.cache.empty()) {
    w.line("  ld.so cache      ", loader.cache);
  }
  const Widths cols = widths(loader);
  for (const facts::LoadScenario& s : loader.scenarios) {
    render_scenario(loader, s, cols, w);
  }
  for (const std::string& p : loader.problems) {
    w.line("  problem: ", p);
  }
  w.blank();
}

void render_probes(const facts::ProbeFacts& probes, Writer& w) {
  if (!probes.done) {
    return;
  }
  w.heading(fmt::format("Probes ({} import order{}, {} at a time, {:.1f} s; timeout {:g} s each)",
                        probes.probes.size(), probes.probes.size() == 1 ? "" : "s", probes.jobs,
                        probes.wall_s, probes.timeout_s));
  std::size_t width = 0;
  std::size_t status_width = 0;
  for (const facts::ProbeResult& p : probes.probes) {
    width = std::max(width, columns(text::escape_controls(order_text(p.order))));
    status_width = std::max(status_width, columns(text::escape_controls(p.status)));
  }
  for (const facts::ProbeResult& p : probes.probes) {
    const std::string order = text::escape_controls(order_text(p.order));
    const std::string first = fmt::format("  {}{}  {}  {:>5.1f} s  ", order,
                                          std::string(width - columns(order), ' '),
                                          padded(p.status, status_width), p.wall_s);
    w.line(first, std::string(columns(first), ' '), probe_details(p));
  }
  w.blank();
}

}  // namespace mlstack::report::detail
