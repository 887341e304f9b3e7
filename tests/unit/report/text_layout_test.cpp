// SPDX-License-Identifier: MIT
#include "mlstack/report/text_layout.hpp"

#include <gtest/gtest.h>

namespace mlstack::report {
namespace {

TEST(TextLayoutColumns, CountsCodePointsAndSkipsColourCodes) {
  EXPECT_EQ(columns("abc"), 3U);
  EXPECT_EQ(columns("caf\xc3\xa9"), 4U);
  EXPECT_EQ(columns("\x1b[1;31merror\x1b[0m "), 6U);
}

TEST(TextLayoutWrap, BreaksAtSpacesWithAHangingIndent) {
  EXPECT_EQ(wrap("  why: ", "       ", "one two three four five six", 20),
            "  why: one two three\n"
            "       four five six\n");
  EXPECT_EQ(wrap("> ", "  ", "short", 20), "> short\n");
  EXPECT_EQ(wrap("> ", "  ", "", 20), "> \n");
}

TEST(TextLayoutWrap, KeepsALongWordWhole) {
  EXPECT_EQ(wrap("e: ", "   ", "at /a/very/long/path/that/does/not/fit here", 20),
            "e: at\n"
            "   /a/very/long/path/that/does/not/fit\n"
            "   here\n");
}

TEST(TextLayoutWrap, KeepsPreformattedLines) {
  EXPECT_EQ(wrap("e: ", "   ", "expected end\n    a b c d e f g h i j k\n      ^", 10),
            "e: expected end\n"
            "       a b c d e f g h i j k\n"
            "         ^\n");
}

TEST(PipInstallParse, ReadsTheFixesFindingsWrite) {
  const auto a = parse_pip_install("python -m pip install 'protobuf<3.20,>=3.9.2'");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->python, "python");
  EXPECT_FALSE(a->force_reinstall);
  EXPECT_EQ(a->requirements, std::vector<std::string>{"protobuf<3.20,>=3.9.2"});
  const auto b = parse_pip_install(
      "/v/bin/python -m pip install --force-reinstall 'numpy==1.26.4' 'pkg @ https://x/y.whl'");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->python, "/v/bin/python");
  EXPECT_TRUE(b->force_reinstall);
  EXPECT_EQ(b->requirements, (std::vector<std::string>{"numpy==1.26.4", "pkg @ https://x/y.whl"}));
}

TEST(PipInstallParse, RefusesAnythingElse) {
  for (const char* fix : {
           "python -m pip install \"protobuf<3.20\" (or set X=python, which is much slower)",
           "python -m pip uninstall a b && python -m pip install b",
           "python -m pip install 'a' && rm -rf /",
           "python -m pip install 'a'x",
           "python -m pip install ''",
           "python -m pip install ",
           "python -m pip install 'unterminated",
           "-m pip install 'a'",
           "set TF_FORCE_GPU_ALLOW_GROWTH=true",
       }) {
    EXPECT_FALSE(parse_pip_install(fix)) << fix;
  }
}

TEST(PipInstallMerge, MergesPerInterpreterAndKind) {
  const std::vector<PipInstall> installs = {
      {"python", false, {"numpy>=2.2"}},
      {"python", true, {"Broken_Pkg"}},
      {"python", false, {"ml_dtypes>=0.5.0", "numpy<2.6,>=2.0"}},
      {"python", false, {"typing-extensions"}},
      {"python", false, {"Typing_Extensions>=4.13.0", "numpy"}},
      {"python", false, {"torch[cuda]>=2", "torch[dev]"}},
      {"python", false, {"pkg @ https://x/y.whl", "pkg @ https://x/y.whl"}},
      {"python", false, {"triton; python_version < \"3.16\"", "triton"}},
      {"/other/python", false, {"six"}},
  };
  const auto merged = merge_installs(installs);
  ASSERT_EQ(merged.size(), 3U);
  EXPECT_EQ(merged[0].requirements,
            (std::vector<std::string>{"numpy<2.6,>=2.0,>=2.2", "ml_dtypes>=0.5.0",
                                      "typing-extensions>=4.13.0", "torch[cuda,dev]>=2",
                                      "pkg @ https://x/y.whl", "triton; python_version < \"3.16\"",
                                      "triton"}));
  EXPECT_TRUE(merged[1].force_reinstall);
  EXPECT_EQ(merged[1].requirements, std::vector<std::string>{"Broken_Pkg"});
  EXPECT_EQ(merged[2].python, "/other/python");

  const auto commands = merged_commands(installs);
  ASSERT_EQ(commands.size(), 2U);
  EXPECT_EQ(commands[0][4], "--force-reinstall");
  EXPECT_EQ(commands[0][6], "&&");
  EXPECT_EQ(commands[1], (std::vector<std::string>{"/other/python", "-m", "pip", "install", "'six'"}));
}

TEST(PipInstallWrap, ContinuesLinesWithABackslash) {
  const std::vector<std::string> words = {"python", "-m", "pip", "install", "'aaaa'", "'bbbb'",
                                          "'cccc'"};
  EXPECT_EQ(wrap_command("  ", "    ", words, 30),
            "  python -m pip install \\\n"
            "    'aaaa' 'bbbb' 'cccc'\n");
  EXPECT_EQ(wrap_command("  ", "    ", words, 100),
            "  python -m pip install 'aaaa' 'bbbb' 'cccc'\n");
}

}  // namespace
}  // namespace mlstack::report
