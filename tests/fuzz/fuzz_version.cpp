// SPDX-License-Identifier: MIT
// libFuzzer target: pep440::Version::parse. A version that parses prints a normal form that
// parses to an equal version and prints the same (packaging's `str(Version(str(v)))`), and
// the ordering agrees with equality.
#include "mlstack/pep440/version.hpp"

#include "fuzz_check.hpp"

#include <compare>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mlstack::pep440::Version;
  const auto v = Version::parse(mlstack::fuzz::as_text(data, size));
  if (!v) {
    return 0;
  }
  const std::string printed = v->to_string();
  const auto again = Version::parse(printed);
  MLSTACK_FUZZ_CHECK(again.has_value());
  MLSTACK_FUZZ_CHECK(*again == *v);
  MLSTACK_FUZZ_CHECK((*again <=> *v) == std::strong_ordering::equal);
  MLSTACK_FUZZ_CHECK(again->to_string() == printed);
  static const Version k_one = Version::parse("1.0").value();
  MLSTACK_FUZZ_CHECK((*v < k_one) == (*again < k_one));
  return 0;
}
