// SPDX-License-Identifier: MIT
#include "mlstack/kb/flat.hpp"

#include "mlstack/kb/kb.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace mlstack::kb {
namespace {

FlatValue string_value(std::string_view text, Where w) {
  FlatValue v;
  v.kind = FlatValue::Kind::string;
  v.text = text;
  v.where = w;
  return v;
}

FlatValue integer_value(std::int64_t i, FlatValue::Kind kind = FlatValue::Kind::integer) {
  FlatValue v;
  v.kind = kind;
  v.integer = i;
  v.where = {3, 14};
  return v;
}

void expect_same(const FlatValue& a, const FlatValue& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.where, b.where);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.integer, b.integer);
  ASSERT_EQ(a.items.size(), b.items.size());
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    expect_same(a.items[i], b.items[i]);
  }
}

void expect_same(const FlatFile& a, const FlatFile& b) {
  EXPECT_EQ(a.name, b.name);
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (std::size_t r = 0; r < a.rows.size(); ++r) {
    SCOPED_TRACE(r);
    EXPECT_EQ(a.rows[r].kind, b.rows[r].kind);
    EXPECT_EQ(a.rows[r].where, b.rows[r].where);
    ASSERT_EQ(a.rows[r].fields.size(), b.rows[r].fields.size());
    for (std::size_t f = 0; f < a.rows[r].fields.size(); ++f) {
      EXPECT_EQ(a.rows[r].fields[f].first, b.rows[r].fields[f].first);
      expect_same(a.rows[r].fields[f].second, b.rows[r].fields[f].second);
    }
  }
}

TEST(FlatRows, SerializeRoundTripsAwkwardValues) {
  const std::string nul("a\0b", 3);
  const std::string long_text(300, 'x');  // a length that takes two varint bytes
  FlatValue array;
  array.kind = FlatValue::Kind::array;
  array.where = {7, 1};
  array.items.push_back(string_value("sm_90", {7, 2}));
  array.items.push_back(integer_value(-1));
  FlatValue nested;
  nested.kind = FlatValue::Kind::array;
  nested.items.push_back(string_value("", {7, 20}));
  array.items.push_back(nested);
  FlatValue other;  // a float, a date, an inline table
  other.where = {8, 9};

  FlatFile a;
  a.name = "data/kb/\xc3\xa9t\xc3\xa9.toml";
  FlatRow row;
  row.kind = "rule";
  row.where = {1, 1};
  row.fields = {
      {"empty", string_value("", {2, 9})},
      {"quotes", string_value("say \"hi\" and 'bye' \\ ?? {x}", {3, 10})},
      {"lines", string_value("one\ntwo\r\nthree\n", {4, 9})},
      {"utf8", string_value("\xe2\x89\xa5 12.4 \xf0\x9f\x98\x80", {5, 8})},
      {"nul", string_value(nul, {6, 7})},
      {"long", string_value(long_text, {100000, 123456})},
      {"archs", array},
      {"flag", integer_value(1, FlatValue::Kind::boolean)},
      {"off", integer_value(0, FlatValue::Kind::boolean)},
      {"min", integer_value(std::numeric_limits<std::int64_t>::min())},
      {"max", integer_value(std::numeric_limits<std::int64_t>::max())},
      {"zero", integer_value(0)},
      {"when", other},
      {"", string_value("empty key", {9, 1})},
  };
  a.rows.push_back(row);
  a.rows.push_back(FlatRow{"gpu", {12, 1}, {}});
  FlatFile b;  // no rows, empty name
  FlatFile c;
  c.name = "site.toml";
  c.rows.push_back(FlatRow{"toolkit", {1, 1}, {{"id", string_value("cuda-12", {2, 6})}}});

  std::string blob;
  serialize(a, blob);
  serialize(b, blob);
  serialize(c, blob);
  auto back = deserialize(blob);
  ASSERT_TRUE(back) << render(back.error());
  ASSERT_EQ(back->size(), 3U);
  expect_same(a, (*back)[0]);
  expect_same(b, (*back)[1]);
  expect_same(c, (*back)[2]);
  EXPECT_TRUE((*back)[0].text.empty());

  // Every strict prefix is corrupt (or, at a file boundary, fewer files), never a crash.
  for (std::size_t n = 0; n < blob.size(); ++n) {
    auto cut = deserialize(std::string_view(blob).substr(0, n));
    if (cut) {
      EXPECT_LT(cut->size(), 3U) << n;
    } else {
      EXPECT_EQ(render(cut.error()), "corrupt serialized KB rows");
    }
  }
  EXPECT_FALSE(deserialize(std::string_view("\x01x\x01\x04rule\x01\x01\x01\x01k\x09", 14)));
}

