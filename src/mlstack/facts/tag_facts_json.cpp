// SPDX-License-Identifier: MIT
#include "mlstack/facts/tag_facts_json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mlstack/facts/detail/json_fields.hpp"

namespace mlstack::facts {
namespace {

using nlohmann::json;

using detail::read;

}  // namespace

nlohmann::json tag_facts_to_json(const TagFacts& facts) {
  return json{
      {"interpreter_name", facts.interpreter_name},
      {"interpreter_version", facts.interpreter_version},
      {"python_version", facts.python_version},
      {"soabi", facts.soabi},
      {"ext_suffix", facts.ext_suffix},
      {"py_debug", facts.py_debug},
      {"gil_disabled", facts.gil_disabled},
      {"platform", facts.platform},
      {"glibc_version", facts.glibc_version},
      {"is_32bit", facts.is_32bit},
      {"system", facts.system},
      {"with_pymalloc", facts.with_pymalloc},
      {"musl_version", facts.musl_version},
      {"elf_armhf", facts.elf_armhf},
      {"elf_i686", facts.elf_i686},
      {"manylinux_incompatible", facts.manylinux_incompatible},
      {"mac_version", facts.mac_version},
      {"mac_arch", facts.mac_arch},
      {"ios_version", facts.ios_version},
      {"multiarch", facts.multiarch},
      {"android_api_level", facts.android_api_level},
      {"emscripten_platform_version", facts.emscripten_platform_version},
  };
}

Result<TagFacts> tag_facts_from_json(const nlohmann::json& object) {
  if (!object.is_object()) {
    return unexpected(
        make_error(ErrorCode::invalid_data,
                   fmt::format("expected tag facts object, found {}", object.type_name())));
  }
  TagFacts facts;
  for (Result<void> r : {
           read(object, "interpreter_name", facts.interpreter_name),
           read(object, "interpreter_version", facts.interpreter_version),
           read(object, "python_version", facts.python_version),
           read(object, "soabi", facts.soabi),
           read(object, "ext_suffix", facts.ext_suffix),
           read(object, "py_debug", facts.py_debug),
           read(object, "gil_disabled", facts.gil_disabled),
           read(object, "platform", facts.platform),
           read(object, "glibc_version", facts.glibc_version),
           read(object, "is_32bit", facts.is_32bit),
           read(object, "system", facts.system),
           read(object, "with_pymalloc", facts.with_pymalloc),
           read(object, "musl_version", facts.musl_version),
           read(object, "elf_armhf", facts.elf_armhf),
           read(object, "elf_i686", facts.elf_i686),
           read(object, "manylinux_incompatible", facts.manylinux_incompatible),
           read(object, "mac_version", facts.mac_version),
           read(object, "mac_arch", facts.mac_arch),
           read(object, "ios_version", facts.ios_version),
           read(object, "multiarch", facts.multiarch),
           read(object, "android_api_level", facts.android_api_level),
           read(object, "emscripten_platform_version", facts.emscripten_platform_version),
       }) {
    if (!r) {
      return unexpected(std::move(r).error());
    }
  }
  return facts;
}

Result<TagFacts> parse_tag_facts_json(std::string_view text) {
  // Parse without exceptions: a discarded value marks invalid JSON.
  const json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) {
    return unexpected(make_error(ErrorCode::invalid_data,
                                 "expected tag facts JSON, found "
                                 "invalid JSON"));
  }
  return tag_facts_from_json(object);
}

}  // namespace mlstack::facts
