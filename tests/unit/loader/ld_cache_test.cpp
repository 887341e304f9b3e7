// SPDX-License-Identifier: MIT
#include "mlstack/loader/ld_cache.hpp"

#include "mlstack/io/file_system.hpp"

#include <gtest/gtest.h>

#include "run_command.hpp"

#include <string>
#include <tuple>

namespace mlstack::loader {
namespace {

using testing::run_command;

// A new-format cache of `entries` ({flags, key, value}), little-endian unless `big`.
std::string make_cache(const std::vector<std::tuple<std::int32_t, std::string, std::string>>& entries,
                       bool big = false) {
  std::string strings;
  std::string table;
  const std::size_t strings_at = 48 + entries.size() * 24;
  auto put = [&](std::string& out, std::uint64_t value, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
      const std::size_t shift = big ? (size - 1 - i) * 8 : i * 8;
      out += static_cast<char>((value >> shift) & 0xFFU);
    }
  };
  for (const auto& [flags, key, value] : entries) {
    put(table, static_cast<std::uint32_t>(flags), 4);
    put(table, strings_at + strings.size(), 4);
    strings += key + '\0';
    put(table, strings_at + strings.size(), 4);
    strings += value + '\0';
    put(table, 0, 4);
    put(table, 0, 8);
  }
  std::string out = "glibc-ld.so.cache1.1";
  put(out, entries.size(), 4);
  put(out, strings.size(), 4);
  out += static_cast<char>(big ? 3 : 2);
  out += std::string(3 + 4 + 12, '\0');
  return out + table + strings;
}

TEST(LdCache, ParsesAndLooksUpAsLdSoDoes) {
  for (const bool big : {false, true}) {
    SCOPED_TRACE(big);
    auto cache = parse_ld_cache(make_cache({{0x0003, "libx.so.1", "/i386/libx.so.1"},
                                            {0x0303, "libx.so.1", "/lib64/libx.so.1"},
                                            {0x0303, "libx.so.1", "/second/libx.so.1"},
                                            {0x0303, "liby.so.2", "/y/liby.so.2"}},
                                           big));
    ASSERT_TRUE(cache) << render(cache.error());
    ASSERT_EQ(cache->entries.size(), 4U);
    EXPECT_EQ(cache->entries[0].flags, 3);
    EXPECT_EQ(cache->lookup("libx.so.1", k_cache_flags_x86_64), "/lib64/libx.so.1");
    EXPECT_EQ(cache->lookup("libx.so.1", 0x0003), "/i386/libx.so.1");
    EXPECT_EQ(cache->lookup("liby.so", k_cache_flags_x86_64), std::nullopt);
  }
}

TEST(LdCache, RejectsBrokenFilesWithAReason) {
  EXPECT_EQ(parse_ld_cache("garbage").error().message,
            "not an ld.so cache (no `glibc-ld.so.cache1.1` magic)");
  std::string cache = make_cache({{0x0303, "libx.so.1", "/x/libx.so.1"}});
  EXPECT_EQ(parse_ld_cache(cache.substr(0, 30)).error().message, "the header is cut short");
  EXPECT_EQ(parse_ld_cache(cache.substr(0, 60)).error().message,
            "the header counts 1 entries, more than the file holds");
  // Cut inside the strings: the value is not terminated.
  EXPECT_EQ(parse_ld_cache(cache.substr(0, cache.size() - 2)).error().message,
            "entry 0 names a string outside the file");
  EXPECT_EQ(parse_ld_cache("ld.so-1.7.0").error().message, "the old-format header is cut short");
}

// Every prefix and every single-byte change of a cache parses or fails with a reason: nothing
// is read outside the bytes (the ASan build checks each read).
TEST(LdCache, CutOrDamagedBytesNeverReadOutside) {
  const std::string cache = make_cache({{0x0303, "libx.so.1", "/x/libx.so.1"},
                                        {0x0303, "liby.so.2", "/y/liby.so.2"}});
  for (std::size_t n = 0; n < cache.size(); ++n) {
    auto r = parse_ld_cache(cache.substr(0, n));
    if (r) {
      EXPECT_LE(r->entries.size(), 2U);
    }
  }
  for (std::size_t i = 0; i < cache.size(); ++i) {
    std::string damaged = cache;
    damaged[i] = static_cast<char>(0xFF);
    auto r = parse_ld_cache(damaged);
    EXPECT_TRUE(r || !r.error().message.empty());
  }
}

// The machine's cache reads as `ldconfig -p` lists it: same entries, same order.
TEST(LdCache, AgreesWithLdconfigOnThisMachine) {
  const io::RealFileSystem fs;
  auto cache = read_ld_cache(fs);
  if (!cache) {
    GTEST_SKIP() << render(cache.error());
  }
  const std::string listing = run_command("/sbin/ldconfig -p 2>/dev/null");
  ASSERT_FALSE(listing.empty());
  std::vector<std::pair<std::string, std::string>> expected;
  std::size_t at = listing.find('\n');  // "N libs found in cache `/etc/ld.so.cache'"
  while (at != std::string::npos && at + 1 < listing.size()) {
    const std::size_t end = listing.find('\n', at + 1);
    const std::string line = listing.substr(at + 1, end - at - 1);
    at = end;
    const std::size_t arrow = line.find(" => ");
    const std::size_t paren = line.find(" (");
    if (arrow == std::string::npos || paren == std::string::npos) {
      continue;
    }
    const std::size_t start = line.find_first_not_of(" \t");
    expected.emplace_back(line.substr(start, paren - start), line.substr(arrow + 4));
  }
  std::vector<std::pair<std::string, std::string>> actual;
  for (const CacheEntry& e : cache->entries) {
    actual.emplace_back(e.soname, e.path);
  }
  EXPECT_GT(actual.size(), 10U);
  EXPECT_EQ(actual, expected);
}

TEST(LdCache, ReadErrorsNameTheFile) {
  const io::RealFileSystem fs;
  auto cache = read_ld_cache(fs, "/nonexistent/ld.so.cache");
  ASSERT_FALSE(cache);
  EXPECT_NE(render(cache.error()).find("/nonexistent/ld.so.cache"), std::string::npos);
}

}  // namespace
}  // namespace mlstack::loader
