// SPDX-License-Identifier: MIT
// ONNX values other than one TensorProto: sequences and optionals (what test data sets of
// models with sequence or optional inputs and outputs hold), read as the model's type says or,
// without a model, as the bytes parse; and the model's input and output kinds.
#include "mlstack/tensors/onnx_tensor.hpp"

#include <gtest/gtest.h>
#include <onnx/onnx-data_pb.h>
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace mlstack::tensors {
namespace {

std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

onnx::TensorProto tensor(std::vector<float> values, std::string name = {}) {
  onnx::TensorProto p;
  p.set_name(std::move(name));
  p.set_data_type(onnx::TensorProto_DataType_FLOAT);
  p.add_dims(static_cast<std::int64_t>(values.size()));
  for (const float v : values) {
    p.add_float_data(v);
  }
  return p;
}

std::vector<std::string> names(const TensorFile& f) {
  std::vector<std::string> out;
  for (const auto& t : f.tensors) {
    out.push_back(t.name);
  }
  return out;
}

std::vector<float> floats(const TensorView& t) {
  std::vector<float> out(t.element_count);
  std::memcpy(out.data(), t.data.data(), t.data.size());
  return out;
}

TEST(OnnxValues, ASequenceIsOneTensorPerElement) {
  onnx::SequenceProto s;
  s.set_name("seq");
  s.set_elem_type(onnx::SequenceProto_DataType_TENSOR);
  *s.add_tensor_values() = tensor({1, 2}, "ignored");
  auto* raw = s.add_tensor_values();
  *raw = tensor({});
  raw->set_dims(0, 3);
  const float three[] = {3, 4, 5};
  raw->set_raw_data(std::string(reinterpret_cast<const char*>(three), sizeof three));
  const auto bytes = s.SerializeAsString();
  for (const auto kind : {OnnxValueKind::sequence, OnnxValueKind::unknown}) {
    auto r = parse_onnx_value(as_bytes(bytes), "a.pb", "a", kind);
    ASSERT_TRUE(r) << to_string(r.error());
    EXPECT_EQ(r->path, "a.pb");
    EXPECT_EQ(names(*r), (std::vector<std::string>{"seq[0]", "seq[1]"}));
    EXPECT_EQ(floats(r->tensors[0]), (std::vector<float>{1, 2}));
    EXPECT_EQ(floats(r->tensors[1]), (std::vector<float>{3, 4, 5}));
  }
  // A sequence of sequences, and one without a name (the file's stem).
  onnx::SequenceProto outer;
  outer.set_elem_type(onnx::SequenceProto_DataType_SEQUENCE);
  *outer.add_sequence_values() = s;
  auto* empty = outer.add_sequence_values();
  empty->set_elem_type(onnx::SequenceProto_DataType_TENSOR);
  *outer.add_sequence_values() = s;
  auto r = parse_onnx_value(as_bytes(outer.SerializeAsString()), "a.pb", "a",
                            OnnxValueKind::unknown);
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(names(*r), (std::vector<std::string>{"a[0][0]", "a[0][1]", "a[2][0]", "a[2][1]"}));
}

TEST(OnnxValues, AnOptionalIsItsElementOrNothing) {
  onnx::OptionalProto o;
  o.set_name("opt");
  o.set_elem_type(onnx::OptionalProto_DataType_TENSOR);
  *o.mutable_tensor_value() = tensor({7});
  auto r = parse_onnx_value(as_bytes(o.SerializeAsString()), "a.pb", "a", OnnxValueKind::optional);
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(names(*r), (std::vector<std::string>{"opt"}));
  EXPECT_EQ(floats(r->tensors[0]), (std::vector<float>{7}));
  // Without the model, its bytes are those of a one-tensor sequence.
  r = parse_onnx_value(as_bytes(o.SerializeAsString()), "a.pb", "a", OnnxValueKind::unknown);
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(names(*r), (std::vector<std::string>{"opt[0]"}));
  // Absent (elem_type UNDEFINED: onnx's to_optional gives None): no tensor, with or without
  // the model.
  onnx::OptionalProto absent;
  absent.set_name("opt");
  absent.set_elem_type(onnx::OptionalProto_DataType_UNDEFINED);
  for (const auto kind : {OnnxValueKind::optional, OnnxValueKind::unknown}) {
    r = parse_onnx_value(as_bytes(absent.SerializeAsString()), "a.pb", "a", kind);
    ASSERT_TRUE(r) << to_string(r.error());
    EXPECT_TRUE(r->tensors.empty());
  }
}

TEST(OnnxValues, WhatIsNotReadIsAnErrorNamingIt) {
  onnx::SequenceProto maps;
  maps.set_name("m");
  maps.set_elem_type(onnx::SequenceProto_DataType_MAP);
  auto r = parse_onnx_value(as_bytes(maps.SerializeAsString()), "a.pb", "a",
                            OnnxValueKind::sequence);
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()), "a.pb: tensor `m`: a sequence of maps");
  r = parse_onnx_value(as_bytes(maps.SerializeAsString()), "a.pb", "a", OnnxValueKind::map);
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()), "a.pb: a map (model.onnx types it `map_type`): not read");
  // A sequence element that does not read names the element.
  onnx::SequenceProto s;
  s.set_name("s");
  s.set_elem_type(onnx::SequenceProto_DataType_TENSOR);
  *s.add_tensor_values() = tensor({1});
  s.add_tensor_values()->set_data_type(onnx::TensorProto_DataType_STRING);
  r = parse_onnx_value(as_bytes(s.SerializeAsString()), "a.pb", "a", OnnxValueKind::sequence);
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()), "a.pb: tensor `s[1]`: unsupported data type 8 (STRING)");
}

