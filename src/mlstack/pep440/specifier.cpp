// SPDX-License-Identifier: MIT
#include "mlstack/pep440/specifier.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/pep440/detail/python_space.hpp"

#include <algorithm>
#include <array>
#include <unordered_set>
#include <utility>

namespace mlstack::pep440 {
namespace {

struct OperatorSpelling {
  std::string_view text;
  Operator op;
};

// Longest first, as packaging splits `===` before the two-character operators.
constexpr std::array k_operators{
    OperatorSpelling{"===", Operator::arbitrary}, OperatorSpelling{"~=", Operator::compatible},
    OperatorSpelling{"==", Operator::equal},      OperatorSpelling{"!=", Operator::not_equal},
    OperatorSpelling{"<=", Operator::less_equal}, OperatorSpelling{">=", Operator::greater_equal},
    OperatorSpelling{"<", Operator::less},        OperatorSpelling{">", Operator::greater},
};

std::string_view spelling(Operator op) noexcept {
  for (const auto& o : k_operators) {
    if (o.op == op) {
      return o.text;
    }
  }
  return "";
}

std::string quoted(std::string_view s) { return "`" + std::string(s) + "`"; }

// Whether the first `count` release parts of `v` (zero-padded) equal those of `prefix`.
bool release_prefix_equal(const Version& v, const Version& prefix, std::size_t count) noexcept {
  static const Number k_zero;
  const auto& a = v.release();
  const auto& b = prefix.release();
  for (std::size_t i = 0; i < count; ++i) {
    const Number& x = i < a.size() ? a[i] : k_zero;
    const Number& y = i < b.size() ? b[i] : k_zero;
    if (x != y) {
      return false;
    }
  }
  return true;
}

bool release_equal(const Version& a, const Version& b) noexcept {
  return release_prefix_equal(a, b, std::max(a.release().size(), b.release().size()));
}

bool rejected_as_prerelease(const Version& v, Prereleases prereleases) noexcept {
  return prereleases == Prereleases::deny && v.is_prerelease();
}

Error spec_error(std::string message, std::string_view input, std::size_t begin,
                 std::size_t length = 1) {
  return make_parse_error(std::move(message), std::string(input), begin, length);
}

}  // namespace

Result<Specifier> Specifier::parse(std::string_view text) {
  const std::string_view spec = detail::python_strip(text);
  const auto offset = static_cast<std::size_t>(spec.data() - text.data());
  if (spec.empty()) {
    return unexpected(
        spec_error("expected version specifier, found end of input", text, text.size()));
  }

  Specifier out;
  std::size_t i = 0;
  for (const auto& o : k_operators) {
    if (spec.starts_with(o.text)) {
      out.m_op = o.op;
      i = o.text.size();
      break;
    }
  }
  if (i == 0) {
    const std::string found = quoted(spec.substr(0, detail::utf8_char_length(spec, 0)));
    return unexpected(spec_error(
        "expected comparison operator (`==`, `!=`, `<=`, `>=`, `<`, `>`, `~=`, `===`), found " +
            found,
        text, offset));
  }
  const std::string_view op_text = spec.substr(0, i);
  while (const std::size_t n = detail::python_space_at(spec, i)) {
    i += n;
  }
  const std::string_view rest = spec.substr(i);
  const std::size_t rest_at = offset + i;
  out.m_version = std::string(rest);

  if (out.m_op == Operator::arbitrary) {
    // Anything but whitespace, `;` and `)` (the characters that end it inside a requirement).
    for (std::size_t j = 0; j < rest.size(); ++j) {
      if (rest[j] == ';' || rest[j] == ')' || detail::python_space_at(rest, j) != 0) {
        const std::string found = quoted(rest.substr(j, detail::utf8_char_length(rest, j)));
        return unexpected(
            spec_error("expected end of specifier, found " + found, text, rest_at + j));
      }
    }
    return out;
  }

  if (rest.empty()) {
    return unexpected(spec_error(
        "expected version after " + quoted(op_text) + ", found end of input", text, rest_at));
  }

  const bool eq_or_ne = out.m_op == Operator::equal || out.m_op == Operator::not_equal;
  out.m_wildcard = rest.ends_with(".*");
  const std::string_view base = out.m_wildcard ? rest.substr(0, rest.size() - 2) : rest;
  if (out.m_wildcard && !eq_or_ne) {
    return unexpected(
        spec_error("expected end of specifier, found `.*` (a wildcard needs `==` or `!=`)", text,
                   rest_at + base.size(), 2));
  }
  // A number past Python's `int()` limit is no error here: packaging's regex accepts the
  // specifier, and only its uses raise.
  auto parsed = detail::parse_version_exact(base, text, rest_at, &out.m_too_long);
  if (!parsed) {
    return unexpected(std::move(parsed).error());
  }
  const Version& v = *parsed;
  if (out.m_wildcard && (v.pre() || v.post() || v.dev() || !v.local().empty())) {
    return unexpected(spec_error(
        "expected end of specifier, found `.*` (a wildcard can only follow a release such as "
        "`1.2`)",
        text, rest_at + base.size(), 2));
  }
  if (!eq_or_ne && !v.local().empty()) {
    const std::size_t plus = base.find('+');
    return unexpected(spec_error("expected end of specifier, found " + quoted(base.substr(plus)) +
                                     " (a local version needs `==` or `!=`)",
                                 text, rest_at + plus, base.size() - plus));
  }
  if (out.m_op == Operator::compatible && v.release().size() < 2) {
    return unexpected(
        spec_error("expected a release with at least two parts after `~=`, found " + quoted(rest),
                   text, rest_at, rest.size()));
  }
  return out;
}

Operator Specifier::op() const noexcept { return m_op; }
const std::string& Specifier::version_text() const noexcept { return m_version; }
bool Specifier::has_wildcard() const noexcept { return m_wildcard; }

Version Specifier::parsed() const {
  MLSTACK_ASSERT(m_op != Operator::arbitrary && !m_too_long);
  const std::string_view text = m_version;
  const std::string_view base = m_wildcard ? text.substr(0, text.size() - 2) : text;
  auto v = detail::parse_version_exact(base, base, 0);
  MLSTACK_ASSERT(v.has_value() && "validated by Specifier::parse");
  return std::move(v).value();
}

std::optional<Version> Specifier::version() const {
  if (m_op == Operator::arbitrary) {
    auto v = Version::parse(m_version);
    return v ? std::optional<Version>(std::move(v).value()) : std::nullopt;
  }
  if (m_too_long) {
    return std::nullopt;
  }
  return parsed();
}

std::string Specifier::to_string() const {
  std::string out(spelling(m_op));
  out += m_version;
  return out;
}

Prereleases Specifier::prereleases() const {
  if (m_op == Operator::not_equal || (m_op == Operator::equal && m_wildcard)) {
    return Prereleases::deny;
  }
  const auto v = version();
  if (!v) {
    return Prereleases::by_default;
  }
  return v->is_prerelease() ? Prereleases::allow : Prereleases::deny;
}

bool Specifier::matches_equal(const Version& v, const Version& spec) const {
  if (m_wildcard) {
    return v.epoch() == spec.epoch() && release_prefix_equal(v, spec, spec.release().size());
  }
  if (!spec.local().empty()) {
    return v == spec;
  }
  return Version::compare_public(v, spec) == 0;  // `==1.0` matches `1.0+anything`
}

bool Specifier::matches(const Version& v, const Version& spec) const {
  switch (m_op) {
    case Operator::compatible:
      // `~=1.4.5` is `>=1.4.5, ==1.4.*`.
      return v.epoch() == spec.epoch() && v >= spec &&
             release_prefix_equal(v, spec, spec.release().size() - 1);
    case Operator::equal:
      return matches_equal(v, spec);
    case Operator::not_equal:
      return !matches_equal(v, spec);
    case Operator::less_equal:
      return Version::compare_public(v, spec) <= 0;
    case Operator::greater_equal:
      return Version::compare_public(v, spec) >= 0;
    case Operator::less:
      // `<V` excludes V's own pre-releases: its bound is V.dev0 (the earliest of them).
      return v < (spec.is_prerelease() ? spec : spec.with_dev(0));
    case Operator::greater:
      if (Version::compare_public(v, spec) <= 0) {
        return false;
      }
      if (spec.dev() || spec.post()) {
        return true;
      }
      // `>V` excludes V's post-releases (and their locals) unless V is one itself.
      return !(v.epoch() == spec.epoch() && release_equal(v, spec) && v.pre() == spec.pre());
    case Operator::arbitrary:
      break;
  }
  MLSTACK_ASSERT(false && "arbitrary equality has no version semantics");
  return false;
}

bool Specifier::contains(const Version& v, Prereleases prereleases) const {
  if (rejected_as_prerelease(v, prereleases)) {
    return false;
  }
  if (m_op == Operator::arbitrary) {
    return text::iequals(v.to_string(), m_version);
  }
  if (m_too_long) {
    return false;
  }
  return matches(v, parsed());
}

bool Specifier::contains(std::string_view version_text, Prereleases prereleases) const {
  if (m_op == Operator::arbitrary) {
    if (!text::iequals(version_text, m_version)) {
      return false;
    }
    const auto v = Version::parse(version_text);
    return !(v && rejected_as_prerelease(*v, prereleases));
  }
  const auto v = Version::parse(version_text);
  return v && contains(*v, prereleases);
}

std::string Specifier::canonical_version() const {
  if (m_op == Operator::arbitrary || m_wildcard || m_too_long) {
    return m_version;
  }
  const Version v = parsed();
  return m_op == Operator::compatible ? v.to_string() : v.canonical_string();
}

bool operator==(const Specifier& a, const Specifier& b) {
  return a.m_op == b.m_op && a.canonical_version() == b.canonical_version();
}

Result<SpecifierSet> SpecifierSet::parse(std::string_view text) {
  SpecifierSet out;
  out.m_specs.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), ',')) + 1);
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const std::string_view item = detail::python_strip(text.substr(start, end - start));
    if (!item.empty()) {
      auto spec = Specifier::parse(item);
      if (!spec) {
        Error e = std::move(spec).error();
        if (e.span) {
          e.span->input = std::string(text);
          e.span->begin += static_cast<std::size_t>(item.data() - text.data());
        }
        return unexpected(std::move(e));
      }
      out.m_specs.push_back(std::move(spec).value());
    }
    start = end + 1;
  }
  return out;
}

