// SPDX-License-Identifier: MIT
#include "mlstack/tags/tag.hpp"

#include "mlstack/base/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace mlstack::tags {
namespace {

// str.isidentifier() for ASCII; bytes >= 0x80 are accepted (see parse_tag's contract).
bool is_identifier(std::string_view s) {
  const auto is_start = [](char c) {
    return text::is_ascii_alpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
  };
  if (s.empty() || !is_start(s.front())) {
    return false;
  }
  return std::all_of(s.begin() + 1, s.end(),
                     [&](char c) { return is_start(c) || text::is_ascii_digit(c); });
}

struct Component {
  std::size_t begin = 0;                // offset of the component in the tag
  std::vector<std::string_view> parts;  // the `.`-separated members
};

}  // namespace

Tag Tag::make(std::string_view interpreter, std::string_view abi, std::string_view platform) {
  return Tag{text::to_lower(interpreter), text::to_lower(abi), text::to_lower(platform)};
}

std::string to_string(const Tag& tag) {
  return fmt::format("{}-{}-{}", tag.interpreter, tag.abi, tag.platform);
}

std::size_t TagHash::operator()(const Tag& tag) const noexcept {
  const std::hash<std::string> h;
  std::size_t seed = h(tag.interpreter);
  for (const std::string* part : {&tag.abi, &tag.platform}) {
    seed ^= h(*part) + 0x9e3779b97f4a7c15ULL + (seed << 6U) + (seed >> 2U);
  }
  return seed;
}

Result<std::vector<Tag>> parse_tag(std::string_view text) {
  const std::string input(text);
  std::vector<Component> components;
  std::size_t offset = 0;
  for (const std::string_view field : text::split(text, '-')) {
    Component component{offset, text::split(field, '.')};
    std::size_t part_offset = offset;
    for (const std::string_view part : component.parts) {
      if (part.empty()) {
        std::string message =
            field.empty() ? std::string("expected a wheel tag component, found an empty one")
                          : fmt::format(
                                "expected a name in wheel tag component `{}`, found an "
                                "empty one",
                                field);
        return unexpected(make_parse_error(std::move(message), input, part_offset));
      }
      part_offset += part.size() + 1;
    }
    components.push_back(std::move(component));
    offset += field.size() + 1;
  }
  if (components.size() != 3) {
    return unexpected(make_parse_error(
        fmt::format("expected 3 `-`-separated components (interpreter-abi-platform) in wheel "
                    "tag, found {}",
                    components.size()),
        input, 0, input.size()));
  }
  std::size_t part_offset = 0;
  for (const std::string_view interpreter : components[0].parts) {
    if (!is_identifier(interpreter)) {
      return unexpected(make_parse_error(
          fmt::format("expected a Python identifier as wheel tag interpreter, found `{}`",
                      interpreter),
          input, part_offset, interpreter.size()));
    }
    part_offset += interpreter.size() + 1;
  }
  std::vector<Tag> tags;
  for (const std::string_view interpreter : components[0].parts) {
    for (const std::string_view abi : components[1].parts) {
      for (const std::string_view platform : components[2].parts) {
        Tag tag = Tag::make(interpreter, abi, platform);
        if (std::find(tags.begin(), tags.end(), tag) == tags.end()) {
          tags.push_back(std::move(tag));
        }
      }
    }
  }
  return tags;
}

}  // namespace mlstack::tags
