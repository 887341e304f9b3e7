// SPDX-License-Identifier: MIT
#include "mlstack/image/lock_requirements.hpp"

#include <fmt/format.h>

namespace mlstack::image {

Result<std::vector<std::string>> requirements_from_lock(const lockfile::Pylock& lock) {
  std::vector<std::string> lines;
  for (const lockfile::LockPackage& p : lock.packages) {
    if (!p.version) {
      return unexpected(make_error(
          ErrorCode::unsupported,
          fmt::format("lock line {}: package `{}` has no version (a VCS, directory or archive "
                      "source), which a hash-checked install cannot take",
                      p.line, p.name)));
    }
    std::vector<std::string> hashes = p.sdist_hashes;
    for (const lockfile::LockWheel& w : p.wheels) {
      hashes.insert(hashes.end(), w.hashes.begin(), w.hashes.end());
    }
    if (hashes.empty()) {
      return unexpected(make_error(
          ErrorCode::unsupported,
          fmt::format("lock line {}: package `{}` has no file hashes, which a hash-checked "
                      "install needs",
                      p.line, p.name)));
    }
    std::string head = fmt::format("{}=={}", p.name, *p.version);
    if (p.marker) {
      head += " ; " + p.marker->to_string();
    }
    lines.push_back(head + " \\");
    for (std::size_t i = 0; i < hashes.size(); ++i) {
      lines.push_back("    --hash=" + hashes[i] + (i + 1 < hashes.size() ? " \\" : ""));
    }
  }
  return lines;
}

}  // namespace mlstack::image
