// SPDX-License-Identifier: MIT
#include "mlstack/kb/expression.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace mlstack::kb {
namespace {

TEST(ExpressionParse, AcceptsTheLanguage) {
  struct Case {
    std::string_view input;
    Type type;
  };
  constexpr Case k_cases[] = {
      {R"(installed("tensorflow"))", Type::boolean},
      {R"(installed("tensorflow", "tensorflow-cpu"))", Type::boolean},
      {R"(version("protobuf") >= "4.21")", Type::boolean},
      {R"(version("tensorflow") in "<=2.11,!=2.10.0")", Type::boolean},
      {R"(version("protobuf"))", Type::version},
      {R"(major(version("numpy")) >= 2)", Type::boolean},
      {R"(framework.name == "torch")", Type::boolean},
      {R"(framework.name in ["torch", "jax"])", Type::boolean},
      {R"(framework.archs contains "sm_90")", Type::boolean},
      {R"(framework.cuda_major >= 13 and not framework.gpu_build)", Type::boolean},
      {R"(framework.cudnn_major != other.cudnn_major)", Type::boolean},
      {R"(framework.cuda == none or framework.cuda >= "12")", Type::boolean},
      {R"(framework.cuda >= 12)", Type::boolean},
      {R"(driver.present and driver.version < cuda_compat_driver(framework.cuda))", Type::boolean},
      {R"(driver.version < cuda_min_driver("12.4"))", Type::boolean},
      {R"(device.compute_capability < cuda_min_cc(framework.cuda))", Type::boolean},
      {R"(has_sass(framework.archs, device.compute_capability))", Type::boolean},
      {R"(not has_ptx(framework.archs, "7.0"))", Type::boolean},
      {R"(library_found("cudnn", 9) and library_version("cudnn", 9) >= "9.1")", Type::boolean},
      {R"(gpu_build("jax") or device_count() > 1)", Type::boolean},
      {R"(gpu_compute_capability(device.name) == "9.0")", Type::boolean},
      {R"((true or false) and not (python.version < "3.9"))", Type::boolean},
      {"driver.present\n  and driver.cuda >= \"13.0\"", Type::boolean},
      {R"(framework.archs)", Type::list},
      {R"(device.index)", Type::integer},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.input);
    auto e = Expression::parse(c.input);
    ASSERT_TRUE(e) << render(e.error());
    EXPECT_EQ(e->type(), c.type);
  }
}

TEST(ExpressionParse, RejectsWithFullMessage) {
  struct Case {
    std::string_view input;
    std::string_view expected;
  };
  constexpr Case k_cases[] = {
      {R"(instaled("tensorflow"))",
       "unknown function `instaled`\n"
       "    instaled(\"tensorflow\")\n"
       "    ^^^^^^^^"},
      {R"(framework.cudaa >= "12")",
       "unknown field `cudaa` of `framework`\n"
       "    framework.cudaa >= \"12\"\n"
       "              ^^^^^"},
      {R"(frame.cuda)",
       "unknown name `frame`; expected `python`, `driver`, `framework`, `other`, `device` or "
       "`library`\n"
       "    frame.cuda\n"
       "    ^^^^^"},
      {R"(version("protobuf") >= "four")",
       "expected a PEP 440 version, found `four`\n"
       "    version(\"protobuf\") >= \"four\"\n"
       "                           ^^^^^^"},
      {R"(version("tensorflow") in "<=2.11;")",
       "invalid specifier set `<=2.11;`: expected end of version, found `;`\n"
       "    version(\"tensorflow\") in \"<=2.11;\"\n"
       "                             ^^^^^^^^^"},
      {R"(installed("x") and)",
       "expected a value, found end of expression\n"
       "    installed(\"x\") and\n"
       "                      ^"},
      {R"(installed("x") = true)",
       "expected `==`, found `=`\n"
       "    installed(\"x\") = true\n"
       "                   ^"},
      {R"(installed("x") or version("y"))",
       "expected a boolean after `or`, found version\n"
       "    installed(\"x\") or version(\"y\")\n"
       "                      ^^^^^^^^^^^^"},
      {R"(framework.name >= "torch")",
       "`>=` needs versions or integers, found string\n"
       "    framework.name >= \"torch\"\n"
       "                   ^^"},
      {R"(framework.cuda_major == "x")",
       "cannot compare integer with string\n"
       "    framework.cuda_major == \"x\"\n"
       "    ^^^^^^^^^^^^^^^^^^^^^^^^^^^"},
      {R"(major("2.0", "3"))",
       "`major` expects 1 argument, found 2\n"
       "    major(\"2.0\", \"3\")\n"
       "    ^^^^^^^^^^^^^^^^^"},
      {R"(library_found("cudnn", "9"))",
       "expected an integer argument, found string\n"
       "    library_found(\"cudnn\", \"9\")\n"
       "                           ^^^"},
      {R"(version(framework.name))",
       "expected a distribution name in quotes\n"
       "    version(framework.name)\n"
       "            ^^^^^^^^^^^^^^"},
      {R"(installed("x)",
       "unterminated string\n"
       "    installed(\"x\n"
       "              ^"},
      {R"(driver.version < none)",
       "`none` can only be compared with `==` or `!=`\n"
       "    driver.version < none\n"
       "                   ^"},
      {R"(installed("a") installed("b"))",
       "expected `and`, `or` or end of expression, found `installed`\n"
       "    installed(\"a\") installed(\"b\")\n"
       "                   ^^^^^^^^^"},
      {R"(driver.present & true)",
       "unexpected character `&`\n"
       "    driver.present & true\n"
       "                   ^"},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.input);
    auto e = Expression::parse(c.input);
    ASSERT_FALSE(e);
    EXPECT_EQ(render(e.error()), c.expected);
  }
}

