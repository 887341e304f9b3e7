// SPDX-License-Identifier: MIT
// libFuzzer target: pep508::Marker::parse and evaluation. A marker that parses prints a form
// that parses to an equal marker (unless a value holds both quote characters or a backslash,
// which packaging does not print so that they read back either) and evaluates
// to the same answer, with and without an extra.
#include "mlstack/pep508/marker.hpp"
#include "mlstack/metadata/python_text.hpp"
#include "mlstack/pep508/marker_environment.hpp"

#include "fuzz_check.hpp"

#include <map>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mlstack::pep508::Marker;
  static const mlstack::pep508::MarkerEnvironment env(std::map<std::string, std::string>{
      {"implementation_name", "cpython"},
      {"implementation_version", "3.12.1"},
      {"os_name", "posix"},
      {"platform_machine", "aarch64"},
      {"platform_python_implementation", "CPython"},
      {"platform_release", "6.8.0-45-generic"},
      {"platform_system", "Linux"},
      {"platform_version", "#45-Ubuntu SMP"},
      {"python_full_version", "3.12.1"},
      {"python_version", "3.12"},
      {"sys_platform", "linux"},
  });
  const std::string_view text = mlstack::fuzz::as_text(data, size);
  const auto m = Marker::parse(text);
  if (!m) {
    (void)mlstack::render(m.error());
    return 0;
  }
  const auto plain = m->try_evaluate(env, "");
  const auto with_extra = m->try_evaluate(env, "gpu");
  if ((text.find('\'') != std::string_view::npos && text.find('"') != std::string_view::npos) ||
      text.find('\\') != std::string_view::npos || mlstack::metadata::find_utf8_error(text)) {
    return 0;
  }
  const auto again = Marker::parse(m->to_string());
  MLSTACK_FUZZ_CHECK(again.has_value());
  MLSTACK_FUZZ_CHECK(*again == *m);
  const auto plain_again = again->try_evaluate(env, "");
  MLSTACK_FUZZ_CHECK(plain.has_value() == plain_again.has_value());
  MLSTACK_FUZZ_CHECK(!plain || *plain == *plain_again);
  const auto extra_again = again->try_evaluate(env, "gpu");
  MLSTACK_FUZZ_CHECK(with_extra.has_value() == extra_again.has_value());
  MLSTACK_FUZZ_CHECK(!with_extra || *with_extra == *extra_again);
  return 0;
}
