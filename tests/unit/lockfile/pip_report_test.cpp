// SPDX-License-Identifier: MIT
#include "mlstack/lockfile/pip_report.hpp"

#include <gtest/gtest.h>

namespace mlstack::lockfile {
namespace {

constexpr std::string_view k_report = R"({
  "version": "1", "pip_version": "26.3",
  "install": [
    {"download_info": {"url": "https://files.example/torch-1.12.1%2Bcu113-cp39-cp39-linux_x86_64.whl",
                       "archive_info": {"hashes": {"sha256": "00"}}},
     "is_direct": false, "requested": true,
     "metadata": {"metadata_version": "2.1", "name": "Torch", "version": "1.12.1+cu113",
                  "requires_dist": ["typing-extensions"], "requires_python": ">=3.7.0"}},
    {"download_info": {"url": "file:///w/six-1.16.0.tar.gz", "archive_info": {}},
     "metadata": {"name": "six", "version": "1.16.0", "provides_extra": ["x"]}}
  ],
  "environment": {"implementation_name": "cpython", "implementation_version": "3.9.18",
                  "os_name": "posix", "platform_machine": "x86_64", "platform_release": "6.1",
                  "platform_system": "Linux", "platform_version": "#1 SMP",
                  "python_full_version": "3.9.18", "platform_python_implementation": "CPython",
                  "python_version": "3.9", "sys_platform": "linux"}
})";

TEST(PipReport, ReadsInstallItemsAsDistributions) {
  auto set = read_pip_report(k_report, "r.json");
  ASSERT_TRUE(set) << render(set.error());
  ASSERT_EQ(set->inventory.dists.size(), 2U);
  const auto& torch = set->inventory.dists[0];
  EXPECT_EQ(torch.canonical_name, "torch");
  EXPECT_EQ(torch.raw_name, "Torch");
  EXPECT_EQ(torch.version_text, "1.12.1+cu113");
  EXPECT_EQ(torch.requires_dist, std::vector<std::string>{"typing-extensions"});
  EXPECT_EQ(torch.requires_python, ">=3.7.0");
  ASSERT_TRUE(torch.wheel_tags);
  EXPECT_EQ(*torch.wheel_tags, std::vector<std::string>{"cp39-cp39-linux_x86_64"});
  EXPECT_EQ(torch.info_path, "install[0]");
  const auto& six = set->inventory.dists[1];
  EXPECT_FALSE(six.wheel_tags);  // an sdist: no wheel tags
  EXPECT_EQ(six.provides_extra, std::vector<std::string>{"x"});
  ASSERT_TRUE(set->environment);
  EXPECT_EQ(set->environment->at("python_full_version"), "3.9.18");
}

TEST(PipReport, BadFilesNameTheFileAndTheProblem) {
  const auto error_of = [](std::string_view text) {
    auto set = read_pip_report(text, "r.json");
    EXPECT_FALSE(set);
    return set ? std::string() : to_string(set.error());
  };
  EXPECT_EQ(error_of("{"),
            "r.json: not a pip installation report: parse error at line 1, column 2: syntax "
            "error while parsing object key - unexpected end of input; expected string literal");
  EXPECT_EQ(error_of(R"({"version": "1", "x": 27e122890})"),
            "r.json: not a pip installation report: number overflow parsing '27e122890'");
  EXPECT_EQ(error_of("[]"),
            "r.json: expected a JSON object (pip's installation report), found array");
  EXPECT_EQ(error_of(R"({"version": "2", "install": [], "environment": {}})"),
            "r.json: expected installation report version `1`, found `2`");
  EXPECT_EQ(error_of(R"({"version": "1", "environment": {}})"), "r.json: expected key `install`");
  EXPECT_EQ(error_of(R"({"version": "1", "install": []})"), "r.json: expected key `environment`");
  EXPECT_EQ(error_of(R"({"version": "1", "install": [], "environment": {"os_name": "posix"}})"),
            "r.json: environment: expected key `implementation_name`");
  EXPECT_EQ(error_of(R"({"version": 1, "install": [], "environment": {}})"),
            "r.json: expected a string for `version`, found number");
  EXPECT_EQ(error_of(R"({"version": "1", "install": [{"metadata": {"name": "a"}}],
                         "environment": {}})"),
            "r.json: install[0].metadata: expected key `version`");
  EXPECT_EQ(error_of(R"({"version": "1", "install": [{}], "environment": {}})"),
            "r.json: install[0]: expected key `metadata`");
  EXPECT_EQ(error_of(R"({"version": "1", "environment": {},
                         "install": [{"metadata": {"name": "a", "version": "1",
                                                   "requires_dist": [3]}}]})"),
            "r.json: install[0].metadata: expected strings in `requires_dist`, found number");
}

TEST(WheelTag, FromFileNamesAndUrls) {
  EXPECT_EQ(wheel_tag_of("numpy-1.26.4-cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
            "cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64");
  EXPECT_EQ(wheel_tag_of("a-1.0-1build-py3-none-any.whl"), "py3-none-any");
  EXPECT_EQ(wheel_tag_of("a-1.0.tar.gz"), std::nullopt);
  EXPECT_EQ(wheel_tag_of("a-py3-none-any.whl"), std::nullopt);
  EXPECT_EQ(url_file_name("https://h/p/torch-1.12.1%2bcu113-cp39-cp39-linux_x86_64.whl#sha256=0"),
            "torch-1.12.1+cu113-cp39-cp39-linux_x86_64.whl");
  EXPECT_EQ(url_file_name("file:///x/a%zz.whl?x=1"), "a%zz.whl");
}

}  // namespace
}  // namespace mlstack::lockfile