TEST(FlatRows, EmptyBlobHasNoFiles) {
  auto files = deserialize("");
  ASSERT_TRUE(files);
  EXPECT_TRUE(files->empty());
}

// The user-file path hands out the rows it read; read back from the serialized form they
// give the same Kb.
TEST(FlatRows, TomlRowsRoundTripIntoTheSameKb) {
  const std::string text = R"([[rule]]
id = "SITE-X"
severity = "warning"
source = "https://example.org"
verified = true
for_each = 'framework'
when = '''
framework.name == "torch"'''
title = "t {framework.name}"
why = "w"

[[release]]
id = "site-rel"
source = "s"
verified = false
framework = "torch"
versions = "==2.5.*"
archs = ["sm_80", "sm_90"]
)";
  Kb direct;
  std::string blob;
  auto ok =
      add_kb_text(direct, "site.toml", text, [&blob](const FlatFile& f) { serialize(f, blob); });
  ASSERT_TRUE(ok) << render(ok.error());
  auto files = deserialize(blob);
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 1U);
  const FlatFile& f = (*files)[0];
  EXPECT_EQ(f.name, "site.toml");
  ASSERT_EQ(f.rows.size(), 2U);
  // Root kinds alphabetically, keys sorted, as toml++ iterates them.
  EXPECT_EQ(f.rows[0].kind, "release");
  EXPECT_EQ(f.rows[1].kind, "rule");
  EXPECT_EQ(f.rows[1].where, (Where{1, 1}));
  std::vector<std::string_view> keys;
  for (const auto& [key, value] : f.rows[1].fields) {
    keys.push_back(key);
  }
  EXPECT_EQ(keys, (std::vector<std::string_view>{"for_each", "id", "severity", "source", "title",
                                                 "verified", "when", "why"}));
  Kb via_rows;
  ASSERT_TRUE(add_kb_rows(via_rows, f));
  ASSERT_EQ(via_rows.rules.size(), 1U);
  ASSERT_EQ(via_rows.releases.size(), 1U);
  EXPECT_EQ(via_rows.rules[0].when.text(), direct.rules[0].when.text());
  EXPECT_EQ(via_rows.rules[0].entry.line, 2);
  EXPECT_EQ(via_rows.releases[0].archs, (std::vector<std::string>{"sm_80", "sm_90"}));
  EXPECT_EQ(via_rows.files, (std::vector<std::string>{"site.toml"}));
}

// Rows report the same errors as the TOML they came from: the unknown key is the first in
// sorted order, not in file order.
TEST(FlatRows, ReaderErrorsMatchTheTomlPath) {
  FlatFile f;
  f.name = "site.toml";
  f.text = "[[gpu]]\nzeta = 1\nid = \"g\"\nalpha = 2\n";
  FlatRow row{"gpu", {1, 1}, {}};
  row.fields = {
      {"alpha", integer_value(2)}, {"id", string_value("g", {3, 6})}, {"zeta", integer_value(1)}};
  row.fields[0].second.where = {4, 9};
  row.fields[2].second.where = {2, 8};
  f.rows.push_back(row);
  Kb kb;
  auto r = add_kb_rows(kb, f);
  ASSERT_FALSE(r);
  EXPECT_EQ(render(r.error()),
            "site.toml:1:1: missing key `source` in [[gpu]]\n"
            "    [[gpu]]\n"
            "    ^");
  f.rows[0].kind = "widget";
  r = add_kb_rows(kb, f);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "unknown table `widget`; expected [[toolkit]], [[minor_version_compat]], "
            "[[arch_floor]], [[forward_compat]], [[gpu]], [[release]], [[knob]], [[base_image]], "
       "[[pin]], [[launch]] or [[rule]]");

  Kb toml_kb;
  auto t = add_kb_text(toml_kb, "site.toml",
                       "[[gpu]]\nzeta = 1\nid = \"g\"\nsource = \"s\"\nverified = true\n"
                       "pattern = \"X\"\ncompute_capability = \"9.0\"\nalpha = 2\n");
  ASSERT_FALSE(t);
  EXPECT_EQ(render(t.error()),
            "site.toml:8:9: unknown key `alpha` in [[gpu]]\n"
            "    alpha = 2\n"
            "            ^");
}

