// SPDX-License-Identifier: MIT
#include "mlstack/image/lock_requirements.hpp"

#include <gtest/gtest.h>

#include "mlstack/image/render.hpp"

namespace mlstack::image {
namespace {

// As `uv pip compile -o pylock.toml` writes it (URLs shortened).
constexpr const char* k_lock = R"(lock-version = "1.0"
created-by = "uv"
requires-python = ">=3.9"

[[packages]]
name = "packaging"
version = "24.2"
sdist = { url = "https://files.example/packaging-24.2.tar.gz", size = 163950, hashes = { sha256 = "c228" } }
wheels = [{ url = "https://files.example/packaging-24.2-py3-none-any.whl", size = 65451, hashes = { sha256 = "09ab" } }]

[[packages]]
name = "colorama"
version = "0.4.6"
marker = "sys_platform == 'win32'"
wheels = [{ url = "https://files.example/colorama-0.4.6-py2.py3-none-any.whl", hashes = { sha256 = "4f1d" } }]
)";

TEST(RequirementsFromLock, EveryFileHashOnContinuedLines) {
  auto lock = lockfile::read_pylock(k_lock, "pylock.toml");
  ASSERT_TRUE(lock) << to_string(lock.error());
  auto lines = requirements_from_lock(*lock);
  ASSERT_TRUE(lines) << to_string(lines.error());
  const std::vector<std::string> expected = {
      "packaging==24.2 \\",
      "    --hash=sha256:c228 \\",
      "    --hash=sha256:09ab",
      "colorama==0.4.6 ; sys_platform == \"win32\" \\",
      "    --hash=sha256:4f1d",
  };
  EXPECT_EQ(*lines, expected);
  EXPECT_TRUE(is_hashed(*lines));
}

TEST(RequirementsFromLock, RefusesAPackageWithoutHashes) {
  auto lock = lockfile::read_pylock(R"(lock-version = "1.0"
created-by = "uv"
[[packages]]
name = "six"
version = "1.17.0"
wheels = [{ url = "https://files.example/six-1.17.0-py2.py3-none-any.whl" }]
)",
                                    "pylock.toml");
  ASSERT_TRUE(lock) << to_string(lock.error());
  auto lines = requirements_from_lock(*lock);
  ASSERT_FALSE(lines);
  EXPECT_EQ(to_string(lines.error()),
            "lock line 3: package `six` has no file hashes, which a hash-checked install needs");
}

}  // namespace
}  // namespace mlstack::image
