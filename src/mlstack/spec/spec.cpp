// SPDX-License-Identifier: MIT
// The spec reader: toml++ (header-only, TOML_EXCEPTIONS=0, as in kb/toml_loader.cpp) parses the
// text; every value is checked here with its source region, so each error names the file, the
// line and the column of what was wrong.
#include "mlstack/spec/spec.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/base/toml_text.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlstack::spec {
namespace {

constexpr std::string_view k_top_keys[] = {"name", "target", "frameworks", "packages", "variants",
                                           "memory"};
constexpr std::string_view k_target_keys[] = {
    "python", "base", "cuda", "min_driver", "gpus", "compute_capabilities"};
constexpr std::string_view k_framework_keys[] = {"version", "variant"};
constexpr std::string_view k_packages_keys[] = {"requirements"};
constexpr std::string_view k_variant_keys[] = {"frameworks", "packages"};
constexpr std::string_view k_memory_keys[] = {"growth", "fractions"};

// Names people write for a framework, and the one the knowledge base uses.
constexpr std::pair<std::string_view, std::string_view> k_aliases[] = {
    {"pytorch", "torch"}, {"tf", "tensorflow"}, {"tensorflow-gpu", "tensorflow"},
    {"onnxruntime-gpu", "onnxruntime"}, {"jaxlib", "jax"}};

Position where_of(const toml::source_region& r) {
  return {static_cast<long>(r.begin.line), static_cast<long>(r.begin.column)};
}

class Reader {
 public:
  Reader(std::string_view file, std::string_view text)
      : m_file(file), m_lines(text::split_lines(text)) {}

  [[nodiscard]] Error error(Position p, std::string message, std::size_t length = 1) const {
    std::string line;
    if (p.line >= 1 && static_cast<std::size_t>(p.line) <= m_lines.size()) {
      line = std::string(m_lines[static_cast<std::size_t>(p.line - 1)]);
    }
    const std::size_t col = p.column > 0 ? static_cast<std::size_t>(p.column - 1) : 0;
    Error e = make_parse_error(std::move(message), text::escape_controls(line), col, length);
    return with_context(std::move(e), m_file + ":" + std::to_string(p.line) + ":" +
                                          std::to_string(p.column));
  }

  // Every key of `t` must be one of `known`; else an error at the key, with the nearest.
  [[nodiscard]] Result<void> known_keys(const toml::table& t, std::string_view where,
                                        const std::vector<std::string_view>& known) const {
    for (const auto& [key, value] : t) {
      if (std::find(known.begin(), known.end(), key.str()) != known.end()) {
        continue;
      }
      std::string message = "unknown key `" + text::escape_controls(key.str()) + "` in " +
                            std::string(where);
      const std::string_view near = text::closest(key.str(), known, 3);
      if (!near.empty()) {
        message += "; did you mean `" + std::string(near) + "`?";
      } else {
        message += "; expected " + list(known);
      }
      return unexpected(error(where_of(key.source()), std::move(message), key.str().size()));
    }
    return {};
  }

  [[nodiscard]] static std::string list(const std::vector<std::string_view>& keys) {
    std::string out;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      out += i == 0 ? "" : (i + 1 == keys.size() ? " or " : ", ");
      out += "`" + std::string(keys[i]) + "`";
    }
    return out;
  }

