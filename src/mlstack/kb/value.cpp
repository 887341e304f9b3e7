// SPDX-License-Identifier: MIT
#include "mlstack/kb/detail/value.hpp"

#include "mlstack/base/text.hpp"

#include <limits>
#include <utility>

namespace mlstack::kb::detail {

Value make_bool(bool b) {
  Value v;
  v.type = Type::boolean;
  v.boolean = b;
  return v;
}

Value make_int(std::int64_t i) {
  Value v;
  v.type = Type::integer;
  v.integer = i;
  return v;
}

Value make_string(std::string s) {
  Value v;
  v.type = Type::string;
  v.text = std::move(s);
  return v;
}

Value make_list(std::vector<std::string> items) {
  Value v;
  v.type = Type::list;
  v.list = std::move(items);
  return v;
}

Value make_version(std::string_view text) {
  Value v;
  const std::string_view t = text::trim(text);
  if (t.empty()) {
    return v;
  }
  auto parsed = pep440::Version::parse(t);
  if (!parsed) {
    return v;
  }
  v.type = Type::version;
  v.text = std::string(t);
  v.version = std::move(parsed).value();
  return v;
}

Value make_version(const KbVersion& kv) {
  Value v;
  v.type = Type::version;
  v.text = kv.text;
  v.version = kv.version;
  return v;
}

std::optional<std::int64_t> major_of(const Value& v) {
  if (v.type != Type::version || v.version->release().empty()) {
    return std::nullopt;
  }
  // A major that is no int64 (a 20-digit release number) is unknown, not a wrapped value.
  const auto major = v.version->release()[0].to_uint64();
  if (!major || *major > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(*major);
}

std::uint64_t release_at(const pep440::Version& v, std::size_t i) { return v.release_part(i); }

std::string show(const Value& v) {
  switch (v.type) {
    case Type::none:
      return "unknown";
    case Type::boolean:
      return v.boolean ? "true" : "false";
    case Type::integer:
      return std::to_string(v.integer);
    case Type::string:
    case Type::version:
      return v.text;
    case Type::list: {
      std::string out;
      for (const std::string& s : v.list) {
        out += out.empty() ? "" : ", ";
        out += s;
      }
      return out.empty() ? "none" : out;
    }
  }
  return "unknown";
}

}  // namespace mlstack::kb::detail
