// SPDX-License-Identifier: MIT
#include "mlstack/pyenv/record_files.hpp"

#include "mlstack/metadata/python_text.hpp"
#include "mlstack/metadata/wheel_file.hpp"

#include "temp_tree.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mlstack::pyenv::detail {
namespace {

// RECORD files in memory; read_pieces cuts each file after randomly chosen `\n`s, so the
// streaming code sees every kind of piece boundary.
class RecordFs final : public io::FileSystem {
 public:
  std::map<std::string, std::string> files;
  mutable std::mt19937 rng{1};
  mutable std::mutex lock;  // find_file_clashes reads on several threads

  io::IoStatus list_dir(const std::string&, io::Follow,
                        std::vector<io::DirEntry>&) const override {
    return io::IoStatus::from_errno(ENOENT);
  }
  io::IoStatus read_file(const std::string& path, std::size_t, std::string& out) const override {
    const auto it = files.find(path);
    if (it == files.end()) {
      return io::IoStatus::from_errno(ENOENT);
    }
    out = it->second;
    return {};
  }
  io::IoStatus read_pieces(const std::string& path, std::size_t, char delimiter,
                           const std::function<void(std::string_view)>& consume) const override {
    const std::lock_guard<std::mutex> guard(lock);
    const auto it = files.find(path);
    if (it == files.end()) {
      return io::IoStatus::from_errno(ENOENT);
    }
    const std::string_view text = it->second;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == delimiter && rng() % 3 == 0) {
        consume(text.substr(start, i + 1 - start));
        start = i + 1;
      }
    }
    if (start < text.size()) {
      consume(text.substr(start));
    }
    return {};
  }
  std::map<std::string, std::int64_t> sizes;  // files on "disk", for stat
  std::map<std::string, std::int64_t> mtimes;  // of `files` (default 0: long ago)
  io::IoStatus stat(const std::string& path, io::Follow, io::FileStat& out) const override {
    out = {};
    out.kind = io::FileKind::regular;
    if (const auto f = files.find(path); f != files.end()) {
      out.size = static_cast<std::int64_t>(f->second.size());
      const auto m = mtimes.find(path);
      out.mtime_ns = m == mtimes.end() ? 0 : m->second;
      return {};
    }
    const auto it = sizes.find(path);
    if (it == sizes.end()) {
      return io::IoStatus::from_errno(ENOENT);
    }
    out.size = it->second;
    return {};
  }
  io::IoStatus realpath(const std::string&, std::string&) const override {
    return io::IoStatus::from_errno(ENOENT);
  }
};

TEST(RecordRoot, FirstComponentOrWholePath) {
  EXPECT_EQ(record_root("torch/lib/libc10.so"), "torch");
  EXPECT_EQ(record_root("six.py"), "six.py");
  EXPECT_EQ(record_root("../../bin/torchrun"), "../../bin/torchrun");
  EXPECT_EQ(record_root("/abs/x.pth"), "/abs/x.pth");
  EXPECT_EQ(record_root("./a/b"), ".");
  EXPECT_EQ(record_root(""), "");
  EXPECT_EQ(record_prefix("/s"), "/s/");
  EXPECT_EQ(record_prefix("/s/"), "/s/");
  EXPECT_EQ(record_prefix("."), "");
  EXPECT_EQ(record_prefix(""), "");
}

facts::InstalledDist dist_at(std::string location, std::string info_path) {
  facts::InstalledDist d;
  d.location = std::move(location);
  d.info_path = std::move(info_path);
  return d;
}

