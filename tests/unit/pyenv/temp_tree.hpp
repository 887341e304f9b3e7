// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace mlstack::pyenv::testing {

/// A temporary directory, removed with its contents at scope exit.
class TempTree {
 public:
  TempTree();
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;
  TempTree(TempTree&&) = delete;
  TempTree& operator=(TempTree&&) = delete;
  ~TempTree();

  [[nodiscard]] const std::string& path() const noexcept { return m_path; }
  [[nodiscard]] std::string operator/(std::string_view child) const;
  /// Writes `content` at `relative`, creating parent directories.
  void write(std::string_view relative, std::string_view content) const;
  void mkdir(std::string_view relative) const;
  void symlink(std::string_view target, std::string_view relative) const;
  void mkfifo(std::string_view relative) const;
  /// Sets the mtime of `relative` `seconds` back (a file the file-facts cache may store: it
  /// does not store what changed in the last second).
  void age(std::string_view relative, long seconds = 3600) const;

 private:
  std::string m_path;
};

}  // namespace mlstack::pyenv::testing
