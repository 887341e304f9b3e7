// SPDX-License-Identifier: MIT
// The readers against files numpy, safetensors and onnx wrote (make_fixtures.py): every name,
// dtype, shape, order, byte order and data byte as the writer's manifest says.
#include "mlstack/tensors/npy.hpp"
#include "mlstack/tensors/onnx_tensor.hpp"
#include "mlstack/tensors/reader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace mlstack::tensors {
namespace {

std::string hex(std::span<const std::byte> bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (const auto b : bytes) {
    s.push_back(k_digits[static_cast<unsigned>(b) >> 4U]);
    s.push_back(k_digits[static_cast<unsigned>(b) & 15U]);
  }
  return s;
}

const std::filesystem::path k_dir = MLSTACK_TENSOR_FIXTURES;

nlohmann::json manifest() {
  std::ifstream in(k_dir / "manifest.json");
  if (!in) {
    return nullptr;
  }
  return nlohmann::json::parse(in);
}

TEST(TensorReaders, ReadWhatTheRealWritersWrote) {
  const auto m = manifest();
  if (m.is_null()) {
    GTEST_SKIP() << "no fixtures: tools/tensor_env could not be built (see tensors.fixtures)";
  }
  std::size_t checked = 0;
  for (const auto& entry : m) {
    const std::string path = entry.contains("file")
                                 ? (k_dir / entry["file"].get<std::string>()).string()
                                 : entry["dir"].get<std::string>();
    SCOPED_TRACE(path);
    // Test data sets read for their inputs say so (`part`); others are read as compare reads.
    auto file = entry.value("part", "") == "inputs"
                    ? read_onnx_test_data_set(path, TestDataPart::inputs)
                    : read_tensors(path);
    ASSERT_TRUE(file) << to_string(file.error());
    ASSERT_EQ(file->tensors.size(), entry["tensors"].size());
    for (std::size_t i = 0; i < file->tensors.size(); ++i) {
      const auto& t = file->tensors[i];
      const auto& want = entry["tensors"][i];
      SCOPED_TRACE(t.name);
      EXPECT_EQ(t.name, want["name"].get<std::string>());
      EXPECT_EQ(dtype_name(t.dtype), want["dtype"].get<std::string>());
      EXPECT_EQ(t.shape, want["shape"].get<std::vector<std::uint64_t>>());
      EXPECT_EQ(t.layout == Layout::fortran ? "F" : "C", want["order"].get<std::string>());
      EXPECT_EQ(t.byte_order == ByteOrder::big ? ">" : "<", want["byte_order"].get<std::string>());
      EXPECT_EQ(hex(t.data), want["hex"].get<std::string>());
      ++checked;
    }
  }
  EXPECT_GT(checked, 60U);
}

TEST(TensorReaders, StoredDataIsMappedNotCopied) {
  if (manifest().is_null()) {
    GTEST_SKIP() << "no fixtures";
  }
  for (const char* name : {"float32.npy", "stored.npz", "all.safetensors"}) {
    SCOPED_TRACE(name);
    const auto path = (k_dir / name).string();
    auto file = read_tensors(path);
    ASSERT_TRUE(file) << to_string(file.error());
    // The views point into the file's mapping, the first storage.
    const auto size = std::filesystem::file_size(path);
    ASSERT_FALSE(file->storage.empty());
    const auto& first = file->tensors.front().data;
    const auto& last = file->tensors.back().data;
    EXPECT_LT(static_cast<std::size_t>(last.data() + last.size() - first.data()), size + 1);
    EXPECT_EQ(file->storage.size(), 1U);
  }
}

TEST(TensorReaders, RefuseObjectAndCustomDtypes) {
  if (manifest().is_null()) {
    GTEST_SKIP() << "no fixtures";
  }
  const auto obj = (k_dir / "object.npy").string();
  auto r = read_tensors(obj);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unsupported);
  EXPECT_EQ(to_string(r.error()),
            obj + ": object array (`|O`): its elements are pickled Python objects, which mlstack "
                  "never unpickles (numpy loads them only with `allow_pickle=True`)");
  const auto bf = (k_dir / "bfloat16.npy").string();
  r = read_tensors(bf);
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()),
            bf + ": unsupported dtype `<V2` (raw bytes: a structured or custom type such as "
                 "bfloat16)");
}

TEST(TensorReaders, OnnxTestDataSetsOfTheOnnxProject) {
  const std::filesystem::path node = "/usr/share/libonnx-testdata/data/node";
  if (!std::filesystem::is_directory(node)) {
    GTEST_SKIP() << "libonnx-testdata is not installed";
  }
  // Every input and output of every node test reads (sequences and optionals as their model
  // says; the values themselves are checked against onnx's reader in the manifest).
  std::size_t read = 0;
  std::size_t unsupported = 0;
  for (const auto& test : std::filesystem::directory_iterator(node)) {
    for (const auto& set : std::filesystem::directory_iterator(test.path())) {
      if (!set.is_directory()) {
        continue;
      }
      for (const auto part : {TestDataPart::outputs, TestDataPart::inputs}) {
        if (part == TestDataPart::inputs &&
            !std::filesystem::exists(set.path() / "input_0.pb")) {
          continue;
        }
        auto r = read_onnx_test_data_set(set.path().string(), part);
        if (!r) {
          // Only what mlstack does not read: STRING, complex, 8-bit float and 4-bit types.
          EXPECT_EQ(r.error().code, ErrorCode::unsupported) << to_string(r.error());
          ++unsupported;
          continue;
        }
        read += r->tensors.size();
      }
    }
  }
  EXPECT_GT(read, 2000U);
  EXPECT_LT(unsupported, 200U);
  std::printf("read %zu tensors; %zu inputs or outputs of unsupported types\n", read, unsupported);
}

}  // namespace
}  // namespace mlstack::tensors