TEST(RecordSummary, KeepsRootsAndSharedObjects) {
  RecordFs fs;
  fs.files["/i/RECORD"] =
      "torch/__init__.py,sha256=x,1\r\n\"torch/lib/libc10.so\",,\ntorch/lib/libgomp.so.1,,\n"
      "torch/not.so.py,,\n../../bin/torchrun,,\n/abs/libx.so,sha256=x,99\n"
      "torch-2.0.dist-info/RECORD,,\ntorch/x.sox,,\n.so,,\ntorchgen/a.py,,\ntorch/b.py,,";
  std::optional<RecordSummary> s = summarize_record(dist_at("/s", "/i"), fs, 1 << 20);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->take_roots(),
            (std::vector<std::string>{"/abs/libx.so", "/s/../../bin/torchrun", "/s/.so", "/s/torch",
                                      "/s/torch-2.0.dist-info", "/s/torchgen"}));
  EXPECT_EQ(s->take_libraries(), (std::vector<facts::RecordedFile>{
                                     {"/s/torch/lib/libc10.so", std::nullopt},
                                     {"/s/torch/lib/libgomp.so.1", std::nullopt},
                                     {"/abs/libx.so", 99}}));
  fs.files["/bad/RECORD"] = "ok.py,,\ncaf\xe9.py,,\n";  // not UTF-8: lists nothing
  EXPECT_FALSE(summarize_record(dist_at("/s", "/bad"), fs, 1 << 20));
  EXPECT_FALSE(summarize_record(dist_at("/s", "/missing"), fs, 1 << 20));
}

TEST(FindFileClashes, TellsWhoseCopyIsOnDisk) {
  RecordFs fs;
  std::vector<facts::InstalledDist> dists(3);
  for (std::size_t d = 0; d < dists.size(); ++d) {
    dists[d].location = "/s";
    dists[d].info_path = "/info/" + std::to_string(d);
  }
  fs.files["/info/0/RECORD"] = "nvidia/cudnn/lib/libcudnn.so.9,sha256=a,137432\nnvidia/a.py,,\n";
  fs.files["/info/1/RECORD"] = "nvidia/cudnn/lib/libcudnn.so.9,sha256=b,133336\nnvidia/a.py,,\n";
  fs.files["/info/2/RECORD"] = "nvidia/a.py,sha256=c,10\n";
  fs.sizes["/s/nvidia/cudnn/lib/libcudnn.so.9"] = 137432;
  fs.sizes["/s/nvidia/a.py"] = 10;
  std::vector<std::vector<std::string>> roots = {{"/s/nvidia"}, {"/s/nvidia"}, {"/s/nvidia"}};
  const auto clashes = find_file_clashes(dists, roots, fs, 1 << 20);
  ASSERT_EQ(clashes.size(), 2U);
  EXPECT_EQ(clashes[0].paths,
            (std::vector<std::string>{"/s/nvidia/cudnn/lib/libcudnn.so.9", "/s/nvidia/a.py"}));
  EXPECT_EQ(clashes[0].on_disk, 0U);  // dist 0's size
  EXPECT_EQ(clashes[0].on_disk_path, 0U);
  EXPECT_EQ(clashes[1].first, 0U);
  EXPECT_EQ(clashes[1].second, 2U);
  EXPECT_EQ(clashes[1].on_disk, std::nullopt);  // dist 0 declares no size for nvidia/a.py
}

// The clash search as it was before roots: every path joined and claimed in order; a pair's
// copies are the same when every shared path has one hash in both RECORDs.
std::vector<facts::FileClash> brute_force(const std::vector<facts::InstalledDist>& dists,
                                          const RecordFs& fs) {
  std::unordered_map<std::string, std::pair<std::size_t, std::string>> owner;
  std::map<std::pair<std::size_t, std::size_t>, std::pair<std::vector<std::string>, bool>> clashes;
  for (std::size_t d = 0; d < dists.size(); ++d) {
    std::string text;
    if (!fs.read_file(dists[d].info_path + "/RECORD", 1 << 20, text).ok() ||
        metadata::find_utf8_error(text)) {
      continue;
    }
    const std::string prefix = record_prefix(dists[d].location);
    metadata::RecordReader reader(text);
    while (const auto p = reader.next()) {
      const std::string joined = p->starts_with('/') ? std::string(*p) : prefix + std::string(*p);
      const std::string hash(reader.hash());
      const auto [it, fresh] = owner.try_emplace(joined, d, hash);
      if (!fresh && it->second.first != d) {
        auto [c, added] = clashes.try_emplace({it->second.first, d}, std::vector<std::string>{}, true);
        c->second.first.push_back(joined);
        c->second.second = c->second.second && !hash.empty() && hash == it->second.second;
      }
    }
  }
  std::vector<facts::FileClash> out;
  for (auto& [pair, found] : clashes) {
    out.push_back({pair.first, pair.second, std::move(found.first), std::nullopt, std::nullopt,
                   found.second});
  }
  return out;
}