std::vector<const Specifier*> SpecifierSet::canonical_specs() const {
  std::vector<std::pair<std::string, const Specifier*>> sorted;
  sorted.reserve(m_specs.size());
  for (const auto& s : m_specs) {
    sorted.emplace_back(s.to_string(), &s);
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // `dict.fromkeys(sorted(specs, key=str))`: the first of each canonical spec, found through
  // a hash set (no quadratic scan, a set may hold a million specifiers).
  std::vector<const Specifier*> out;
  out.reserve(sorted.size());
  std::unordered_set<std::string> seen;
  seen.reserve(sorted.size());
  for (const auto& entry : sorted) {
    const Specifier& spec = *entry.second;
    std::string key(spelling(spec.m_op));
    key += '\n';  // no version holds whitespace
    key += spec.canonical_version();
    if (seen.insert(std::move(key)).second) {
      out.push_back(&spec);
    }
  }
  return out;
}

std::string SpecifierSet::to_string() const {
  std::string out;
  for (const Specifier* s : canonical_specs()) {
    if (!out.empty()) {
      out += ',';
    }
    out += s->to_string();
  }
  return out;
}

bool SpecifierSet::exceeds_int_limit() const noexcept {
  return std::any_of(m_specs.begin(), m_specs.end(),
                     [](const Specifier& s) { return s.exceeds_int_limit(); });
}

Prereleases SpecifierSet::prereleases() const {
  const bool any = std::any_of(m_specs.begin(), m_specs.end(), [](const Specifier& s) {
    return s.prereleases() == Prereleases::allow;
  });
  return any ? Prereleases::allow : Prereleases::by_default;
}

bool SpecifierSet::contains(const Version& v, Prereleases prereleases) const {
  if (rejected_as_prerelease(v, prereleases)) {
    return false;
  }
  return std::all_of(m_specs.begin(), m_specs.end(),
                     [&](const Specifier& s) { return s.contains(v, Prereleases::allow); });
}

bool SpecifierSet::contains(std::string_view version_text, Prereleases prereleases) const {
  const auto v = Version::parse(version_text);
  if (v && rejected_as_prerelease(*v, prereleases)) {
    return false;
  }
  // `===` sees the text as given (unnormalized); the others see the parsed version.
  return std::all_of(m_specs.begin(), m_specs.end(), [&](const Specifier& s) {
    if (s.op() == Operator::arbitrary) {
      return s.contains(version_text, Prereleases::allow);
    }
    return v && s.contains(*v, Prereleases::allow);
  });
}

bool operator==(const SpecifierSet& a, const SpecifierSet& b) {
  if (a.m_specs.size() == 1 && b.m_specs.size() == 1) {
    return a.m_specs.front() == b.m_specs.front();  // the common case, no sorting
  }
  const auto x = a.canonical_specs();
  const auto y = b.canonical_specs();
  return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                    [](const Specifier* p, const Specifier* q) { return *p == *q; });
}

}  // namespace mlstack::pep440
