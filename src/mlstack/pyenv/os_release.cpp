// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/os_release.hpp"

#include "mlstack/base/text.hpp"

#include <array>

namespace mlstack::pyenv {
namespace {

constexpr std::size_t k_max_os_release = 64 * 1024;

bool is_key_char(char c) { return text::is_ascii_alnum(c) || c == '_'; }

std::string unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') {
    return std::string(v.substr(1, v.size() - 2));
  }
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    v = v.substr(1, v.size() - 2);
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\' && i + 1 < v.size() &&
          (v[i + 1] == '"' || v[i + 1] == '\\' || v[i + 1] == '$' || v[i + 1] == '`')) {
        ++i;
      }
      out += v[i];
    }
    return out;
  }
  return std::string(v);
}

}  // namespace

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : text::split_lines(text)) {
    line = text::trim(line);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    const std::size_t eq = line.find('=');
    if (eq == 0 || eq == std::string_view::npos) {
      continue;
    }
    const std::string_view key = line.substr(0, eq);
    bool valid = true;
    for (const char c : key) {
      valid = valid && is_key_char(c);
    }
    if (valid) {
      out[std::string(key)] = unquote(text::trim(line.substr(eq + 1)));
    }
  }
  return out;
}

facts::SystemFacts read_system_facts(const io::FileSystem& fs, const facts::PythonFacts& python,
                                     std::string_view root) {
  facts::SystemFacts sys;
  sys.glibc_version = python.tags.glibc_version;
  for (const std::string_view file : std::array<std::string_view, 2>{"/etc/os-release",
                                                                     "/usr/lib/os-release"}) {
    std::string text;
    std::string path = std::string(root) + std::string(file);
    if (!fs.read_file(path, k_max_os_release, text).ok()) {
      continue;
    }
    auto fields = parse_os_release(text);
    sys.os_id = fields["ID"];
    sys.os_version_id = fields["VERSION_ID"];
    sys.os_name = fields["PRETTY_NAME"];
    if (sys.os_name.empty()) {
      sys.os_name = fields["NAME"].empty() ? std::string("Linux") : fields["NAME"];
      if (!sys.os_version_id.empty()) {
        sys.os_name += " " + sys.os_version_id;
      }
    }
    sys.os_source = std::string(file);
    break;
  }
  return sys;
}

}  // namespace mlstack::pyenv