  [[nodiscard]] static std::string_view type_name(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::string:
        return "a string";
      case toml::node_type::integer:
        return "an integer";
      case toml::node_type::floating_point:
        return "a number";
      case toml::node_type::boolean:
        return "a boolean";
      case toml::node_type::array:
        return "an array";
      case toml::node_type::table:
        return "a table";
      default:
        return "a date or time";
    }
  }

  [[nodiscard]] Result<std::string> string(const toml::node& n, std::string_view what) const {
    if (const auto* s = n.as_string()) {
      return std::string(s->get());
    }
    return unexpected(error(where_of(n.source()), "expected a string for " + std::string(what) +
                                                      ", found " + std::string(type_name(n))));
  }

  [[nodiscard]] Result<std::vector<std::pair<std::string, Position>>> strings(
      const toml::node& n, std::string_view what) const {
    const auto* a = n.as_array();
    if (a == nullptr) {
      return unexpected(error(where_of(n.source()), "expected an array of strings for " +
                                                        std::string(what) + ", found " +
                                                        std::string(type_name(n))));
    }
    std::vector<std::pair<std::string, Position>> out;
    for (const toml::node& el : *a) {
      MLSTACK_TRY_ASSIGN(std::string s, string(el, std::string("each item of ") + std::string(what)));
      out.emplace_back(std::move(s), where_of(el.source()));
    }
    return out;
  }

  [[nodiscard]] Result<VersionText> version(const toml::node& n, std::string_view what) const {
    MLSTACK_TRY_ASSIGN(std::string s, string(n, what));
    return version_text(std::move(s), where_of(n.source()), what);
  }

  [[nodiscard]] Result<VersionText> version_text(std::string s, Position p,
                                                 std::string_view what) const {
    auto v = pep440::Version::parse(s);
    if (!v || v->is_prerelease() || v->is_postrelease() || !v->local().empty()) {
      return unexpected(error(p, "expected a version such as `11.2` for " + std::string(what) +
                                     ", found `" + text::escape_controls(s) + "`",
                              s.size() + 2));
    }
    return VersionText{std::move(s), std::move(v).value(), p};
  }

  [[nodiscard]] Result<pep440::SpecifierSet> specifiers(std::string_view s, Position p,
                                                        std::string_view what) const {
    auto set = pep440::SpecifierSet::parse(s);
    if (!set) {
      return unexpected(error(p, "expected PEP 440 version specifiers such as `==1.12.1` or "
                                 "`>=2.9.1,<2.10` for " + std::string(what) + ", found `" +
                                     text::escape_controls(s) + "`: " + set.error().message,
                              s.size() + 2));
    }
    return std::move(set).value();
  }

  [[nodiscard]] Result<std::vector<pep508::Requirement>> requirements(const toml::node& n,
                                                                      std::string_view what) const {
    MLSTACK_TRY_ASSIGN(auto items, strings(n, what));
    std::vector<pep508::Requirement> out;
    for (auto& [s, p] : items) {
      auto r = pep508::Requirement::parse(s);
      if (!r) {
        return unexpected(error(p, "expected a PEP 508 requirement such as `pillow>=9` in " +
                                       std::string(what) + ", found `" +
                                       text::escape_controls(s) + "`: " + r.error().message,
                                s.size() + 2));
      }
      out.push_back(std::move(r).value());
    }
    return out;
  }

  // A framework name as the knowledge base spells it; an error naming the near one.
  [[nodiscard]] Result<std::string> framework_name(std::string_view name, Position p) const {
    const auto& known = known_frameworks();
    if (std::find(known.begin(), known.end(), name) != known.end()) {
      return std::string(name);
    }
    std::string message = "unknown framework `" + text::escape_controls(name) + "`";
    std::string_view near;
    for (const auto& [alias, real] : k_aliases) {
      if (text::iequals(alias, name)) {
        near = real;
      }
    }
    if (near.empty()) {
      near = text::closest(name, known, 3);
    }
    message += near.empty() ? "; expected " + list(known)
                            : "; did you mean `" + std::string(near) + "`?";
    return unexpected(error(p, std::move(message), name.size()));
  }

  [[nodiscard]] const std::string& file() const { return m_file; }

 private:
  std::string m_file;
  std::vector<std::string_view> m_lines;
};

std::vector<std::string_view> keys(const std::string_view* begin, const std::string_view* end) {
  return {begin, end};
}

// The table's entries in file order (toml++ keeps keys sorted).
std::vector<std::pair<std::string_view, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<std::string_view, const toml::node*>> out;
  for (const auto& [key, value] : t) {
    out.emplace_back(key.str(), &value);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& x = a.second->source().begin;
    const auto& y = b.second->source().begin;
    return x.line != y.line ? x.line < y.line : x.column < y.column;
  });
  return out;
}

Result<const toml::table*> table(const Reader& r, const toml::node& n, std::string_view name) {
  if (const auto* t = n.as_table()) {
    return t;
  }
  return unexpected(r.error(where_of(n.source()), "expected a table for `" + std::string(name) +
                                                      "`, found " +
                                                      std::string(Reader::type_name(n))));
}

