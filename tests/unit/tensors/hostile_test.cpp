// SPDX-License-Identifier: MIT
// Hostile and broken files: each read fails with the whole message asserted (file, tensor or
// member, what is wrong), never a crash.
#include "mlstack/tensors/npy.hpp"
#include "mlstack/tensors/npz.hpp"
#include "mlstack/tensors/onnx_tensor.hpp"
#include "mlstack/tensors/safetensors.hpp"
#include "zip_builder.hpp"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <string>
#include <string_view>

namespace mlstack::tensors {
namespace {

using testing::deflated;
using testing::stored;
using testing::zip_bytes;

std::span<const std::byte> as_bytes(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

// A .npy file: magic, version, header padded as numpy pads it, then `data`.
std::string npy(std::string_view header, std::string_view data = "", int major = 1) {
  std::string h(header);
  const std::size_t pre = major == 1 ? 10 : 12;
  while ((pre + h.size() + 1) % 64 != 0) {
    h.push_back(' ');
  }
  h.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back(static_cast<char>(major));
  out.push_back('\0');
  testing::put(out, h.size(), major == 1 ? 2 : 4);
  return out + h + std::string(data);
}

struct Case {
  std::string_view what;
  std::string bytes;
  std::string_view expected;
};

void check(const Case& c, Result<TensorFile> r) {
  SCOPED_TRACE(c.what);
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()), c.expected);
}

const std::string k_f4_header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";

TEST(NpyHostile, FailWithTheFileAndWhat) {
  std::string version4 = npy(k_f4_header, "12345678");
  version4[6] = '\x04';
  std::string lying = npy(k_f4_header, "12345678");
  lying[8] = '\xff';
  lying[9] = '\x00';
  std::string big_header = npy(k_f4_header, "", 2);
  big_header[8] = '\x11';
  big_header[9] = '\x27';  // 10001
  const Case cases[] = {
      {"empty", "", "a.npy: not a .npy file (no `\\x93NUMPY` magic)"},
      {"magic only", "\x93NUMPY\x01", "a.npy: truncated .npy header"},
      {"version 4.0", version4,
       "a.npy: unsupported .npy format version 4.0 (numpy writes 1.0, 2.0, 3.0)"},
      {"header longer than the file", lying,
       "a.npy: the .npy header says it is 255 bytes, but the file has 126 after its preamble"},
      {"header over numpy's limit", big_header,
       "a.npy: the .npy header is 10001 bytes, over numpy's limit of 10000"},
      {"truncated data", npy(k_f4_header, "1234567"),
       "a.npy: truncated data: shape (2,) of float32 needs 8 bytes, the file has 7 after the "
       "header"},
      {"shape overflow", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"),
       "a.npy: shape (4294967296, 4294967296) overflows: its byte size is past 2^64"},
      {"shape overflow in bytes", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }"),
       "a.npy: shape (4611686018427387904,) overflows: its byte size is past 2^64"},
      {"dimension past 64 bits", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }"),
       "a.npy: dimension in `shape` overflows 64 bits"},
      {"negative dimension", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }"),
       "a.npy: bad .npy header: negative dimension in `shape` (at byte 51 of the header)"},
      {"missing key", npy("{'descr': '<f8', 'shape': (1,), }"),
       "a.npy: bad .npy header: it must have `descr`, `fortran_order` and `shape`"},
      {"unknown key", npy("{'descr': '<f8', 'evil': True}"),
       "a.npy: bad .npy header: unexpected key `'evil'` (numpy writes `descr`, `fortran_order` "
       "and `shape`) (at byte 25 of the header)"},
      {"not a dict", npy("__import__('os')"),
       "a.npy: bad .npy header: expected `{` at the start of the header (at byte 0 of the "
       "header)"},
      {"complex", npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "12345678"),
       "a.npy: unsupported dtype `<c8` (complex)"},
      {"object", npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "12345678"),
       "a.npy: object array (`|O`): its elements are pickled Python objects, which mlstack "
       "never unpickles (numpy loads them only with `allow_pickle=True`)"},
      {"structured", npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"),
       "a.npy: unsupported dtype: a structured array (a list `descr`)"},
      {"bad UTF-8 in 3.0", npy("{'descr': '<f4\xff', 'fortran_order': False, 'shape': (1,), }", "", 3),
       "a.npy: the .npy 3.0 header is not valid UTF-8"},
  };
  for (const auto& c : cases) {
    auto t = parse_npy(as_bytes(c.bytes), "a.npy", "");
    SCOPED_TRACE(c.what);
    ASSERT_FALSE(t);
    EXPECT_EQ(to_string(t.error()), c.expected);
  }
}

