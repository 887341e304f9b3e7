// SPDX-License-Identifier: MIT
#include "mlstack/plan/versions.hpp"

#include <algorithm>
#include <string>

namespace mlstack::plan::detail {
namespace {

constexpr std::uint64_t k_wildcard_patches = 40;

std::string release_text(const pep440::Version& v, std::size_t parts) {
  std::string out;
  for (std::size_t i = 0; i < parts; ++i) {
    out += (i == 0 ? "" : ".") + std::to_string(v.release_part(i));
  }
  return out;
}

void add(std::vector<pep440::Version>& out, const std::string& text) {
  if (auto v = pep440::Version::parse(text)) {
    out.push_back(std::move(v).value());
  }
}

}  // namespace

std::vector<pep440::Version> probes(const pep440::SpecifierSet& set) {
  std::vector<pep440::Version> out;
  for (const pep440::Specifier& s : set.specifiers()) {
    const auto v = s.version();
    if (!v) {
      continue;
    }
    const std::size_t n = std::max<std::size_t>(v->release().size(), 1);
    if (s.has_wildcard()) {
      for (std::uint64_t p = 0; p < k_wildcard_patches; ++p) {
        add(out, release_text(*v, n) + "." + std::to_string(p));
      }
      continue;
    }
    out.push_back(*v);
    const std::uint64_t last = v->release_part(n - 1);
    const std::string head = n > 1 ? release_text(*v, n - 1) + "." : std::string();
    add(out, head + std::to_string(last + 1));
    add(out, release_text(*v, n) + ".1");
    if (last > 0) {
      add(out, head + std::to_string(last - 1));
      add(out, head + std::to_string(last - 1) + ".999");
    }
    if (v->release_part(0) > 0) {
      add(out, std::to_string(v->release_part(0) - 1) + ".999");
    }
  }
  add(out, "0");
  return out;
}

bool overlap(const pep440::SpecifierSet& a, const pep440::SpecifierSet& b) {
  for (const auto* set : {&a, &b}) {
    for (const pep440::Version& v : probes(*set)) {
      if (a.contains(v) && b.contains(v)) {
        return true;
      }
    }
  }
  return false;
}

bool satisfiable(const pep440::SpecifierSet& set) {
  const std::vector<pep440::Version> candidates = probes(set);
  return std::any_of(candidates.begin(), candidates.end(),
                     [&](const pep440::Version& v) { return set.contains(v); });
}

pep440::SpecifierSet intersect(const std::vector<const pep440::SpecifierSet*>& sets) {
  std::string text;
  for (const pep440::SpecifierSet* s : sets) {
    const std::string part = s->to_string();
    if (!part.empty()) {
      text += (text.empty() ? "" : ",") + part;
    }
  }
  auto parsed = pep440::SpecifierSet::parse(text);
  return parsed ? std::move(parsed).value() : pep440::SpecifierSet();
}

std::optional<pep440::Version> version(std::string_view text) {
  auto v = pep440::Version::parse(text);
  if (!v) {
    return std::nullopt;
  }
  return std::move(v).value();
}

std::string major_minor(std::string_view text) {
  const auto v = version(text);
  if (!v) {
    return std::string(text);
  }
  if (v->release().size() < 2) {
    return std::to_string(v->release_part(0));  // a major alone (`11`: any 11.x)
  }
  return std::to_string(v->release_part(0)) + "." + std::to_string(v->release_part(1));
}

std::uint64_t major(std::string_view text) {
  std::uint64_t n = 0;
  std::size_t i = 0;
  for (; i < text.size() && i < 9 && text[i] >= '0' && text[i] <= '9'; ++i) {
    n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  return i == 0 ? 0 : n;
}

std::optional<std::string> exact_pin(const pep440::SpecifierSet& set) {
  if (set.specifiers().size() != 1) {
    return std::nullopt;
  }
  const pep440::Specifier& s = set.specifiers().front();
  if (s.op() != pep440::Operator::equal || s.has_wildcard()) {
    return std::nullopt;
  }
  return std::string(s.version_text());
}

}  // namespace mlstack::plan::detail
