// SPDX-License-Identifier: MIT
#include "mlstack/spec/spec.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace mlstack::spec {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(SpecParse, ReadsTheSeedExample) {
  const std::string path = std::string(MLSTACK_SOURCE_DIR) + "/examples/tf29-torch112/mlstack.toml";
  const std::string text = read(path);
  ASSERT_FALSE(text.empty()) << path;
  auto s = parse_spec("mlstack.toml", text);
  ASSERT_TRUE(s) << render(s.error());
  EXPECT_EQ(s->target.python.text, "3.9");
  EXPECT_EQ(s->target.base, "debian:bullseye");
  ASSERT_TRUE(s->target.cuda);
  EXPECT_EQ(s->target.cuda->text, "11.2");
  ASSERT_TRUE(s->target.min_driver);
  EXPECT_EQ(s->target.min_driver->text, "450.80.02");
  ASSERT_EQ(s->frameworks.size(), 2U);
  EXPECT_EQ(s->frameworks[0].name, "tensorflow");  // file order, not toml++'s sorted order
  EXPECT_EQ(s->frameworks[0].versions.to_string(), "==2.9.*");
  EXPECT_EQ(s->frameworks[1].name, "torch");
  EXPECT_EQ(s->frameworks[1].versions.to_string(), "==1.12.1");
  ASSERT_EQ(s->variants.size(), 4U);
  EXPECT_EQ(s->variants_source, VariantsSource::spec);
  EXPECT_EQ(s->variants[0].name, "base");
  EXPECT_TRUE(s->variants[0].frameworks.empty());
  EXPECT_EQ(s->variants[3].name, "full");
  EXPECT_EQ(s->variants[3].frameworks, (std::vector<std::string>{"tensorflow", "torch"}));
  EXPECT_TRUE(s->memory.growth);
}

TEST(SpecParse, DefaultsVariantsToBasePerFrameworkAndFull) {
  auto s = parse_spec("m.toml",
                      "[target]\npython = \"3.10\"\n[frameworks]\ntorch = \">=2\"\njax = \"*\"\n");
  // `*` is not a PEP 440 specifier
  ASSERT_FALSE(s);
  s = parse_spec("m.toml",
                 "[target]\npython = \"3.10\"\n[frameworks]\ntorch = \">=2\"\njax = \"\"\n");
  ASSERT_TRUE(s) << render(s.error());
  ASSERT_EQ(s->variants.size(), 4U);
  EXPECT_EQ(s->variants_source, VariantsSource::defaults);
  EXPECT_EQ(s->variants[0].name, "base");
  EXPECT_EQ(s->variants[1].name, "torch");
  EXPECT_EQ(s->variants[2].name, "jax");
  EXPECT_EQ(s->variants[3].name, "full");
  EXPECT_TRUE(s->frameworks[1].versions.empty());
}

TEST(SpecParse, ReadsTablesOfFrameworksVariantsAndMemory) {
  auto s = parse_spec("m.toml", R"(name = "lab"
[target]
python = "3.9"
compute_capabilities = ["8.0", "8.6"]
gpus = ["A100"]
[frameworks]
torch = { version = "==1.12.1", variant = "cu113" }
tensorflow = "~=2.9.1"
[packages]
requirements = ["pillow>=9", "scipy<1.11; python_version < \"3.10\""]
[variants.train]
frameworks = ["torch"]
packages = ["tensorboard"]
[memory]
growth = false
fractions = { torch = 0.5, tensorflow = 0.25 }
)");
  ASSERT_TRUE(s) << render(s.error());
  EXPECT_EQ(s->name, "lab");
  EXPECT_EQ(s->frameworks[0].variant, "cu113");
  ASSERT_EQ(s->target.compute_capabilities.size(), 2U);
  EXPECT_EQ(s->target.compute_capabilities[1].text, "8.6");
  ASSERT_EQ(s->packages.size(), 2U);
  EXPECT_EQ(s->packages[1].to_string(), "scipy<1.11; python_version < \"3.10\"");
  ASSERT_EQ(s->variants.size(), 1U);
  EXPECT_EQ(s->variants[0].packages[0].name(), "tensorboard");
  EXPECT_FALSE(s->memory.growth);
  ASSERT_EQ(s->memory.fractions.size(), 2U);
  EXPECT_EQ(s->memory.fractions[0].first, "torch");
  EXPECT_DOUBLE_EQ(s->memory.fractions[1].second, 0.25);
}

