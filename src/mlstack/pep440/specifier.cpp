// SPDX-License-Identifier: MIT
#include "mlstack/pep440/specifier.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/names/python_case.hpp"
#include "mlstack/pep440/detail/python_space.hpp"

#include <algorithm>
#include <array>
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

// `===`: `str(item).lower() == spec.lower()`, Python's full Unicode lowercase (`===1.0+K`
// with U+212A KELVIN SIGN holds `1.0+k`).
bool arbitrary_equal(std::string_view item, std::string_view spec) {
  const auto ascii = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  };
  if (ascii(item) && ascii(spec)) {
    return text::iequals(item, spec);
  }
  return names::python_lower(item) == names::python_lower(spec);
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

  Operator op = Operator::equal;
  std::size_t i = 0;
  for (const auto& o : k_operators) {
    if (spec.starts_with(o.text)) {
      op = o.op;
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
  Specifier out;
  out.m_version = detail::PackedText(rest);

  if (op == Operator::arbitrary) {
    // Anything but whitespace, `;` and `)` (the characters that end it inside a requirement).
    for (std::size_t j = 0; j < rest.size(); ++j) {
      if (rest[j] == ';' || rest[j] == ')' || detail::python_space_at(rest, j) != 0) {
        const std::string found = quoted(rest.substr(j, detail::utf8_char_length(rest, j)));
        return unexpected(
            spec_error("expected end of specifier, found " + found, text, rest_at + j));
      }
    }
    out.set_flags(op, false, false);
    return out;
  }

  if (rest.empty()) {
    return unexpected(spec_error(
        "expected version after " + quoted(op_text) + ", found end of input", text, rest_at));
  }

  const bool eq_or_ne = op == Operator::equal || op == Operator::not_equal;
  const bool wildcard = rest.ends_with(".*");
  const std::string_view base = wildcard ? rest.substr(0, rest.size() - 2) : rest;
  if (wildcard && !eq_or_ne) {
    return unexpected(
        spec_error("expected end of specifier, found `.*` (a wildcard needs `==` or `!=`)", text,
                   rest_at + base.size(), 2));
  }
  // A number past Python's `int()` limit is no error here: packaging's regex accepts the
  // specifier, and only its uses raise.
  bool too_long = false;
  auto parsed = detail::parse_version_exact(base, text, rest_at, &too_long);
  if (!parsed) {
    return unexpected(std::move(parsed).error());
  }
  const Version& v = *parsed;
  if (wildcard && (v.pre() || v.post() || v.dev() || !v.local().empty())) {
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
  if (op == Operator::compatible && v.release().size() < 2) {
    return unexpected(
        spec_error("expected a release with at least two parts after `~=`, found " + quoted(rest),
                   text, rest_at, rest.size()));
  }
  out.set_flags(op, wildcard, too_long);
  return out;
}

void Specifier::set_flags(Operator op, bool wildcard, bool too_long) noexcept {
  auto bits = static_cast<std::uint8_t>(static_cast<std::uint8_t>(op) & k_op_bits);
  if (wildcard) {
    bits |= k_wildcard_bit;
  }
  if (too_long) {
    bits |= k_too_long_bit;
  }
  m_version.set_spare(bits);
}

Operator Specifier::op() const noexcept {
  return static_cast<Operator>(m_version.spare() & k_op_bits);
}
std::string_view Specifier::version_text() const noexcept { return m_version.view(); }
bool Specifier::has_wildcard() const noexcept { return (m_version.spare() & k_wildcard_bit) != 0; }
bool Specifier::exceeds_int_limit() const noexcept {
  return (m_version.spare() & k_too_long_bit) != 0;
}

Version Specifier::parsed() const {
  MLSTACK_ASSERT(op() != Operator::arbitrary && !exceeds_int_limit());
  const std::string_view text = m_version.view();
  const std::string_view base = has_wildcard() ? text.substr(0, text.size() - 2) : text;
  auto v = detail::parse_version_exact(base, base, 0);
  MLSTACK_ASSERT(v.has_value() && "validated by Specifier::parse");
  return std::move(v).value();
}

std::optional<Version> Specifier::version() const {
  if (op() == Operator::arbitrary) {
    auto v = Version::parse(m_version.view());
    return v ? std::optional<Version>(std::move(v).value()) : std::nullopt;
  }
  if (exceeds_int_limit()) {
    return std::nullopt;
  }
  return parsed();
}

std::string Specifier::to_string() const {
  std::string out(spelling(op()));
  out += m_version.view();
  return out;
}

Prereleases Specifier::prereleases() const {
  if (op() == Operator::not_equal || (op() == Operator::equal && has_wildcard())) {
    return Prereleases::deny;
  }
  const auto v = version();
  if (!v) {
    return Prereleases::by_default;
  }
  return v->is_prerelease() ? Prereleases::allow : Prereleases::deny;
}

bool Specifier::matches_equal(const Version& v, const Version& spec) const {
  if (has_wildcard()) {
    return v.epoch() == spec.epoch() && release_prefix_equal(v, spec, spec.release().size());
  }
  if (!spec.local().empty()) {
    return v == spec;
  }
  return Version::compare_public(v, spec) == 0;  // `==1.0` matches `1.0+anything`
}

bool Specifier::matches(const Version& v, const Version& spec) const {
  switch (op()) {
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
  if (op() == Operator::arbitrary) {
    return arbitrary_equal(v.to_string(), m_version.view());
  }
  if (exceeds_int_limit()) {
    return false;
  }
  return matches(v, parsed());
}

bool Specifier::contains(std::string_view version_text, Prereleases prereleases) const {
  if (op() == Operator::arbitrary) {
    if (!arbitrary_equal(version_text, m_version.view())) {
      return false;
    }
    const auto v = Version::parse(version_text);
    return !(v && rejected_as_prerelease(*v, prereleases));
  }
  const auto v = Version::parse(version_text);
  return v && contains(*v, prereleases);
}

std::string Specifier::canonical_version() const {
  if (op() == Operator::arbitrary || has_wildcard() || exceeds_int_limit()) {
    return std::string(m_version.view());
  }
  const Version v = parsed();
  return op() == Operator::compatible ? v.to_string() : v.canonical_string();
}

bool operator==(const Specifier& a, const Specifier& b) {
  return a.op() == b.op() && a.canonical_version() == b.canonical_version();
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

namespace {

// `str(a) < str(b)` (the operator's spelling, then the version as written), without building
// the strings: code point order is UTF-8 byte order.
bool str_less(std::string_view a_op, std::string_view a_version, std::string_view b_op,
              std::string_view b_version) noexcept {
  const auto at = [](std::string_view x, std::string_view y, std::size_t i) {
    return static_cast<unsigned char>(i < x.size() ? x[i] : y[i - x.size()]);
  };
  const std::size_t na = a_op.size() + a_version.size();
  const std::size_t nb = b_op.size() + b_version.size();
  for (std::size_t i = 0; i < na && i < nb; ++i) {
    const unsigned char ca = at(a_op, a_version, i);
    const unsigned char cb = at(b_op, b_version, i);
    if (ca != cb) {
      return ca < cb;
    }
  }
  return na < nb;
}

}  // namespace

std::vector<std::uint32_t> SpecifierSet::canonical_order() const {
  // A set is parsed from one metadata field; the readers cap files far below 2^32 bytes.
  MLSTACK_ASSERT(m_specs.size() <= UINT32_MAX);
  std::vector<std::uint32_t> order(m_specs.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  if (order.size() < 2) {
    return order;  // packaging does not canonicalize a set of one
  }
  // `dict.fromkeys(sorted(specs, key=str))`: the first of each canonical spec in string order.
  // A set may hold a million specifiers, so neither the strings nor the canonical keys are
  // kept (4 + 12 bytes a specifier here): the specifiers are sorted in place of their strings,
  // and duplicates are found by a hash of the canonical key, compared exactly within a group
  // of equal hashes.
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const Specifier& x = m_specs[a];
    const Specifier& y = m_specs[b];
    return str_less(spelling(x.op()), x.version_text(), spelling(y.op()), y.version_text());
  });
  const auto canonical_key = [](const Specifier& spec) {
    std::string key(spelling(spec.op()));
    key += '\n';  // no version holds whitespace
    key += spec.canonical_version();
    return key;
  };
  std::vector<bool> duplicate(order.size(), false);  // by position in `order`
  {
    std::vector<std::size_t> hashes(order.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
      hashes[k] = std::hash<std::string>{}(canonical_key(m_specs[order[k]]));
    }
    std::vector<std::uint32_t> by_hash(order.size());  // positions in `order`
    for (std::uint32_t k = 0; k < by_hash.size(); ++k) {
      by_hash[k] = k;
    }
    std::sort(by_hash.begin(), by_hash.end(), [&](std::uint32_t a, std::uint32_t b) {
      return hashes[a] != hashes[b] ? hashes[a] < hashes[b] : a < b;
    });
    for (std::size_t g = 0; g < by_hash.size();) {
      std::size_t end = g + 1;
      while (end < by_hash.size() && hashes[by_hash[end]] == hashes[by_hash[g]]) {
        ++end;
      }
      if (end - g > 1) {  // equal hashes: compare the keys; the earliest of equal ones stays
        std::vector<std::string> kept;
        for (std::size_t k = g; k < end; ++k) {
          std::string key = canonical_key(m_specs[order[by_hash[k]]]);
          if (std::find(kept.begin(), kept.end(), key) != kept.end()) {
            duplicate[by_hash[k]] = true;
          } else {
            kept.push_back(std::move(key));
          }
        }
      }
      g = end;
    }
  }
  std::size_t kept = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (!duplicate[k]) {
      order[kept++] = order[k];
    }
  }
  order.resize(kept);
  return order;
}

std::string SpecifierSet::to_string() const {
  const std::vector<std::uint32_t> order = canonical_order();
  std::size_t size = 0;
  for (const std::uint32_t i : order) {
    size += spelling(m_specs[i].op()).size() + m_specs[i].version_text().size() + 1;
  }
  std::string out;
  out.reserve(size);
  for (const std::uint32_t i : order) {
    if (!out.empty()) {
      out += ',';
    }
    out += spelling(m_specs[i].op());
    out += m_specs[i].version_text();
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
  const auto x = a.canonical_order();
  const auto y = b.canonical_order();
  return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                    [&](std::uint32_t p, std::uint32_t q) { return a.m_specs[p] == b.m_specs[q]; });
}

}  // namespace mlstack::pep440