TEST(NpyParse, ReadsEveryHeaderVersionAndFortranOrder) {
  for (int major : {1, 2, 3}) {
    const auto bytes = npy("{'descr': '>i2', 'fortran_order': True, 'shape': (2, 1), }",
                           std::string("\x00\x01\x00\x02", 4), major);
    auto t = parse_npy(as_bytes(bytes), "a.npy", "x");
    ASSERT_TRUE(t) << to_string(t.error());
    EXPECT_EQ(t->dtype, DType::i16);
    EXPECT_EQ(t->byte_order, ByteOrder::big);
    EXPECT_EQ(t->layout, Layout::fortran);
    EXPECT_EQ(t->shape, (std::vector<std::uint64_t>{2, 1}));
    EXPECT_EQ(t->data.size(), 4U);
  }
}

const std::string k_member = npy(k_f4_header, "12345678");

TEST(NpzHostile, FailWithTheFileMemberAndWhat) {
  auto bomb = deflated("x.npy", k_member + std::string(1 << 20, '\0'));
  bomb.uncompressed = 100ULL << 20;  // claims 100 MiB
  auto lying_size = deflated("x.npy", k_member);
  lying_size.uncompressed = k_member.size() - 1;
  auto bad_crc = stored("x.npy", k_member);
  bad_crc.crc ^= 1;
  auto encrypted = stored("x.npy", k_member);
  encrypted.flags = 1;
  auto bzip = stored("x.npy", k_member);
  bzip.method = 12;
  auto overlap = stored("y.npy", k_member);
  overlap.local_offset_delta = -static_cast<std::int64_t>(k_member.size() + 35);
  std::string truncated = zip_bytes({stored("x.npy", k_member)});
  truncated.resize(truncated.size() - 10);
  auto far = stored("x.npy", k_member);
  far.local_offset_delta = 1 << 20;
  const Case cases[] = {
      {"not a zip", "hello", "a.npz: not a zip archive (too short for an end of central "
                             "directory record)"},
      {"no directory", std::string(100, 'x'),
       "a.npz: not a zip archive (no end of central directory record)"},
      {"declared ratio past deflate's", zip_bytes({bomb}),
       "a.npz: member `x.npy`: declares 104857600 bytes from 1119 compressed, a ratio over "
       "1100:1 (deflate cannot pass 1032:1)"},
      {"inflates past its size", zip_bytes({lying_size}),
       "a.npz: member `x.npy`: inflates past the size the central directory declares"},
      {"CRC", zip_bytes({bad_crc}), "a.npz: member `x.npy`: CRC-32 mismatch: the member is corrupt"},
      {"encrypted", zip_bytes({encrypted}), "a.npz: member `x.npy`: encrypted member"},
      {"method", zip_bytes({bzip}),
       "a.npz: member `x.npy`: compression method 12 (numpy writes 0, stored, or 8, deflated)"},
      {"overlap", zip_bytes({stored("x.npy", k_member), overlap}),
       "a.npz: member `y.npy`: its bytes overlap those of member `x.npy` (a zip bomb's shape)"},
      {"duplicate", zip_bytes({stored("x.npy", k_member), stored("x.npy", k_member)}),
       "a.npz: member `x.npy`: a second member of this name"},
      {"not an array", zip_bytes({stored("notes.txt", "hello")}),
       "a.npz: member `notes.txt`: the member is not a .npy array"},
      {"member's npy broken", zip_bytes({stored("x.npy", k_member.substr(0, k_member.size() - 1))}),
       "a.npz: tensor `x`: truncated data: shape (2,) of float32 needs 8 bytes, the file has 7 "
       "after the header"},
      {"truncated archive", truncated,
       "a.npz: not a zip archive (no end of central directory record)"},
      {"local header past the end", zip_bytes({far}),
       "a.npz: member `x.npy`: the local header is missing or past the end of the file"},
  };
  for (const auto& c : cases) {
    check(c, parse_npz(as_bytes(c.bytes), "a.npz", {}, nullptr));
  }
  // A real bomb within the declared-ratio bound still stops at the size caps.
  NpzLimits small;
  small.max_inflated_member = 1 << 20;
  const auto zeros = zip_bytes({deflated("x.npy", k_member + std::string(2 << 20, '\0'))});
  auto r = parse_npz(as_bytes(zeros), "a.npz", small, nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()),
            "a.npz: member `x.npy`: inflates to 2097288 bytes, over the limit of 1048576 per "
            "member and 8589934592 in all");
  NpzLimits few;
  few.max_members = 1;
  r = parse_npz(as_bytes(zip_bytes({stored("x.npy", k_member), stored("y.npy", k_member)})),
                "a.npz", few, nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()), "a.npz: the archive declares 2 members, over the limit of 1");
}

TEST(NpzParse, StoredAndDeflatedMembers) {
  const auto bytes = zip_bytes({stored("a.npy", k_member), deflated("b.npy", k_member)});
  auto r = parse_npz(as_bytes(bytes), "a.npz", {}, nullptr);
  ASSERT_TRUE(r) << to_string(r.error());
  ASSERT_EQ(r->tensors.size(), 2U);
  EXPECT_EQ(r->tensors[0].name, "a");
  EXPECT_EQ(r->tensors[1].name, "b");
  // The stored member's data lies inside the archive's bytes; the deflated one's does not.
  EXPECT_GE(r->tensors[0].data.data(), as_bytes(bytes).data());
  EXPECT_LT(r->tensors[0].data.data(), as_bytes(bytes).data() + bytes.size());
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(r->tensors[1].data.data()), 8),
            "12345678");
}