// tensorflow 2.9.1 and tensorboard 2.9.1 both install bin/tensorboard, with one hash (PyPI).
TEST(FindFileClashes, SameHashesAreTheSameContent) {
  RecordFs fs;
  std::vector<facts::InstalledDist> dists(3);
  for (std::size_t d = 0; d < dists.size(); ++d) {
    dists[d].location = "/v/lib/python3.10/site-packages";
    dists[d].info_path = "/info/" + std::to_string(d);
  }
  const std::string row = "../../../bin/tensorboard,sha256=ZQ5pe-LcxpbqdfLy6zwF54yTKiFgJ3uAfedOYPvmPKE,247\n";
  fs.files["/info/0/RECORD"] = row;
  fs.files["/info/1/RECORD"] = "tensorflow/__init__.py,,\n" + row;
  fs.files["/info/2/RECORD"] = "../../../bin/tensorboard,sha256=other,247\n";
  std::vector<std::vector<std::string>> roots(dists.size());
  for (std::size_t d = 0; d < dists.size(); ++d) {
    roots[d] = summarize_record(dists[d], fs, 1 << 20)->take_roots();
  }
  const auto clashes = find_file_clashes(dists, roots, fs, 1 << 20);
  ASSERT_EQ(clashes.size(), 2U);
  EXPECT_TRUE(clashes[0].same_content);
  EXPECT_FALSE(clashes[1].same_content);  // dist 2's copy differs
  EXPECT_EQ(clashes, brute_force(dists, fs));
}

TEST(RecordFacts, FromTheCacheWhileRecordIsUnchanged) {
  testing::TempTree tree;
  RecordFs fs;
  const facts::InstalledDist dist = dist_at("/s", "/i");
  fs.files["/i/RECORD"] = "torch/lib/libc10.so,,1\n/abs/libx.so,,99\nsix.py,,\n";
  const RecordFacts expected{{"/abs/libx.so", "/s/six.py", "/s/torch"},
                             {{"/s/torch/lib/libc10.so", 1}, {"/abs/libx.so", 99}}};
  {
    io::FileFactsCache cache(tree / "files.bin", "w");
    std::optional<io::FileStat> id;
    const std::optional<RecordFacts> cold = record_facts(dist, fs, 1 << 20, &cache, &id);
    ASSERT_TRUE(cold);
    EXPECT_EQ(cold->roots, expected.roots);
    EXPECT_EQ(cold->libraries, expected.libraries);
    ASSERT_TRUE(id);
    EXPECT_EQ(id->size, static_cast<std::int64_t>(fs.files["/i/RECORD"].size()));
    EXPECT_EQ(cache.counts().stored, 1U);
    ASSERT_TRUE(cache.save());
  }
  // Other bytes of the same size and mtime: the cache answers (what a hit looks like).
  fs.files["/i/RECORD"] = "torch/lib/libc10.so,,2\n/abs/libx.so,,98\nsix.py,,\n";
  {
    io::FileFactsCache cache(tree / "files.bin", "w");
    const std::optional<RecordFacts> warm = record_facts(dist, fs, 1 << 20, &cache, nullptr);
    ASSERT_TRUE(warm);
    EXPECT_EQ(warm->libraries, expected.libraries);
    EXPECT_EQ(cache.counts().hits, 1U);
    // Another location joins the same RECORD differently: not the cached answer.
    const std::optional<RecordFacts> moved =
        record_facts(dist_at("/t", "/i"), fs, 1 << 20, &cache, nullptr);
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->roots, (std::vector<std::string>{"/abs/libx.so", "/t/six.py", "/t/torch"}));
  }
  // A new mtime: read again.
  fs.mtimes["/i/RECORD"] = 5;
  io::FileFactsCache cache(tree / "files.bin", "w");
  const std::optional<RecordFacts> changed = record_facts(dist, fs, 1 << 20, &cache, nullptr);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->libraries, (std::vector<facts::RecordedFile>{{"/s/torch/lib/libc10.so", 2},
                                                                   {"/abs/libx.so", 98}}));
  EXPECT_EQ(cache.counts().hits, 0U);
  // Unreadable RECORDs are not cached: the problem is reported every run.
  fs.files["/bad/RECORD"] = "caf\xe9.py,,\n";
  std::string problem;
  EXPECT_FALSE(record_facts(dist_at("/s", "/bad"), fs, 1 << 20, &cache, nullptr, &problem));
  EXPECT_NE(problem.find("not valid UTF-8"), std::string::npos);
  EXPECT_EQ(cache.counts().stored, 1U);  // /i only
}

