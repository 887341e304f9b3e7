// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace mlstack::io {

/// `dir/name`, with one `/` between them; `name` alone when `dir` is empty (a relative path,
/// as an empty LD_LIBRARY_PATH entry means the current folder to ld.so). Pure.
[[nodiscard]] inline std::string join_path(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') {
    out += '/';
  }
  out += name;
  return out;
}

}  // namespace mlstack::io
