// SPDX-License-Identifier: MIT
#include "mlstack/frameworks/python_literals.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

namespace mlstack::frameworks {
namespace {

TEST(PythonAssignments, ReadsLiteralsAndAnnotations) {
  const auto a = *parse_python_assignments(
      "\"\"\"Doc\nx = 'not an assignment'\n\"\"\"\nimport os\n"
      "__version__ = '2.11.0+cu130'\ncuda: Optional[str] = \"13.0\"\nhip = None\n"
      "debug = False\nn = 12  # comment\nf = os.environ.get('X')\n"
      "caps = ['sm_80',\n        'compute_90']\n    indented = 1\n");
  ASSERT_EQ(a.size(), 7U);
  EXPECT_EQ(find_assignment(a, "x"), nullptr);
  EXPECT_EQ(find_assignment(a, "indented"), nullptr);
  EXPECT_EQ(find_assignment(a, "__version__")->text, "2.11.0+cu130");
  EXPECT_EQ(find_assignment(a, "cuda")->text, "13.0");
  EXPECT_EQ(find_assignment(a, "hip")->kind, PyValue::Kind::none);
  EXPECT_EQ(find_assignment(a, "debug")->kind, PyValue::Kind::boolean);
  EXPECT_FALSE(find_assignment(a, "debug")->is_true());
  EXPECT_EQ(find_assignment(a, "n")->text, "12");
  EXPECT_EQ(find_assignment(a, "f")->kind, PyValue::Kind::other);
  EXPECT_EQ(find_assignment(a, "f")->text, "os.environ.get('X')");
  const auto* caps = find_assignment(a, "caps");
  ASSERT_EQ(caps->items.size(), 2U);
  EXPECT_EQ(caps->items[1].text, "compute_90");
}

TEST(PythonAssignments, ReadsOrderedDictAndDict) {
  const auto a = *parse_python_assignments(
      "build_info = collections.OrderedDict([('cuda_version', '11.2'), ('is_cuda_build', True),"
      " ('caps', ['sm_35', 'compute_80'])])\nd = {'a': 1, \"b\": [2, 3],}\n");
  ASSERT_EQ(a.size(), 2U);
  const auto& info = a[0].value;
  ASSERT_EQ(info.kind, PyValue::Kind::dict);
  EXPECT_EQ(info.find("cuda_version")->text, "11.2");
  EXPECT_TRUE(info.find("is_cuda_build")->is_true());
  EXPECT_EQ(info.find("caps")->items.size(), 2U);
  EXPECT_EQ(a[1].value.find("b")->items.size(), 2U);
  EXPECT_EQ(a[1].line, 2U);
}

TEST(PythonAssignments, KeepsExpressionsAsOther) {
  const auto a = *parse_python_assignments("x = 1 + 2\ny = 'a' 'b'\nz == 3\n");
  ASSERT_EQ(a.size(), 2U);
  EXPECT_EQ(a[0].value.kind, PyValue::Kind::other);
  EXPECT_EQ(a[1].value.text, "ab");
}

// CPython's tokenizer stops at 201 nested brackets ("too many nested parentheses"); so does
// the reader, with the line, instead of recursing as deep as the file goes.
TEST(PythonAssignments, StopsAtPythonsNestingLimit) {
  const auto nested = [](std::size_t depth, std::string_view open, std::string_view close) {
    std::string out = "x = 1\nv = ";
    for (std::size_t i = 0; i < depth; ++i) {
      out += open;
    }
    for (std::size_t i = 0; i < depth; ++i) {
      out += close;
    }
    return out + "\n";
  };
  const auto ok = parse_python_assignments(nested(200, "[", "]"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->back().value.kind, PyValue::Kind::list);
  for (const auto& [open, close] : {std::pair<std::string_view, std::string_view>{"[", "]"},
                                    {"(", ")"},
                                    {"{1: ", "}"},
                                    {"OrderedDict([(1, ", ")])"}}) {
    SCOPED_TRACE(open);
    const auto deep = parse_python_assignments(nested(201, open, close));
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().code, ErrorCode::limit);
    EXPECT_EQ(deep.error().message, "line 2: too many nested parentheses (Python allows 200)");
  }
  // 100,000 brackets (the fuzzer's stack overflow) stop at the limit, not at the end of the stack.
  EXPECT_FALSE(parse_python_assignments(nested(100000, "(", ")")));
}

}  // namespace
}  // namespace mlstack::frameworks