Result<Target> read_target(const Reader& r, const toml::table& t, Position header) {
  if (auto ok = r.known_keys(t, "[target]", keys(std::begin(k_target_keys),
                                                          std::end(k_target_keys))); !ok) {
    return unexpected(std::move(ok).error());
  }
  Target out;
  const toml::node* python = t.get("python");
  if (python == nullptr) {
    return unexpected(r.error(header, "missing key `python` in [target]; expected the images' "
                                      "Python version, such as `python = \"3.9\"`"));
  }
  MLSTACK_TRY_ASSIGN(out.python, r.version(*python, "`python`"));
  if (out.python.version.release().size() != 2) {
    return unexpected(r.error(out.python.where,
                              "expected a Python version `X.Y` for `python`, found `" +
                                  out.python.text + "`",
                              out.python.text.size() + 2));
  }
  if (const toml::node* n = t.get("base")) {
    MLSTACK_TRY_ASSIGN(out.base, r.string(*n, "`base`"));
    out.base_where = where_of(n->source());
    if (out.base.empty() || std::any_of(out.base.begin(), out.base.end(), [](char c) {
          return text::is_ascii_space(c) || static_cast<unsigned char>(c) < 0x20;
        })) {
      return unexpected(r.error(out.base_where, "expected an image reference such as "
                                                "`debian:bullseye` for `base`"));
    }
  }
  if (const toml::node* n = t.get("cuda")) {
    MLSTACK_TRY_ASSIGN(out.cuda, r.version(*n, "`cuda`"));
  }
  if (const toml::node* n = t.get("min_driver")) {
    MLSTACK_TRY_ASSIGN(out.min_driver, r.version(*n, "`min_driver`"));
  }
  if (const toml::node* n = t.get("gpus")) {
    MLSTACK_TRY_ASSIGN(auto gpus, r.strings(*n, "`gpus`"));
    for (auto& [name, p] : gpus) {
      if (text::trim(name).empty()) {
        return unexpected(r.error(p, "expected a GPU model name such as `A100` in `gpus`"));
      }
      out.gpus.push_back(std::move(name));
    }
  }
  if (const toml::node* n = t.get("compute_capabilities")) {
    MLSTACK_TRY_ASSIGN(auto ccs, r.strings(*n, "`compute_capabilities`"));
    for (auto& [cc, p] : ccs) {
      MLSTACK_TRY_ASSIGN(VersionText v, r.version_text(cc, p, "`compute_capabilities`"));
      if (v.version.release().size() != 2) {
        return unexpected(r.error(p, "expected a compute capability `X.Y` such as `8.6`, found `" +
                                         cc + "`",
                                  cc.size() + 2));
      }
      out.compute_capabilities.push_back(std::move(v));
    }
  }
  return out;
}

Result<std::vector<Framework>> read_frameworks(const Reader& r, const toml::table& t) {
  std::vector<Framework> out;
  for (const auto& [key, node] : in_file_order(t)) {
    Framework fw;
    const toml::key* k = nullptr;
    for (const auto& [kk, vv] : t) {
      if (&vv == node) {
        k = &kk;
      }
    }
    const Position key_at = k != nullptr ? where_of(k->source()) : where_of(node->source());
    MLSTACK_TRY_ASSIGN(fw.name, r.framework_name(key, key_at));
    fw.where = key_at;
    const std::string what = "framework `" + fw.name + "`";
    const toml::node* version = node;
    if (const auto* inner = node->as_table()) {
      if (auto ok = r.known_keys(*inner, "framework `" + fw.name + "`",
                                           keys(std::begin(k_framework_keys),
                                                std::end(k_framework_keys))); !ok) {
    return unexpected(std::move(ok).error());
  }
      version = inner->get("version");
      if (const toml::node* v = inner->get("variant")) {
        MLSTACK_TRY_ASSIGN(fw.variant, r.string(*v, "`variant`"));
      }
    } else if (node->as_string() == nullptr) {
      return unexpected(r.error(where_of(node->source()),
                                "expected version specifiers (a string such as `\"==1.12.1\"`) or "
                                "a table `{ version = ..., variant = ... }` for " + what +
                                    ", found " + std::string(Reader::type_name(*node))));
    }
    if (version != nullptr) {
      MLSTACK_TRY_ASSIGN(std::string s, r.string(*version, "the version of " + what));
      MLSTACK_TRY_ASSIGN(fw.versions, r.specifiers(s, where_of(version->source()), what));
    }
    out.push_back(std::move(fw));
  }
  return out;
}

