// SPDX-License-Identifier: MIT
#include "mlstack/rules/loader_cuda_major.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>
#include <tuple>

#include <fmt/format.h>

#include "mlstack/rules/loader_findings.hpp"

namespace mlstack::rules {
namespace {

// The digits at the start of `text`.
std::string leading_digits(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && std::isdigit(static_cast<unsigned char>(text[n])) != 0) {
    ++n;
  }
  return std::string(text.substr(0, n));
}

// The digits after `marker` in `text`, when `marker` is followed by at least one.
std::string digits_after(std::string_view text, std::string_view marker) {
  const std::size_t at = text.find(marker);
  return at == std::string_view::npos ? std::string()
                                      : leading_digits(text.substr(at + marker.size()));
}

std::string major_of(const facts::Sourced& cuda) {
  return leading_digits(cuda.value);
}

void add_order(std::vector<std::vector<std::string>>& orders, const std::vector<std::string>& o) {
  if (std::find(orders.begin(), orders.end(), o) == orders.end()) {
    orders.push_back(o);
  }
}

}  // namespace

std::string mapped_cuda_major(const facts::MappedLibrary& m) {
  const std::string_view package = m.package;
  if (const std::size_t at = package.rfind("-cu"); at != std::string_view::npos) {
    const std::string digits = leading_digits(package.substr(at + 3));
    if (!digits.empty() && at + 3 + digits.size() == package.size()) {
      return digits;
    }
  }
  const std::string_view path = m.real_path.empty() ? m.path : m.real_path;
  if (std::string d = digits_after(path, "/nvidia/cu"); !d.empty()) {
    return d;
  }
  return digits_after(path, "/cuda-");
}

std::vector<Finding> cuda_major_findings(const facts::LoaderFacts& loader,
                                         const facts::BuildFacts& builds) {
  struct Problem {
    const facts::FrameworkBuild* build = nullptr;
    const facts::LibraryUse* use = nullptr;
    const facts::MappedLibrary* copy = nullptr;
    std::string copy_major;
    std::vector<std::vector<std::string>> orders;
  };
  // (framework, soname, file) → the orders in which that copy of another CUDA major serves it.
  std::map<std::tuple<std::string, std::string, std::string>, Problem> problems;
  // (framework, soname) → the orders in which a copy of the build's own major serves it.
  std::map<std::pair<std::string, std::string>, std::vector<std::vector<std::string>>> working;
  for (const facts::LoadScenario& s : loader.scenarios) {
    for (const std::string& name : s.order) {
      const auto b = std::find_if(builds.frameworks.begin(), builds.frameworks.end(),
                                  [&name](const facts::FrameworkBuild& f) { return f.name == name; });
      if (b == builds.frameworks.end() || !b->gpu_build) {
        continue;
      }
      const std::string major = major_of(b->cuda);
      if (major.empty()) {
        continue;
      }
      for (const facts::LibraryUse& use : b->libraries) {
        // Linked in, missing, or already wrong in the wheel-first answer (FW-LIB-* says so).
        if (!facts::is_loaded(use) || use.soname.empty() || !facts::usable(use, *b)) {
          continue;
        }
        // ld.so hands out the first object mapped under the name asked for.
        const auto copy = std::find_if(s.libraries.begin(), s.libraries.end(),
                                       [&use](const facts::MappedLibrary& m) {
                                         return m.soname == use.soname;
                                       });
        if (copy == s.libraries.end()) {
          continue;
        }
        const std::string copy_major = mapped_cuda_major(*copy);
        if (copy_major.empty() || copy_major == major) {
          add_order(working[{name, use.soname}], s.order);
          continue;
        }
        Problem& p = problems[{name, use.soname,
                               copy->real_path.empty() ? copy->path : copy->real_path}];
        p.build = &*b;
        p.use = &use;
        p.copy = &*copy;
        p.copy_major = copy_major;
        add_order(p.orders, s.order);
      }
    }
  }
  std::vector<Finding> out;
  for (const auto& [key, p] : problems) {
    const std::string& name = std::get<0>(key);
    const std::string& file = std::get<2>(key);
    const std::string title = library_title(p.use->library);
    const facts::MappedLibrary& m = *p.copy;
    Finding f;
    f.id = "LOAD-LIB-CUDA-MAJOR";
    f.severity = Severity::error;
    f.subjects = {p.build->distribution.empty() ? name : p.build->distribution};
    f.title = fmt::format("{} {} (CUDA {}) would use {} {} built for CUDA {} ({}) in {}", name,
                          p.build->version, major_of(p.build->cuda), title, m.version.value,
                          p.copy_major, file, import_orders_text(p.orders, loader));
    f.evidence.push_back(fmt::format("{} asks for {}; {} mapped it first ({}: {})", name,
                                     p.use->soname, m.loaded_by.empty() ? name : m.loaded_by,
                                     m.rule, m.why));
    if (!m.package.empty()) {
      f.evidence.push_back(fmt::format("{} comes from {}", file, m.package));
    }
    f.evidence.push_back(fmt::format("the wheel-first answer was {} ({})", p.use->path,
                                     p.use->package.empty() ? p.use->how : p.use->package));
    for (const auto& o : p.orders) {
      f.evidence.push_back(fmt::format("fails: `{}`", import_order_text(o)));
    }
    const auto& good = working[{name, p.use->soname}];
    for (const auto& o : good) {
      f.evidence.push_back(fmt::format("works: `{}`", import_order_text(o)));
    }
    f.why = fmt::format(
        "ld.so gives every later request for {} the copy already mapped; a {} built for CUDA {} "
        "calls that major's runtime and is not the one {} was built and tested with",
        p.use->soname, title, p.copy_major, name);
    if (!good.empty()) {
      f.fix = fmt::format("import in this order: `{}`", import_order_text(good.front()));
    } else if (!p.build->libraries_fix.empty()) {
      f.fix = p.build->libraries_fix;
    } else {
      f.fix = fmt::format(
          "install every framework of this environment for one CUDA major (FW-CUDA-MAJOR-MIX), "
          "so no CUDA {} wheel is on {}'s search path",
          p.copy_major, name);
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace mlstack::rules
