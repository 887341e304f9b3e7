// SPDX-License-Identifier: MIT
// libFuzzer target: pep508::Requirement::parse, as `check` parses every Requires-Dist. A
// requirement that parses prints a form that parses to an equal requirement and prints the
// same (unless a marker value holds both quote characters or a backslash: packaging prints
// those so that they do not read back, `'a\\b'` prints as `"a\b"`, which reads as `a` and a
// backspace), checked on UTF-8 text as METADATA gives (an invalid byte such as 0x85 reads
// as U+0085, a space, in one place and not in another); its marker evaluates on a Linux CPython environment without crashing; an error
// renders in packaging's words.
#include "mlstack/metadata/python_text.hpp"
#include "mlstack/pep508/marker_environment.hpp"
#include "mlstack/pep508/requirement.hpp"

#include "fuzz_check.hpp"

#include <map>
#include <string>

namespace {

const mlstack::pep508::MarkerEnvironment& environment() {
  static const mlstack::pep508::MarkerEnvironment env(std::map<std::string, std::string>{
      {"implementation_name", "cpython"},
      {"implementation_version", "3.11.7"},
      {"os_name", "posix"},
      {"platform_machine", "x86_64"},
      {"platform_python_implementation", "CPython"},
      {"platform_release", "6.1.0"},
      {"platform_system", "Linux"},
      {"platform_version", "#1 SMP"},
      {"python_full_version", "3.11.7+"},
      {"python_version", "3.11"},
      {"sys_platform", "linux"},
  });
  return env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mlstack::pep508::Requirement;
  const std::string_view text = mlstack::fuzz::as_text(data, size);
  const auto r = Requirement::parse(text);
  if (!r) {
    (void)mlstack::pep508::packaging_error_text(r.error());
    (void)mlstack::render(r.error());
    return 0;
  }
  if (r->marker()) {
    (void)r->marker()->try_evaluate(environment(), "");
    (void)r->marker()->try_evaluate(environment(), "Test_Extra");
    (void)r->marker()->mentions_extra();
  }
  (void)r->hash();
  const bool both_quotes =
      text.find('\'') != std::string_view::npos && text.find('"') != std::string_view::npos;
  // Requirements come from decoded METADATA: the round trip is checked on UTF-8 text.
  if (both_quotes || text.find('\\') != std::string_view::npos ||
      mlstack::metadata::find_utf8_error(text)) {
    return 0;
  }
  const std::string printed = r->to_string();
  const auto again = Requirement::parse(printed);
  MLSTACK_FUZZ_CHECK(again.has_value());
  MLSTACK_FUZZ_CHECK(*again == *r);
  MLSTACK_FUZZ_CHECK(again->hash() == r->hash());
  MLSTACK_FUZZ_CHECK(again->to_string() == printed);
  return 0;
}