Result<Variant> read_variant(const Reader& r, std::string_view name, const toml::node& n,
                             const Spec& spec) {
  Variant v;
  v.name = std::string(name);
  v.where = where_of(n.source());
  const std::string what = "variant `" + v.name + "`";
  const toml::node* frameworks = &n;
  if (const auto* t = n.as_table()) {
    if (auto ok = r.known_keys(*t, what, keys(std::begin(k_variant_keys),
                                                        std::end(k_variant_keys))); !ok) {
    return unexpected(std::move(ok).error());
  }
    frameworks = t->get("frameworks");
    if (const toml::node* p = t->get("packages")) {
      MLSTACK_TRY_ASSIGN(v.packages, r.requirements(*p, "`packages` of " + what));
    }
  }
  if (frameworks == nullptr) {
    return v;
  }
  MLSTACK_TRY_ASSIGN(auto names, r.strings(*frameworks, "the frameworks of " + what));
  for (auto& [fw, p] : names) {
    MLSTACK_TRY_ASSIGN(std::string canonical, r.framework_name(fw, {p.line, p.column + 1}));
    if (spec.framework(canonical) == nullptr) {
      return unexpected(r.error(p, what + " names `" + canonical +
                                       "`, which is not in [frameworks]; add it there with its "
                                       "versions",
                                fw.size() + 2));
    }
    if (std::find(v.frameworks.begin(), v.frameworks.end(), canonical) != v.frameworks.end()) {
      return unexpected(r.error(p, what + " names `" + canonical + "` twice", fw.size() + 2));
    }
    v.frameworks.push_back(std::move(canonical));
  }
  return v;
}

Result<Memory> read_memory(const Reader& r, const toml::table& t, const Spec& spec) {
  if (auto ok = r.known_keys(t, "[memory]", keys(std::begin(k_memory_keys),
                                                          std::end(k_memory_keys))); !ok) {
    return unexpected(std::move(ok).error());
  }
  Memory m;
  if (const toml::node* g = t.get("growth")) {
    const auto* b = g->as_boolean();
    if (b == nullptr) {
      return unexpected(r.error(where_of(g->source()), "expected `true` or `false` for `growth`"));
    }
    m.growth = b->get();
  }
  const toml::node* f = t.get("fractions");
  if (f == nullptr) {
    return m;
  }
  MLSTACK_TRY_ASSIGN(const toml::table* fractions, table(r, *f, "fractions"));
  double sum = 0;
  for (const auto& [name, node] : in_file_order(*fractions)) {
    MLSTACK_TRY_ASSIGN(std::string fw, r.framework_name(name, where_of(node->source())));
    if (spec.framework(fw) == nullptr) {
      return unexpected(r.error(where_of(node->source()),
                                "a memory fraction for `" + fw + "`, which is not in [frameworks]"));
    }
    double value = 0;
    if (const auto* d = node->as_floating_point()) {
      value = d->get();
    } else if (const auto* i = node->as_integer()) {
      value = static_cast<double>(i->get());
    } else {
      return unexpected(r.error(where_of(node->source()),
                                "expected a number from 0 to 1 for the memory fraction of `" + fw +
                                    "`, found " + std::string(Reader::type_name(*node))));
    }
    if (!std::isfinite(value) || value <= 0 || value > 1) {
      return unexpected(r.error(where_of(node->source()),
                                "expected a memory fraction above 0 and at most 1 for `" + fw +
                                    "`, found " + text::escape_controls(std::to_string(value))));
    }
    sum += value;
    if (sum > 1.0 + 1e-9) {
      return unexpected(r.error(where_of(node->source()),
                                "memory fractions add up to more than 1 (" +
                                    std::to_string(sum).substr(0, 4) +
                                    "); frameworks on one GPU cannot share more than all of it"));
    }
    m.fractions.emplace_back(std::move(fw), value);
  }
  return m;
}