// Every error names file:line:col and shows the line with a caret.
TEST(SpecParse, ErrorsNameLineAndColumn) {
  struct Case {
    std::string_view text, expected;
  };
  const Case cases[] = {
      {"[target]\npyton = \"3.9\"\n",
       "m.toml:2:1: unknown key `pyton` in [target]; did you mean `python`?\n"
       "    pyton = \"3.9\"\n    ^^^^^"},
      {"[target]\nbase = \"debian:bullseye\"\n",
       "m.toml:1:1: missing key `python` in [target]; expected the images' Python version, such "
       "as `python = \"3.9\"`\n    [target]\n    ^"},
      {"[target]\npython = \"3\"\n",
       "m.toml:2:10: expected a Python version `X.Y` for `python`, found `3`\n"
       "    python = \"3\"\n             ^^^"},
      {"[target]\npython = \"3.9\"\ncuda = \"eleven\"\n",
       "m.toml:3:8: expected a version such as `11.2` for `cuda`, found `eleven`\n"
       "    cuda = \"eleven\"\n           ^^^^^^^^"},
      {"[target]\npython = \"3.9\"\n[frameworks]\npytorch = \"==1.12.1\"\n",
       "m.toml:4:1: unknown framework `pytorch`; did you mean `torch`?\n"
       "    pytorch = \"==1.12.1\"\n    ^^^^^^^"},
      {"[target]\npython = \"3.9\"\n[frameworks]\ntorch = \">=1.12,<\"\n",
       "m.toml:4:9: expected PEP 440 version specifiers such as `==1.12.1` or `>=2.9.1,<2.10` for "
       "framework `torch`, found `>=1.12,<`: expected version after `<`, found end of input\n"
       "    torch = \">=1.12,<\"\n            ^^^^^^^^^^"},
      {"[target]\npython = \"3.9\"\n[frameworks]\ntorch = 1.12\n",
       "m.toml:4:9: expected version specifiers (a string such as `\"==1.12.1\"`) or a table "
       "`{ version = ..., variant = ... }` for framework `torch`, found a number\n"
       "    torch = 1.12\n            ^"},
      {"[target]\npython = \"3.9\"\n[frameworks]\ntorch = \"==1.12.1\"\n[variants]\n"
       "tf = [\"tensorflow\"]\n",
       "m.toml:6:7: variant `tf` names `tensorflow`, which is not in [frameworks]; add it there "
       "with its versions\n    tf = [\"tensorflow\"]\n          ^^^^^^^^^^^^"},
      {"[target]\npython = \"3.9\"\n[frameworks]\ntorch = \"\"\ntensorflow = \"\"\n[memory]\n"
       "fractions = { torch = 0.6, tensorflow = 0.5 }\n",
       "m.toml:7:41: memory fractions add up to more than 1 (1.10); frameworks on one GPU cannot "
       "share more than all of it\n"
       "    fractions = { torch = 0.6, tensorflow = 0.5 }\n"
       "                                            ^"},
      {"[target]\npython = \"3.9\"\n[frameworks]\ntorch = \"\"\n[memory]\n"
       "fractions = { torch = 0 }\n",
       "m.toml:6:23: expected a memory fraction above 0 and at most 1 for `torch`, found "
       "0.000000\n    fractions = { torch = 0 }\n                          ^"},
      {"[target]\npython = \"3.9\"\n[packages]\nrequirements = [\"pillow>=>9\"]\n",
       "m.toml:4:17: expected a PEP 508 requirement such as `pillow>=9` in `requirements`, found "
       "`pillow>=>9`: expected semicolon (after name with no version specifier) or end, found `>`\n"
       "    requirements = [\"pillow>=>9\"]\n                    ^^^^^^^^^^^^"},
      {"[targt]\npython = \"3.9\"\n",
       "m.toml:1:2: unknown key `targt` in the spec; did you mean `target`?\n"
       "    [targt]\n     ^^^^^"},
      {"python = \"3.9\"\n",
       "m.toml:1:1: unknown key `python` in the spec; expected `name`, `target`, `frameworks`, "
       "`packages`, `variants` or `memory`\n    python = \"3.9\"\n    ^^^^^^"},
      {"[target\n", "m.toml:1:8: "},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto s = parse_spec("m.toml", c.text);
    ASSERT_FALSE(s);
    const std::string got = render(s.error());
    if (c.expected.ends_with(": ")) {
      EXPECT_TRUE(got.starts_with(c.expected)) << got;
    } else {
      EXPECT_EQ(got, c.expected);
    }
  }
}

TEST(SpecParse, RefusesWhatTomlPlusPlusCannotTakeWithoutEchoingIt) {
  auto s = parse_spec("m.toml", std::string("[target]\npython = \"3.9\x11\"\n"));
  ASSERT_FALSE(s);
  EXPECT_EQ(to_string(s.error()), "m.toml:2:14: control character U+0011 (TOML allows none but tab)");
}

}  // namespace
}  // namespace mlstack::spec
