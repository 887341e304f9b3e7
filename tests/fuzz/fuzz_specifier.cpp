// SPDX-License-Identifier: MIT
// libFuzzer target: pep440::SpecifierSet::parse and `contains`. A set that parses prints a
// form that parses to an equal set and prints the same; `contains` gives the same answer on
// both, for a few versions and for each specifier's own version.
#include "mlstack/pep440/specifier.hpp"
#include "mlstack/pep440/version.hpp"

#include "fuzz_check.hpp"

#include <array>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mlstack::pep440::Prereleases;
  using mlstack::pep440::SpecifierSet;
  using mlstack::pep440::Version;
  const auto set = SpecifierSet::parse(mlstack::fuzz::as_text(data, size));
  if (!set) {
    return 0;
  }
  const std::string printed = set->to_string();
  const auto again = SpecifierSet::parse(printed);
  MLSTACK_FUZZ_CHECK(again.has_value());
  MLSTACK_FUZZ_CHECK(*again == *set);
  MLSTACK_FUZZ_CHECK(again->to_string() == printed);
  static const std::array<Version, 5> k_versions = {
      Version::parse("0").value(), Version::parse("1.0").value(), Version::parse("2.0rc1").value(),
      Version::parse("1!3.1.post2.dev0+local").value(), Version::parse("4.5.6").value()};
  for (const Version& v : k_versions) {
    for (const Prereleases p : {Prereleases::by_default, Prereleases::allow, Prereleases::deny}) {
      MLSTACK_FUZZ_CHECK(set->contains(v, p) == again->contains(v, p));
    }
  }
  for (const auto& spec : set->specifiers()) {
    (void)set->contains(spec.version_text(), Prereleases::allow);
  }
  return 0;
}