void default_variants(Spec& spec) {
  spec.variants.push_back({"base", {}, {}, {}});
  for (const Framework& fw : spec.frameworks) {
    spec.variants.push_back({fw.name, {fw.name}, {}, fw.where});
  }
  if (spec.frameworks.size() >= 2) {
    Variant full{"full", {}, {}, {}};
    for (const Framework& fw : spec.frameworks) {
      full.frameworks.push_back(fw.name);
    }
    spec.variants.push_back(std::move(full));
  }
}

bool valid_variant_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return text::is_ascii_alnum(c) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

const std::vector<std::string_view>& known_frameworks() {
  static const std::vector<std::string_view> names = {"tensorflow", "torch", "jax", "onnxruntime",
                                                      "cupy"};
  return names;
}

const Framework* Spec::framework(std::string_view n) const {
  for (const Framework& fw : frameworks) {
    if (fw.name == n) {
      return &fw;
    }
  }
  return nullptr;
}

Result<Spec> parse_spec(std::string_view file, std::string_view text) {
  if (auto ok = text::check_toml_text(file, text); !ok) {
    return unexpected(std::move(ok).error());
  }
  const Reader r(file, text);
  toml::parse_result parsed = toml::parse(text, std::string(file));
  if (!parsed) {
    const toml::parse_error& err = parsed.error();
    return unexpected(r.error(where_of(err.source()), std::string(err.description())));
  }
  const toml::table& root = parsed.table();
  if (auto ok = r.known_keys(root, "the spec", keys(std::begin(k_top_keys),
                                                              std::end(k_top_keys))); !ok) {
    return unexpected(std::move(ok).error());
  }
  Spec spec;
  spec.file = std::string(file);
  if (const toml::node* n = root.get("name")) {
    MLSTACK_TRY_ASSIGN(spec.name, r.string(*n, "`name`"));
  }
  const toml::node* target = root.get("target");
  if (target == nullptr) {
    return unexpected(r.error({1, 1}, "missing table [target]; expected at least `[target]` "
                                      "with `python = \"3.9\"`"));
  }
  MLSTACK_TRY_ASSIGN(const toml::table* target_table, table(r, *target, "target"));
  MLSTACK_TRY_ASSIGN(spec.target, read_target(r, *target_table, where_of(target->source())));
  if (const toml::node* n = root.get("frameworks")) {
    MLSTACK_TRY_ASSIGN(const toml::table* t, table(r, *n, "frameworks"));
    MLSTACK_TRY_ASSIGN(spec.frameworks, read_frameworks(r, *t));
  }
  if (const toml::node* n = root.get("packages")) {
    MLSTACK_TRY_ASSIGN(const toml::table* t, table(r, *n, "packages"));
    if (auto ok = r.known_keys(*t, "[packages]", keys(std::begin(k_packages_keys),
                                                               std::end(k_packages_keys))); !ok) {
    return unexpected(std::move(ok).error());
  }
    if (const toml::node* req = t->get("requirements")) {
      MLSTACK_TRY_ASSIGN(spec.packages, r.requirements(*req, "`requirements`"));
    }
  }
  if (const toml::node* n = root.get("variants")) {
    MLSTACK_TRY_ASSIGN(const toml::table* t, table(r, *n, "variants"));
    spec.variants_source = VariantsSource::spec;
    for (const auto& [name, node] : in_file_order(*t)) {
      if (!valid_variant_name(name)) {
        return unexpected(r.error(where_of(node->source()),
                                  "expected a variant name of letters, digits, `-`, `_` and `.`, "
                                  "found `" + text::escape_controls(name) + "`"));
      }
      MLSTACK_TRY_ASSIGN(Variant v, read_variant(r, name, *node, spec));
      spec.variants.push_back(std::move(v));
    }
    if (spec.variants.empty()) {
      return unexpected(r.error(where_of(n->source()), "expected at least one variant in "
                                                       "[variants], such as `full = [\"torch\"]`"));
    }
  } else {
    default_variants(spec);
  }
  if (const toml::node* n = root.get("memory")) {
    MLSTACK_TRY_ASSIGN(const toml::table* t, table(r, *n, "memory"));
    MLSTACK_TRY_ASSIGN(spec.memory, read_memory(r, *t, spec));
  }
  return spec;
}

}  // namespace mlstack::spec