// A chain of any length is one node: a 12,000-term `and` is parsed, walked and destroyed
// without recursing per term (it used to overflow the stack in `node_use`).
TEST(ExpressionParse, ChainsAreFlat) {
  std::string text = "device.index == 0";
  for (int i = 1; i < 12000; ++i) {
    text += " and device.index == " + std::to_string(i % 7);
  }
  text += " or framework.gpu_build or not true";
  auto e = Expression::parse(text);
  ASSERT_TRUE(e) << render(e.error());
  const Node& root = e->root();
  EXPECT_EQ(root.kind, Node::Kind::logical_or);
  ASSERT_EQ(root.children.size(), 3U);
  EXPECT_EQ(root.children[0].kind, Node::Kind::logical_and);
  EXPECT_EQ(root.children[0].children.size(), 12000U);
  EXPECT_EQ(root.begin, 0U);
  EXPECT_EQ(root.length, text.size());
  EXPECT_TRUE(e->uses(Binding::framework));
}

// Parentheses, call arguments and `not` nest at most 32 deep.
TEST(ExpressionParse, LimitsNesting) {
  const auto parens = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '(') + "true" +
           std::string(static_cast<std::size_t>(depth), ')');
  };
  EXPECT_TRUE(Expression::parse(parens(31)));
  auto deep = Expression::parse(parens(32));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().message,
            "expression nested too deeply: at most 32 levels of parentheses, calls and `not`");
  EXPECT_EQ(deep.error().span->begin, 32U);
  std::string nots;
  for (int i = 0; i < 40; ++i) {
    nots += "not ";
  }
  EXPECT_FALSE(Expression::parse(nots + "true"));
  std::string calls = "true";
  for (int i = 0; i < 40; ++i) {
    calls = "major(minor(" + calls + "))";
  }
  EXPECT_FALSE(Expression::parse(calls));
  // The fuzzer's 880 parentheses (a stack overflow before the limit).
  EXPECT_FALSE(Expression::parse(parens(880)));
}

TEST(ExpressionUses, ReportsBindings) {
  auto e = Expression::parse(R"(framework.gpu_build and device.index == 0)");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->uses(Binding::framework));
  EXPECT_TRUE(e->uses(Binding::device));
  EXPECT_FALSE(e->uses(Binding::other));
  ASSERT_NE(e->first_use(Binding::device), nullptr);
  EXPECT_EQ(e->first_use(Binding::device)->begin, 24U);
}

TEST(TemplateParse, SplitsPlaceholders) {
  auto t = Template::parse("{framework.name} needs CUDA {framework.cuda} {{literal}}");
  ASSERT_TRUE(t) << render(t.error());
  ASSERT_EQ(t->parts().size(), 4U);
  EXPECT_TRUE(t->parts()[0].expression.has_value());
  EXPECT_EQ(t->parts()[1].text, " needs CUDA ");
  EXPECT_EQ(t->parts()[3].text, " {literal}");
  EXPECT_TRUE(t->uses(Binding::framework));
}

TEST(TemplateParse, RejectsWithFullMessage) {
  struct Case {
    std::string_view input;
    std::string_view expected;
  };
  constexpr Case k_cases[] = {
      {"needs {framework.cudaa}",
       "unknown field `cudaa` of `framework`\n"
       "    needs {framework.cudaa}\n"
       "                     ^^^^^"},
      {"needs {framework.cuda",
       "unterminated placeholder; expected `}`\n"
       "    needs {framework.cuda\n"
       "          ^"},
      {"a } b",
       "unmatched `}`; write `}}` for a brace\n"
       "    a } b\n"
       "      ^"},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.input);
    auto t = Template::parse(c.input);
    ASSERT_FALSE(t);
    EXPECT_EQ(render(t.error()), c.expected);
  }
}

}  // namespace
}  // namespace mlstack::kb