TEST(FindFileClashes, AgreesWithComparingEveryPath) {
  std::mt19937 rng(20261126);
  const std::vector<std::string> locations = {"/v/site", "/v/site/", "/v/site/sub", "/v", "."};
  const std::vector<std::string> files = {
      "pkg/__init__.py", "pkg/a.py",         "pkg/sub/b.py",       "nvidia/cudnn/lib/libcudnn.so.9",
      "nvidia/__init__.py", "six.py",        "sub/pkg/a.py",       "../../bin/tool",
      "../bin/tool",        "/v/site/pkg/a.py", "/v/site/six.py",  "/elsewhere/x",
      "\"q,uoted\".py",     "pkg/caf\xc3\xa9.py", "site/six.py",   "pkg"};
  int with_clashes = 0;
  int with_nested = 0;  // a clash only seen through a root above another
  for (int round = 0; round < 300; ++round) {
    RecordFs fs;
    fs.rng.seed(static_cast<unsigned>(round));
    std::vector<facts::InstalledDist> dists(2 + rng() % 11);  // 8+ reads go on threads
    for (std::size_t d = 0; d < dists.size(); ++d) {
      dists[d].location = locations[rng() % locations.size()];
      dists[d].info_path = "/info/" + std::to_string(d);
      if (rng() % 10 == 0) {
        continue;  // no RECORD
      }
      std::string text;
      const std::size_t rows = rng() % 8;
      for (std::size_t r = 0; r < rows; ++r) {
        const std::string& f = files[rng() % files.size()];
        text += f.front() == '"' ? f : (rng() % 4 == 0 ? "\"" + f + "\"" : f);
        text += rng() % 5 == 0 ? ",sha256=abc,12\r\n" : ",,\n";
      }
      if (rng() % 15 == 0) {
        text += "bad\xff.py,,\n";
      }
      fs.files[dists[d].info_path + "/RECORD"] = text;
    }
    std::vector<std::vector<std::string>> roots(dists.size());
    for (std::size_t d = 0; d < dists.size(); ++d) {
      if (std::optional<RecordSummary> summary = summarize_record(dists[d], fs, 1 << 20)) {
        roots[d] = summary->take_roots();
      }
    }
    const auto expected = brute_force(dists, fs);
    EXPECT_EQ(find_file_clashes(dists, roots, fs, 1 << 20), expected) << "round " << round;
    EXPECT_EQ(find_file_clashes(dists, roots, fs, 1 << 20, 3), expected) << "round " << round;
    // Through the file cache: cold (stored), warm (taken from it), then with one RECORD
    // changed (its mtime), which is read again.
    testing::TempTree tree;
    std::vector<std::optional<io::FileStat>> ids(dists.size());
    for (std::size_t d = 0; d < dists.size(); ++d) {
      if (io::FileStat st; fs.stat(dists[d].info_path + "/RECORD", io::Follow::yes, st).ok()) {
        ids[d] = st;
      }
    }
    for (const char* pass : {"cold", "warm", "changed"}) {
      if (std::string_view(pass) == "changed") {
        for (auto& id : ids) {
          if (id) {
            id->mtime_ns = 7;
            break;
          }
        }
      }
      io::FileFactsCache cache(tree / "files.bin", "w");
      EXPECT_EQ(find_file_clashes(dists, roots, fs, 1 << 20, 2, &cache, &ids), expected)
          << "round " << round << " " << pass;
      if (std::string_view(pass) == "warm" && cache.counts().hits + cache.counts().misses > 0) {
        EXPECT_EQ(cache.counts().hits, 1U) << "round " << round;
      }
      ASSERT_TRUE(cache.save());
    }
    with_clashes += expected.empty() ? 0 : 1;
    for (const auto& c : expected) {
      with_nested += dists[c.first].location != dists[c.second].location ? 1 : 0;
    }
  }
  EXPECT_GT(with_clashes, 100);  // the generator does make clashes
  EXPECT_GT(with_nested, 20);
}

}  // namespace
}  // namespace mlstack::pyenv::detail