void expect_same(const Entry& a, const Entry& b) {
  SCOPED_TRACE(a.id);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.verified, b.verified);
  EXPECT_EQ(a.grade, b.grade);
  EXPECT_EQ(a.note, b.note);
  EXPECT_EQ(a.file, b.file);
  EXPECT_EQ(a.line, b.line);
}

void expect_same(const KbVersion& a, const KbVersion& b) {
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.version.to_string(), b.version.to_string());
}

void expect_same(const Template& a, const Template& b) {
  ASSERT_EQ(a.parts().size(), b.parts().size());
  for (std::size_t i = 0; i < a.parts().size(); ++i) {
    const Template::Part& pa = a.parts()[i];
    const Template::Part& pb = b.parts()[i];
    EXPECT_EQ(pa.text, pb.text);
    ASSERT_EQ(pa.expression.has_value(), pb.expression.has_value());
    if (pa.expression) {
      EXPECT_EQ(pa.expression->text(), pb.expression->text());
      EXPECT_EQ(pa.expression->type(), pb.expression->type());
    }
  }
}

template <class Rows, class Check>
void expect_rows(const Rows& a, const Rows& b, Check check) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    expect_same(a[i].entry, b[i].entry);
    check(a[i], b[i]);
  }
}

// What a run loads (rows deserialized from the blob mlstack-kbc wrote) is what parsing the
// embedded TOML texts with toml++ gives, field by field.
TEST(EmbeddedKb, RowsEqualTheParsedToml) {
  auto loaded = load_kb({});
  ASSERT_TRUE(loaded) << render(loaded.error());
  Kb parsed;
  for (const EmbeddedFile& f : embedded_files()) {
    auto ok = add_kb_text(parsed, f.name, f.text);
    ASSERT_TRUE(ok) << render(ok.error());
  }
  ASSERT_TRUE(validate(parsed));
  const Kb& a = *loaded;
  const Kb& b = parsed;
  EXPECT_EQ(a.files, b.files);
  expect_rows(a.toolkits, b.toolkits, [](const auto& x, const auto& y) {
    expect_same(x.toolkit, y.toolkit);
    expect_same(x.min_driver, y.min_driver);
  });
  expect_rows(a.minor_version_compat, b.minor_version_compat, [](const auto& x, const auto& y) {
    EXPECT_EQ(x.cuda_major, y.cuda_major);
    expect_same(x.min_driver, y.min_driver);
  });
  expect_rows(a.arch_floors, b.arch_floors, [](const auto& x, const auto& y) {
    expect_same(x.toolkit, y.toolkit);
    expect_same(x.min_compute_capability, y.min_compute_capability);
  });
  expect_rows(a.forward_compat, b.forward_compat, [](const auto& x, const auto& y) {
    EXPECT_EQ(x.eligible, y.eligible);
    EXPECT_EQ(x.package, y.package);
  });
  expect_rows(a.gpus, b.gpus, [](const auto& x, const auto& y) {
    EXPECT_EQ(x.pattern, y.pattern);
    expect_same(x.compute_capability, y.compute_capability);
    EXPECT_EQ(x.segment, y.segment);
  });
  expect_rows(a.releases, b.releases, [](const auto& x, const auto& y) {
    EXPECT_EQ(x.framework, y.framework);
    EXPECT_EQ(x.versions, y.versions);
    EXPECT_EQ(x.versions.to_string(), y.versions.to_string());
    EXPECT_EQ(x.variant, y.variant);
    EXPECT_EQ(x.cuda, y.cuda);
    EXPECT_EQ(x.cudnn, y.cudnn);
    EXPECT_EQ(x.nccl, y.nccl);
    EXPECT_EQ(x.python, y.python);
    EXPECT_EQ(x.archs, y.archs);
    EXPECT_EQ(x.numpy, y.numpy);
  });
  expect_rows(a.memory, b.memory, [](const auto& x, const auto& y) {
    EXPECT_EQ(x.framework, y.framework);
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.values, y.values);
    EXPECT_EQ(x.effect, y.effect);
  });
  expect_rows(a.rules, b.rules, [](const Rule& x, const Rule& y) {
    EXPECT_EQ(x.severity, y.severity);
    EXPECT_EQ(x.for_each, y.for_each);
    EXPECT_EQ(x.when.text(), y.when.text());
    EXPECT_EQ(x.when.type(), y.when.type());
    expect_same(x.title, y.title);
    expect_same(x.why, y.why);
    expect_same(x.fix, y.fix);
  });
  EXPECT_GE(a.rules.size(), 20U);
}

}  // namespace
}  // namespace mlstack::kb