std::string safetensors(std::string_view header, std::string_view data) {
  std::string out;
  testing::put(out, header.size(), 8);
  return out + std::string(header) + std::string(data);
}

TEST(SafetensorsHostile, FailWithTheFileTensorAndWhat) {
  std::string huge;
  testing::put(huge, 100'000'001, 8);
  const Case cases[] = {
      {"short", "abc", "a.safetensors: truncated: a .safetensors file starts with an 8-byte "
                       "header size, the file has 3 bytes"},
      {"header over the limit", huge,
       "a.safetensors: the header size 100000001 is over the format's limit of 100000000 bytes"},
      {"header bigger than the file", safetensors("{}", "").substr(0, 9),
       "a.safetensors: the header size 2 is bigger than the file (1 bytes after the size)"},
      {"not an object", safetensors("[1]", ""), "a.safetensors: the header does not start with `{`"},
      {"not JSON", safetensors("{\"a\":", ""), "a.safetensors: the header is not a JSON object"},
      {"8-bit float", safetensors(R"({"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", "x"),
       "a.safetensors: tensor `w`: unsupported dtype `F8_E4M3` (mlstack reads F64, F32, F16, "
       "BF16, I8-I64, U8-U64, BOOL)"},
      {"gap", safetensors(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})", "xx"),
       "a.safetensors: tensor `w`: `data_offsets` [1, 2] do not follow the previous tensor's "
       "end (0)"},
      {"wrong span", safetensors(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "xxxx"),
       "a.safetensors: tensor `w`: `data_offsets` [0, 4] hold 4 bytes, shape (2,) of float32 "
       "needs 8"},
      {"truncated", safetensors(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "xxxx"),
       "a.safetensors: tensor `w`: truncated: `data_offsets` end at 8, the file has 4 bytes of "
       "data"},
      {"trailing data", safetensors(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", "xx"),
       "a.safetensors: the tensors hold 1 bytes of data, the file has 2"},
      {"overflow", safetensors(R"({"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", ""),
       "a.safetensors: tensor `w`: shape (4294967296, 4294967296) overflows: its byte size is "
       "past 2^64"},
      {"negative", safetensors(R"({"w":{"dtype":"F64","shape":[-1],"data_offsets":[0,0]}})", ""),
       "a.safetensors: tensor `w`: `shape` must hold non-negative integers"},
      {"metadata", safetensors(R"({"__metadata__":{"a":1}})", ""),
       "a.safetensors: `__metadata__` must map strings to strings"},
  };
  for (const auto& c : cases) {
    check(c, parse_safetensors(as_bytes(c.bytes), "a.safetensors", nullptr));
  }
}

TEST(OnnxTensorHostile, FailWithTheFileTensorAndWhat) {
  auto proto = [](auto edit) {
    onnx::TensorProto p;
    p.set_name("y");
    p.set_data_type(onnx::TensorProto_DataType_FLOAT);
    p.add_dims(2);
    p.set_raw_data(std::string(8, '\0'));
    edit(p);
    return p.SerializeAsString();
  };
  const Case cases[] = {
      {"garbage", "\xff\xff\xff\xff", "a.pb: not an ONNX TensorProto (protobuf could not parse it)"},
      {"raw size", proto([](auto& p) { p.set_raw_data("abc"); }),
       "a.pb: tensor `y`: `raw_data` holds 3 bytes, shape (2,) of float32 needs 8"},
      {"negative dim", proto([](auto& p) { p.set_dims(0, -3); }),
       "a.pb: tensor `y`: negative dimension -3"},
      {"string", proto([](auto& p) { p.set_data_type(onnx::TensorProto_DataType_STRING); }),
       "a.pb: tensor `y`: unsupported data type 8 (STRING)"},
      {"unknown type", proto([](auto& p) { p.set_data_type(77); }),
       "a.pb: tensor `y`: unsupported data type 77"},
      {"external", proto([](auto& p) { p.set_data_location(onnx::TensorProto_DataLocation_EXTERNAL); }),
       "a.pb: tensor `y`: external data (`data_location: EXTERNAL`)"},
      {"typed count", proto([](auto& p) {
         p.clear_raw_data();
         p.add_float_data(1.0F);
       }),
       "a.pb: tensor `y`: `float_data` holds 1 values, shape (2,) needs 2"},
      {"overflow", proto([](auto& p) {
         p.set_dims(0, 1LL << 40);
         p.add_dims(1LL << 40);
       }),
       "a.pb: tensor `y`: shape (1099511627776, 1099511627776) overflows: its byte size is "
       "past 2^64"},
  };
  for (const auto& c : cases) {
    check(c, parse_onnx_tensor(as_bytes(c.bytes), "a.pb", "a"));
  }
}

}  // namespace
}  // namespace mlstack::tensors
