// SPDX-License-Identifier: MIT
#include "mlstack/kb/kb.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

namespace mlstack::kb {
namespace {

template <class Rows>
void check_entries(const Rows& rows, std::set<std::string>& ids) {
  for (const auto& row : rows) {
    SCOPED_TRACE(row.entry.id);
    EXPECT_FALSE(row.entry.id.empty());
    EXPECT_FALSE(row.entry.source.empty());
    EXPECT_TRUE(row.entry.file.starts_with("data/kb/"));
    EXPECT_GT(row.entry.line, 0);
    if (row.entry.grade == "U") {
      EXPECT_FALSE(row.entry.verified);
    }
    EXPECT_TRUE(ids.insert(row.entry.id).second);
  }
}

TEST(EmbeddedKb, LoadsAndEveryEntryHasIdAndSource) {
  auto kb = load_kb({});
  ASSERT_TRUE(kb) << render(kb.error());
  EXPECT_EQ(kb->files.size(), embedded_files().size());
  EXPECT_GE(kb->toolkits.size(), 40U);
  EXPECT_EQ(kb->minor_version_compat.size(), 3U);
  EXPECT_EQ(kb->arch_floors.size(), 3U);
  EXPECT_EQ(kb->forward_compat.size(), 1U);
  EXPECT_GE(kb->gpus.size(), 25U);
  EXPECT_GE(kb->releases.size(), 100U);
  EXPECT_GE(kb->memory.size(), 15U);
  EXPECT_GE(kb->rules.size(), 20U);
  std::set<std::string> ids;
  check_entries(kb->toolkits, ids);
  check_entries(kb->minor_version_compat, ids);
  check_entries(kb->arch_floors, ids);
  check_entries(kb->forward_compat, ids);
  check_entries(kb->gpus, ids);
  check_entries(kb->releases, ids);
  check_entries(kb->memory, ids);
  check_entries(kb->rules, ids);
}

TEST(EmbeddedKb, UnverifiedRulesAreInfoOnly) {
  auto kb = load_kb({});
  ASSERT_TRUE(kb);
  for (const Rule& r : kb->rules) {
    SCOPED_TRACE(r.entry.id);
    if (!r.entry.verified) {
      EXPECT_EQ(r.severity, rules::Severity::info);
      EXPECT_FALSE(r.entry.note.empty());
    }
  }
}

TEST(EmbeddedKb, EveryRuleIdIsDocumented) {
  auto kb = load_kb({});
  ASSERT_TRUE(kb);
  std::ifstream in(std::string(MLSTACK_TEST_DATA_DIR) + "/../../docs/rules.md");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  for (const Rule& r : kb->rules) {
    EXPECT_NE(text.str().find("### " + r.entry.id + " ("), std::string::npos) << r.entry.id;
  }
}

std::string error_of(std::string_view text) {
  Kb kb;
  auto r = add_kb_text(kb, "site.toml", text);
  if (r) {
    return "(no error)";
  }
  return render(r.error());
}

constexpr std::string_view k_rule_head = R"([[rule]]
id = "SITE-X"
severity = "warning"
source = "https://example.org"
verified = true
title = "t"
why = "w"
)";

TEST(KbText, ErrorsNameFileLineColumnWithCaret) {
  struct Case {
    std::string text;
    std::string_view expected;
  };
  const Case k_cases[] = {
      {"[[rule]\nid = 1\n",
       "site.toml:1:8: Error while parsing table header: expected ']', saw '\\n'\n"
       "    [[rule]\n"
       "           ^"},
      {"[[widget]]\nid = \"a\"\n",
       "site.toml:1:1: unknown table `widget`; expected [[toolkit]], [[minor_version_compat]], "
       "[[arch_floor]], [[forward_compat]], [[gpu]], [[release]], [[knob]], [[base_image]], "
       "[[pin]], [[launch]] or [[rule]]\n"
       "    [[widget]]\n"
       "    ^"},
      {std::string(k_rule_head) + "when = 'instaled(\"tensorflow\")'\n",
       "site.toml:8:9: unknown function `instaled`\n"
       "    when = 'instaled(\"tensorflow\")'\n"
       "            ^^^^^^^^"},
      {std::string(k_rule_head) + "when = '''\ninstalled(\"a\") and\n  framework.cudaa'''\n",
       "site.toml:10:13: unknown field `cudaa` of `framework`\n"
       "      framework.cudaa'''\n"
       "                ^^^^^"},
      {std::string(k_rule_head) + "when = 'framework.gpu_build'\n",
       "site.toml:8:9: `framework` is not bound here; add `for_each = \"framework\"`\n"
       "    when = 'framework.gpu_build'\n"
       "            ^^^^^^^^^^^^^^^^^^^"},
      {std::string(k_rule_head) + "when = 'device_count() > 0'\nfix = '{device.name}'\n",
       "site.toml:9:7: `device` is not bound here; add `for_each = \"device\"`\n"
       "    fix = '{device.name}'\n"
       "          ^"},
      {std::string(k_rule_head) + "when = 'device_count()'\n",
       "site.toml:8:8: expected a boolean expression for `when`, found integer\n"
       "    when = 'device_count()'\n"
       "           ^"},
      {std::string(k_rule_head) + "when = 'true'\ncolour = 'red'\n",
       "site.toml:9:10: unknown key `colour` in [[rule]]\n"
       "    colour = 'red'\n"
       "             ^"},
      {"[[rule]]\nid = \"SITE-X\"\nsource = \"s\"\nverified = true\n",
       "site.toml:1:1: missing key `severity` in [[rule]]\n"
       "    [[rule]]\n"
       "    ^"},
      {std::string(k_rule_head) + "when = 'true'\nfor_each = 'gpu'\n",
       "site.toml:9:12: expected `for_each` framework, device, framework_device, "
       "framework_pair or framework_library, found `gpu`\n"
       "    for_each = 'gpu'\n"
       "               ^"},
      {"[[rule]]\nid = \"SITE-X\"\nseverity = \"error\"\nsource = \"s\"\nverified = false\n"
       "title = \"t\"\nwhy = \"w\"\nwhen = \"true\"\nnote = \"n\"\n",
       "site.toml:3:12: an unverified rule (`verified = false`) must have severity info\n"
       "    severity = \"error\"\n"
       "               ^"},
      {"[[toolkit]]\nid = \"cuda-x\"\nsource = \"s\"\nverified = true\ntoolkit = \"12.x\"\n"
       "min_driver = \"1\"\n",
       "site.toml:5:14: invalid version `12.x` for `toolkit`: expected end of version, found `.`\n"
       "    toolkit = \"12.x\"\n"
       "                 ^"},
      {"[[gpu]]\nid = \"g\"\nsource = \"s\"\nverified = true\ngrade = \"U\"\n"
       "pattern = \"X\"\ncompute_capability = \"9.0\"\n",
       "site.toml:4:12: an entry graded U cannot be `verified = true`\n"
       "    verified = true\n"
       "               ^"},
      {"[[rule]]\nid = \"site-x\"\nsource = \"s\"\nverified = true\n",
       "site.toml:2:6: rule ids are upper case with a prefix, such as `GPU-DRIVER-TOO-OLD`; "
       "found `site-x`\n"
       "    id = \"site-x\"\n"
       "         ^"},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(error_of(c.text), c.expected);
  }
}

TEST(KbText, AcceptsAUserRule) {
  Kb kb;
  const std::string text = std::string(k_rule_head) +
                           "for_each = 'framework'\nwhen = 'framework.name == \"torch\"'\n"
                           "fix = 'see {framework.name}'\nnote = 'n'\ngrade = 'S'\n";
  auto r = add_kb_text(kb, "site.toml", text);
  ASSERT_TRUE(r) << render(r.error());
  ASSERT_EQ(kb.rules.size(), 1U);
  EXPECT_EQ(kb.rules[0].for_each, ForEach::framework);
  EXPECT_EQ(kb.rules[0].severity, rules::Severity::warning);
  EXPECT_EQ(kb.rules[0].entry.line, 2);
}

TEST(LoadKb, DuplicateIdAcrossFilesIsAnError) {
  auto kb = load_kb({{"site-kb.toml",
                      "[[rule]]\nid = \"GPU-DRIVER-TOO-OLD\"\nseverity = \"info\"\nsource = "
                      "\"s\"\nverified = true\ntitle = \"t\"\nwhy = \"w\"\nwhen = \"true\"\n"}});
  ASSERT_FALSE(kb);
  EXPECT_EQ(render(kb.error()),
            "site-kb.toml:2: duplicate id `GPU-DRIVER-TOO-OLD`, first defined at "
            "data/kb/rules.toml:11");
}

}  // namespace
}  // namespace mlstack::kb
