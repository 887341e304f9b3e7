// SPDX-License-Identifier: MIT
#include "temp_tree.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

namespace mlstack::pyenv::testing {

TempTree::TempTree() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/mlstack-pyenv-XXXXXX";
  EXPECT_NE(::mkdtemp(templ.data()), nullptr);
  m_path = templ;
}

TempTree::~TempTree() {
  const std::string cmd = "chmod -R u+rwx '" + m_path + "' 2>/dev/null; rm -rf '" + m_path + "'";
  [[maybe_unused]] const int rc = std::system(cmd.c_str());
}

std::string TempTree::operator/(std::string_view child) const {
  return m_path + "/" + std::string(child);
}

void TempTree::mkdir(std::string_view relative) const {
  std::string path = m_path;
  for (std::size_t start = 0; start <= relative.size();) {
    const std::size_t slash = relative.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? relative.size() : slash;
    path = m_path + "/" + std::string(relative.substr(0, end));
    ::mkdir(path.c_str(), 0755);
    start = end + 1;
  }
}

void TempTree::write(std::string_view relative, std::string_view content) const {
  const std::size_t slash = relative.rfind('/');
  if (slash != std::string_view::npos) {
    mkdir(relative.substr(0, slash));
  }
  std::ofstream(*this / relative, std::ios::binary) << content;
}

void TempTree::symlink(std::string_view target, std::string_view relative) const {
  EXPECT_EQ(::symlink(std::string(target).c_str(), (*this / relative).c_str()), 0);
}

void TempTree::mkfifo(std::string_view relative) const {
  EXPECT_EQ(::mkfifo((*this / relative).c_str(), 0644), 0);
}

void TempTree::age(std::string_view relative, long seconds) const {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const timespec times[2] = {now, {now.tv_sec - seconds, now.tv_nsec}};
  EXPECT_EQ(::utimensat(AT_FDCWD, (*this / relative).c_str(), times, 0), 0);
}

}  // namespace mlstack::pyenv::testing
