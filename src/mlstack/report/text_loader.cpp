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

#include "mlstack/report/loader_view.hpp"
#include "mlstack/report/text_writer.hpp"

namespace mlstack::report::detail {
namespace {

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

void render_scenario(const facts::LoaderFacts& loader, const facts::LoadScenario& s,
                     const Widths& cols, Writer& w) {
  const ScenarioView view = scenario_view(loader, s);
  w.line("  ", order_text(s.order) + (view.summary.empty() ? "" : ": " + view.summary));
  for (const ScenarioView::Row& row : view.rows) {
    const facts::MappedLibrary* m = row.library;
    w.line(fmt::format("    {}  {}  {}  ", padded(m->library, cols.library),
                       padded(m->version.value, cols.version), padded(m->origin, cols.origin)),
           short_path(m->path) + (row.notes.empty()
                                      ? std::string()
                                      : fmt::format(" ({})", fmt::join(row.notes, "; "))));
  }
  if (view.tracked == 0 && view.summary.empty()) {
    w.line("    ", "no tracked library");
  }
  for (const std::string* m : view.missing) {
    w.line("    missing  ", *m);
  }
  for (const facts::MissingSymbolVersion* v : view.versions) {
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