TEST(OnnxValues, WithoutAModelTheErrorSaysWhatWasTried) {
  const std::string garbage = "\xff\xff\xff\xff";
  auto r = parse_onnx_value(as_bytes(garbage), "a.pb", "a", OnnxValueKind::unknown);
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()),
            "a.pb: no model.onnx says which ONNX message this is, and it reads as none: as a "
            "TensorProto, protobuf could not parse it; as a SequenceProto, protobuf could not "
            "parse it; as an OptionalProto, protobuf could not parse it");
  // A TensorProto that parses but does not read: each attempt's reason.
  auto t = tensor({1, 2}, "y");
  t.clear_float_data();
  r = parse_onnx_value(as_bytes(t.SerializeAsString()), "a.pb", "a", OnnxValueKind::unknown);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::parse);
  EXPECT_NE(to_string(r.error()).find("as a TensorProto, tensor `y`: `float_data` holds 0 "
                                      "values, shape (2,) needs 2; as a SequenceProto, "),
            std::string::npos)
      << to_string(r.error());
  // Read as the model says, a TensorProto's error is the TensorProto's.
  r = parse_onnx_value(as_bytes(t.SerializeAsString()), "a.pb", "a", OnnxValueKind::tensor);
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()), "a.pb: tensor `y`: `float_data` holds 0 values, shape (2,) needs 2");
}

TEST(OnnxValues, ModelInputAndOutputKinds) {
  onnx::ModelProto m;
  auto* g = m.mutable_graph();
  g->add_input()->mutable_type()->mutable_tensor_type()->set_elem_type(1);
  g->add_input()->mutable_type()->mutable_optional_type();
  g->add_output()->mutable_type()->mutable_sequence_type();
  g->add_output()->mutable_type()->mutable_map_type();
  g->add_output();
  auto io = parse_onnx_model_io(as_bytes(m.SerializeAsString()), "model.onnx");
  ASSERT_TRUE(io) << to_string(io.error());
  EXPECT_EQ(io->inputs, (std::vector{OnnxValueKind::tensor, OnnxValueKind::optional}));
  EXPECT_EQ(io->outputs, (std::vector{OnnxValueKind::sequence, OnnxValueKind::map,
                                      OnnxValueKind::unknown}));
  io = parse_onnx_model_io(as_bytes(std::string("\xff\xff\xff\xff")), "model.onnx");
  ASSERT_FALSE(io);
  EXPECT_EQ(to_string(io.error()), "model.onnx: not an ONNX ModelProto (protobuf could not parse it)");
}

// Through the plugin, as the executable reads a folder (MLSTACK_ONNX_PLUGIN, set by ctest).
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mlstack-onnx-XXXXXX").string();
    m_path = mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

void write(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

TEST(OnnxTestDataSets, TheModelSaysWhatEachFileHolds) {
  TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  const auto set = std::filesystem::path(tmp.path()) / "test_data_set_0";
  std::filesystem::create_directories(set);
  onnx::OptionalProto o;
  o.set_name("opt");
  o.set_elem_type(onnx::OptionalProto_DataType_TENSOR);
  *o.mutable_tensor_value() = tensor({7});
  write(set / "output_0.pb", o.SerializeAsString());
  write(set / "output_1.pb", tensor({1, 2}, "t").SerializeAsString());
  // No model: the optional's bytes read as a one-element sequence.
  auto r = read_onnx_test_data_set(set.string());
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(names(*r), (std::vector<std::string>{"opt[0]", "t"}));
  // The model says output 0 is an optional.
  onnx::ModelProto m;
  m.mutable_graph()->add_output()->mutable_type()->mutable_optional_type();
  m.mutable_graph()->add_output()->mutable_type()->mutable_tensor_type();
  write(std::filesystem::path(tmp.path()) / "model.onnx", m.SerializeAsString());
  r = read_onnx_test_data_set(set.string());
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(names(*r), (std::vector<std::string>{"opt", "t"}));
  // Absent: the data set holds one tensor, not an error.
  o.set_elem_type(onnx::OptionalProto_DataType_UNDEFINED);
  o.clear_tensor_value();
  write(set / "output_0.pb", o.SerializeAsString());
  r = read_onnx_test_data_set(set.string());
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(names(*r), (std::vector<std::string>{"t"}));
  // A model.onnx that is not one is an error naming it.
  write(std::filesystem::path(tmp.path()) / "model.onnx", "\xff\xff\xff\xff");
  r = read_onnx_test_data_set(set.string());
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()), (std::filesystem::path(tmp.path()) / "model.onnx").string() +
                                      ": not an ONNX ModelProto (protobuf could not parse it)");
}

}  // namespace
}  // namespace mlstack::tensors
