// SPDX-License-Identifier: MIT
#include "mlstack/frameworks/cached_binary_reader.hpp"

#include "temp_tree.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mlstack::frameworks {
namespace {

using pyenv::testing::TempTree;

/// Answers that depend on a version number the test bumps, and counts the questions: what
/// reaches it was not answered by the cache.
class CountingBinaries final : public BinaryReader {
 public:
  mutable int calls = 0;
  int version = 1;

  Result<facts::GpuCode> gpu_code(const std::string& path) const override {
    ++calls;
    if (path.ends_with("broken.so")) {
      return unexpected(make_error(ErrorCode::invalid_data,
                                   "cannot read the CUDA device code of `" + path +
                                       "`: fatbin at offset 0 runs past the end of the section"));
    }
    facts::GpuCode c;
    c.path = path;
    c.sass = {"sm_80", "sm_90a"};
    c.ptx = {"compute_" + std::to_string(90 + version)};
    c.sass_entries = 2981;
    c.ptx_entries = 1;
    return c;
  }
  Result<std::vector<EmbeddedLibrary>> embedded_libraries(const std::string&) const override {
    ++calls;
    return std::vector<EmbeddedLibrary>{
        {"cudnn", "7.6." + std::to_string(version), "10.2", "`cudnn_version_7_6_5` in .rodata"},
        {"nccl", "2.10.3", "", "`NCCL version 2.10.3+cuda10.2` in .rodata"}};
  }
  Result<JaxBuildVersions> jax_build_versions(const std::string&) const override {
    ++calls;
    return JaxBuildVersions{"13.0", "9.12." + std::to_string(version), "returns 13000"};
  }
  Result<std::vector<std::string>> needed(const std::string&) const override {
    ++calls;
    if (version == 3) {
      return unexpected(make_error(ErrorCode::not_found, "no dynamic section"));
    }
    return std::vector<std::string>{"libcudart.so.12", "libcudnn.so." + std::to_string(version)};
  }
};

void expect_same(const Result<facts::GpuCode>& a, const Result<facts::GpuCode>& b) {
  ASSERT_EQ(a.has_value(), b.has_value());
  if (!a) {
    EXPECT_EQ(render(a.error()), render(b.error()));
    EXPECT_EQ(a.error().code, b.error().code);
    return;
  }
  EXPECT_EQ(a->path, b->path);
  EXPECT_EQ(a->sass, b->sass);
  EXPECT_EQ(a->ptx, b->ptx);
  EXPECT_EQ(a->sass_entries, b->sass_entries);
  EXPECT_EQ(a->ptx_entries, b->ptx_entries);
}

// Every answer of `cached` equals `inner`'s (asked directly, which counts too).
void expect_answers_equal(const BinaryReader& cached, const CountingBinaries& inner,
                          const std::string& path) {
  expect_same(cached.gpu_code(path), inner.gpu_code(path));
  const auto e1 = cached.embedded_libraries(path);
  const auto e2 = inner.embedded_libraries(path);
  ASSERT_TRUE(e1 && e2);
  ASSERT_EQ(e1->size(), e2->size());
  for (std::size_t i = 0; i < e1->size(); ++i) {
    EXPECT_EQ((*e1)[i].library, (*e2)[i].library);
    EXPECT_EQ((*e1)[i].version, (*e2)[i].version);
    EXPECT_EQ((*e1)[i].cuda, (*e2)[i].cuda);
    EXPECT_EQ((*e1)[i].evidence, (*e2)[i].evidence);
  }
  const auto j1 = cached.jax_build_versions(path);
  const auto j2 = inner.jax_build_versions(path);
  ASSERT_TRUE(j1 && j2);
  EXPECT_EQ(j1->cuda, j2->cuda);
  EXPECT_EQ(j1->cudnn, j2->cudnn);
  EXPECT_EQ(j1->evidence, j2->evidence);
  const auto n1 = cached.needed(path);
  const auto n2 = inner.needed(path);
  ASSERT_EQ(n1.has_value(), n2.has_value());
  if (n1) {
    EXPECT_EQ(*n1, *n2);
  } else {
    EXPECT_EQ(render(n1.error()), render(n2.error()));
  }
}

TEST(CachedBinaryReader, AnswersFromTheCacheWhileTheFileIsUnchanged) {
  TempTree tree;
  tree.write("lib/libtorch_cuda.so", "ELF");
  tree.age("lib/libtorch_cuda.so");
  const std::string path = tree / "lib/libtorch_cuda.so";
  const std::string file = tree / "cache/files.bin";
  const io::RealFileSystem fs;
  CountingBinaries inner;
  {
    io::FileFactsCache cache(file, "w");
    const CachedBinaryReader cached(inner, fs, cache);
    expect_answers_equal(cached, inner, path);
    EXPECT_EQ(inner.calls, 8);  // cold: every question reached the binary
    EXPECT_EQ(cache.counts().stored, 4U);
    ASSERT_TRUE(cache.save());
  }
  {
    io::FileFactsCache cache(file, "w");
    const CachedBinaryReader cached(inner, fs, cache);
    inner.calls = 0;
    expect_answers_equal(cached, inner, path);
    EXPECT_EQ(inner.calls, 4);  // warm: only the direct questions
    EXPECT_EQ(cache.counts().hits, 4U);
  }
  // The binary changes (another size): read again, and the answers follow it.
  inner.version = 2;
  tree.write("lib/libtorch_cuda.so", "ELF, rebuilt");
  tree.age("lib/libtorch_cuda.so");
  io::FileFactsCache cache(file, "w");
  const CachedBinaryReader cached(inner, fs, cache);
  inner.calls = 0;
  expect_answers_equal(cached, inner, path);
  EXPECT_EQ(inner.calls, 8);
}

TEST(CachedBinaryReader, ErrorsAreKeptAsTheyWere) {
  TempTree tree;
  tree.write("broken.so", "ELF");
  tree.age("broken.so");
  const std::string path = tree / "broken.so";
  const io::RealFileSystem fs;
  CountingBinaries inner;
  inner.version = 3;  // `needed` fails
  for (int run = 0; run < 2; ++run) {
    io::FileFactsCache cache(tree / "files.bin", "w");
    const CachedBinaryReader cached(inner, fs, cache);
    inner.calls = 0;
    expect_answers_equal(cached, inner, path);
    EXPECT_EQ(inner.calls, run == 0 ? 8 : 4);
    ASSERT_TRUE(cache.save());
  }
}

TEST(CachedBinaryReader, MissingFilesAndDisabledCachesAskTheInnerReader) {
  TempTree tree;
  const io::RealFileSystem fs;
  CountingBinaries inner;
  io::FileFactsCache cache(tree / "files.bin", "w");
  const CachedBinaryReader cached(inner, fs, cache);
  EXPECT_TRUE(cached.gpu_code(tree / "missing.so"));
  EXPECT_EQ(inner.calls, 1);
  EXPECT_EQ(cache.counts().stored, 0U);
  tree.write("lib.so", "ELF");
  tree.age("lib.so");
  io::FileFactsCache disabled;
  const CachedBinaryReader off(inner, fs, disabled);
  EXPECT_TRUE(off.gpu_code(tree / "lib.so"));
  EXPECT_TRUE(off.gpu_code(tree / "lib.so"));
  EXPECT_EQ(inner.calls, 3);
}

}  // namespace
}  // namespace mlstack::frameworks
