// SPDX-License-Identifier: MIT
#include "mlstack/base/toml_text.hpp"

#include "mlstack/kb/kb.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace mlstack::kb {
namespace {

using std::string_view_literals::operator""sv;

// What reached an assertion or `TOML_UNREACHABLE` in toml++ 3.3.0 (found by fuzzing a `--kb`
// file), and its neighbours: refused before parsing, with the place named.
TEST(TomlText, RefusesWhatTomlppMishandles) {
  struct Case {
    std::string_view text;
    std::string_view error;
  };
  const Case k_cases[] = {
      {"[\x11", "site.toml:1:2: control character U+0011 (TOML allows none but tab)"},
      {"[\n", "site.toml:1:2: expected a key after `[`, found a line break"},
      {"a = 1\n  [[ =]]", "site.toml:2:6: expected a key after `[`, found `=`"},
      {"[a]\nb = [\n  [1],\n]\n[#]", "site.toml:5:2: expected a key after `[`, found `#`"},
      // `[` or `,` in an array, then `}` (found by fuzzing a spec): toml++'s parse_value asserts.
      {"a = [}", "site.toml:1:6: expected a value or `]` in an array, found `}`"},
      {"a = [1, # c\n }", "site.toml:2:2: expected a value or `]` in an array, found `}`"},
      {"a = { b = [[}]] }", "site.toml:1:13: expected a value or `]` in an array, found `}`"},
      // A quote after a bare value is no string to toml++, which then asks its whitespace table
      // about U+030D and reaches TOML_UNREACHABLE (found by fuzzing a spec).
      {"py= 121.3\"rr\xCC\x8D|", "site.toml:1:13: character U+030D outside a string or comment "
                                  "(TOML allows only ASCII there)"},
      {"jax = 33..'\xC9\xBD'", "site.toml:1:12: character U+027D outside a string or comment "
                              "(TOML allows only ASCII there)"},
      {"[[\xEF\xBA\xBF]]",
       "site.toml:1:3: character U+FEBF outside a string or comment (TOML allows only ASCII "
       "there)"},
      {"a = 1\n\"k\xEF\xBA\xBF\" = 2",
       "site.toml:2:3: character U+FEBF is not accepted in a string (toml++ 3.3.0 mishandles "
       "U+FB26 to U+FEFE); hint: write it as `\\uFEBF` in a \"...\" string"},
      {"a = '''\n\xEF\xAC\xA6'''",
       "site.toml:2:1: character U+FB26 is not accepted in a string (toml++ 3.3.0 mishandles "
       "U+FB26 to U+FEFE); hint: write it as `\\uFB26` in a \"...\" string"},
      {"a = [1, { b = [2] }, }", "site.toml:1:22: expected a value or `]` in an array, found `}`"},
      {"a = \"\xFF\"", "site.toml:1:6: invalid UTF-8 (byte 0xff)"},
      {"a = \"\xC0\xAF\"", "site.toml:1:6: invalid UTF-8 (byte 0xc0)"},          // overlong `/`
      {"a = \"\xED\xA0\x80\"", "site.toml:1:6: invalid UTF-8 (byte 0xed)"},      // a surrogate
      {"a = \"\xF4\x90\x80\x80\"", "site.toml:1:6: invalid UTF-8 (byte 0xf4)"},  // > U+10FFFF
      {"a = \"\xE2\x82", "site.toml:1:6: invalid UTF-8 (byte 0xe2)"},            // cut short
      {"a = 1\rb = 2", "site.toml:1:6: carriage return not followed by a line feed"},
      {"# \x7F", "site.toml:1:3: control character U+007F (TOML allows none but tab)"},
      {"a = \"x\x00\""sv, "site.toml:1:7: control character U+0000 (TOML allows none but tab)"},
      {"\xC3\xA9 = 1",
       "site.toml:1:1: character U+00E9 outside a string or comment (TOML allows "
       "only ASCII there)"},
  };
  for (const Case& c : k_cases) {
    SCOPED_TRACE(c.error);
    const std::string text(c.text.data(), c.text.size());
    const auto r = text::check_toml_text("site.toml", text);
    ASSERT_FALSE(r);
    EXPECT_EQ(to_string(r.error()), c.error);
    EXPECT_FALSE(r.error().span.has_value());  // the bytes are not echoed
    Kb kb;
    const auto added = add_kb_text(kb, "site.toml", text);
    ASSERT_FALSE(added);
    EXPECT_EQ(to_string(added.error()), c.error);
  }
}

// Valid TOML passes: non-ASCII in strings and comments, escapes, quotes inside multi-line
// strings, CRLF, a byte order mark.
TEST(TomlText, AcceptsValidToml) {
  constexpr std::string_view k_texts[] = {
      "# caf\xC3\xA9 \xEF\xBA\xBF\na = \"caf\xC3\xA9 \\\" \\u00e9\"\n",
      "b = '''it's \"\"\" ok'''\nc = \"\"\"one \"\" two\"\"\"\"\"\n",
      "d = \"\"\"\\\n   trimmed \\\"\"\"\" \n",
      "e = 'C:\\path'\r\nf = \"tab\there\"\r\n",
      "\xEF\xBB\xBFg = \"\xF0\x9F\x98\x80\"\n",
      "h = \"ends\" # \xEF\xBA\xBF\n[t]\n\"quoted key \xC3\xA9\" = 1\n",
      "i = [\n  [\n    1\n  ],\n  [2, [3]],\n]\n[ 'quoted' . x ]\n[[\t\"arr\"]]\n[]\n",
      "j = [ { a = 1 }, { b = [2, 3] }, ]\nk = { c = [4], d = { e = [] } }\nl = [\"}\", '}']\n",
      "m.\"n\xC3\xA9\" = 'x\xC3\xA9'\n[\"t\xC3\xA9\".'u\xC3\xA9']\no = { \"p\xC3\xA9\" = [\"q\xC3\xA9\", 'r\xC3\xA9'] }\n",
      "j = [{ a = [1, { b = 2 }] }, {}]\nk = { l = [] }\n",
  };
  for (const std::string_view text : k_texts) {
    SCOPED_TRACE(text);
    const auto r = text::check_toml_text("site.toml", text);
    EXPECT_TRUE(r) << to_string(r.error());
  }
}

}  // namespace
}  // namespace mlstack::kb
