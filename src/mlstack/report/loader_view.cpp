// SPDX-License-Identifier: MIT
#include "mlstack/report/loader_view.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"

namespace mlstack::report {
namespace {

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

}  // namespace

std::string order_text(const std::vector<std::string>& order) {
  std::string out;
  for (const std::string& name : order) {
    out += out.empty() ? "" : "; ";
    out += "import " + name;
  }
  return out;
}

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

ScenarioView scenario_view(const facts::LoaderFacts& loader, const facts::LoadScenario& s) {
  ScenarioView view;
  const bool pair = s.order.size() > 1;
  for (const facts::MappedLibrary& m : s.libraries) {
    if (m.library.empty()) {
      continue;
    }
    ++view.tracked;
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
    view.rows.push_back(ScenarioView::Row{&m, std::move(notes)});
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
  for (const std::string& m : s.missing) {
    if (!seen_alone([&m](const facts::LoadScenario& a) {
          return std::find(a.missing.begin(), a.missing.end(), m) != a.missing.end();
        })) {
      view.missing.push_back(&m);
    }
  }
  for (const facts::MissingSymbolVersion& v : s.missing_versions) {
    if (!seen_alone([&v](const facts::LoadScenario& a) {
          return std::any_of(a.missing_versions.begin(), a.missing_versions.end(),
                             [&v](const facts::MissingSymbolVersion& o) {
                               return o.object == v.object && o.provider == v.provider &&
                                      o.version == v.version;
                             });
        })) {
      view.versions.push_back(&v);
    }
  }
  const bool quiet = view.rows.empty() && view.missing.empty() && view.versions.empty();
  if (quiet && view.tracked == 0) {
    view.summary = "no tracked library";
  } else if (quiet && pair) {
    view.summary = "the files each maps alone";
  }
  return view;
}

}  // namespace mlstack::report
