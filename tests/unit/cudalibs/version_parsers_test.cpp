// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/version_parsers.hpp"

#include "mlstack/cudalibs/library_table.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace mlstack::cudalibs {
namespace {

TEST(LibraryFileName, RecognizesTrackedFiles) {
  struct Case {
    std::string_view file, library, version;
  };
  constexpr Case k_cases[] = {
      {"libcudart.so", "cudart", ""},
      {"libcudart.so.12", "cudart", "12"},
      {"libcudart.so.12.4.127", "cudart", "12.4.127"},
      {"libcublasLt.so.13", "cublaslt", "13"},
      {"libcudnn.so.9", "cudnn", "9"},
      {"libnccl.so.2.28.9", "nccl", "2.28.9"},
      {"libnvJitLink.so.13", "nvjitlink", "13"},
      {"libcusparseLt.so.0", "cusparselt", "0"},
      {"libcudart_static.a", "", ""},
      {"libcudnn_ops.so.9", "", ""},
      {"libcudart.so.12.bak", "", ""},
      {"libnvrtc-builtins.so.13.0", "", ""},
      {"libcudart.so.", "", ""},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(c.file);
    const auto f = parse_library_file_name(c.file);
    if (c.library.empty()) {
      EXPECT_FALSE(f.has_value());
      continue;
    }
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->spec->name, c.library);
    EXPECT_EQ(f->version, c.version);
  }
}

TEST(WheelDistName, MapsDistributionsToLibraries) {
  struct Case {
    std::string_view dist, library, suffix;
  };
  constexpr Case k_cases[] = {
      {"nvidia-cudnn-cu12", "cudnn", "cu12"},
      {"nvidia-cudnn-cu13", "cudnn", "cu13"},
      {"nvidia-cuda-runtime", "cudart", ""},
      {"nvidia-cuda-runtime-cu11", "cudart", "cu11"},
      {"nvidia-cublas", "cublas", ""},
      {"nvidia-nccl-cu13", "nccl", "cu13"},
      {"nvidia-cusparselt-cu13", "cusparselt", "cu13"},
      {"nvidia-nvtx-cu12", "", ""},
      {"torch", "", ""},
  };
  for (const auto& c : k_cases) {
    SCOPED_TRACE(c.dist);
    const auto w = parse_wheel_dist_name(c.dist);
    if (c.library.empty()) {
      EXPECT_FALSE(w.has_value());
      continue;
    }
    ASSERT_TRUE(w.has_value());
    EXPECT_EQ(w->spec->name, c.library);
    EXPECT_EQ(w->cuda_suffix, c.suffix);
  }
}

// Captured from /usr/local/cuda-13.0/include on the CUDA 13 development machine.
TEST(HeaderVersion, ReadsEachLibrarysMacros) {
  EXPECT_EQ(header_version(find_library("cudnn"),
                           "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 19\n"
                           "#define CUDNN_PATCHLEVEL 0\n"
                           "#define CUDNN_VERSION (CUDNN_MAJOR * 10000 + CUDNN_MINOR * 100)\n"),
            "9.19.0");
  EXPECT_EQ(header_version(find_library("nccl"),
                           "#define NCCL_MAJOR 2\n#define NCCL_MINOR 28\n#define NCCL_PATCH 9\n"
                           "#define NCCL_SUFFIX \"\"\n"),
            "2.28.9");
  EXPECT_EQ(header_version(find_library("cudart"), "#define CUDART_VERSION  13000\n"), "13.0");
  EXPECT_EQ(header_version(find_library("cudart"), "#define CUDART_VERSION 12040 // x\n"), "12.4");
  EXPECT_EQ(header_version(nullptr, "#define CUDA_VERSION 11080\n"), "11.8");
  EXPECT_EQ(header_version(find_library("cublas"),
                           "#define CUBLAS_VER_MAJOR 13\n#define CUBLAS_VER_MINOR 1\n"
                           "#define CUBLAS_VER_PATCH 0\n#define CUBLAS_VER_BUILD 3\n"),
            "13.1.0.3");
  EXPECT_EQ(header_version(find_library("cusolver"),
                           "  #define CUSOLVER_VER_MAJOR 12\n  #define CUSOLVER_VER_MINOR 0\n"
                           "  #define CUSOLVER_VER_PATCH 4\n  #define CUSOLVER_VER_BUILD 66\n"),
            "12.0.4.66");
  EXPECT_EQ(header_version(find_library("cudnn"), "#define CUDNN_MAJOR 9\n"), std::nullopt);
  EXPECT_EQ(header_version(find_library("nvjitlink"), "#define X 1\n"), std::nullopt);
}

TEST(VersionJson, ReadsOneComponent) {
  constexpr std::string_view k_json = R"json({
   "cuda" : { "name" : "CUDA SDK", "version" : "12.4.1" },
   "cuda_cudart" : { "name" : "CUDA Runtime (cudart)", "version" : "12.4.127" },
   "libcublas" : { "name" : "CUDA cuBLAS", "version" : "12.4.5.8" }
})json";
  EXPECT_EQ(version_json_entry(k_json, "cuda_cudart").value(), "12.4.127");
  EXPECT_EQ(version_json_entry(k_json, "libcublas").value(), "12.4.5.8");
  EXPECT_EQ(version_json_entry(k_json, "libcufft").value(), std::nullopt);
  EXPECT_FALSE(version_json_entry("{", "cuda").has_value());
}

TEST(LdSoConf, SplitsFoldersAndIncludes) {
  const auto conf = parse_ld_so_conf(
      "# comment\ninclude /etc/ld.so.conf.d/*.conf\n/usr/local/lib  # trailing\n"
      "/opt/a:/opt/b,/opt/c\nhwcap 0 nosegneg\n");
  EXPECT_EQ(conf.includes, std::vector<std::string>{"/etc/ld.so.conf.d/*.conf"});
  EXPECT_EQ(conf.dirs, (std::vector<std::string>{"/usr/local/lib", "/opt/a", "/opt/b", "/opt/c"}));
  EXPECT_TRUE(glob_match("*.conf", "zz-cuda-13-0.conf"));
  EXPECT_FALSE(glob_match("*.conf", "x.conf.bak"));
  EXPECT_TRUE(glob_match("a?c*", "abcdef"));
}

// Builds a new-format cache: header, entries, then the string table.
std::string make_cache(const std::vector<std::pair<std::string, std::string>>& libs) {
  std::string strings;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> offsets;
  const std::size_t table = 48 + libs.size() * 24;
  for (const auto& [key, value] : libs) {
    const auto k = static_cast<std::uint32_t>(table + strings.size());
    strings += key + '\0';
    const auto v = static_cast<std::uint32_t>(table + strings.size());
    strings += value + '\0';
    offsets.emplace_back(k, v);
  }
  std::string out = "glibc-ld.so.cache1.1";
  const auto put32 = [&](std::uint32_t v) {
    char b[4];
    std::memcpy(b, &v, 4);
    out.append(b, 4);
  };
  put32(static_cast<std::uint32_t>(libs.size()));
  put32(static_cast<std::uint32_t>(strings.size()));
  out.append(20, '\0');  // flags, padding, extension offset, unused
  for (const auto& [k, v] : offsets) {
    put32(0x0303);
    put32(k);
    put32(v);
    put32(0);
    out.append(8, '\0');
  }
  return out + strings;
}

TEST(LdSoCache, ParsesNewFormat) {
  const auto bytes = make_cache({{"libcudnn.so.9", "/usr/lib/x86_64-linux-gnu/libcudnn.so.9"},
                                 {"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"}});
  const auto entries = parse_ld_so_cache(bytes);
  ASSERT_TRUE(entries.has_value()) << to_string(entries.error());
  ASSERT_EQ(entries->size(), 2U);
  EXPECT_EQ((*entries)[0].soname, "libcudnn.so.9");
  EXPECT_EQ((*entries)[0].path, "/usr/lib/x86_64-linux-gnu/libcudnn.so.9");
  EXPECT_EQ((*entries)[0].flags, 0x0303);
}

TEST(LdSoCache, RejectsOtherBytes) {
  EXPECT_EQ(to_string(parse_ld_so_cache("not a cache").error()),
            "expected the `glibc-ld.so.cache1.1` format, found other bytes");
  auto bytes = make_cache({{"a", "b"}});
  bytes[20] = 100;  // nlibs past the end
  EXPECT_EQ(to_string(parse_ld_so_cache(bytes).error()),
            "entry count runs past the end of the file");
}

TEST(LdSoCache, ParsesThisMachinesCacheWhenPresent) {
  std::ifstream in("/etc/ld.so.cache", std::ios::binary);
  if (!in) {
    GTEST_SKIP() << "no /etc/ld.so.cache";
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const auto entries = parse_ld_so_cache(ss.str());
  ASSERT_TRUE(entries.has_value()) << to_string(entries.error());
  EXPECT_FALSE(entries->empty());
  for (const auto& e : *entries) {
    EXPECT_TRUE(e.path.starts_with("/")) << e.path;
  }
}

TEST(ElfSoname, ReadsDtSonameFromMemory) {
  std::ifstream in(MLSTACK_FAKE_CUDNN, std::ios::binary);
  ASSERT_TRUE(in) << MLSTACK_FAKE_CUDNN;
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(elf_soname_from_memory(ss.str()).value(), "libcudnn.so.9");
  EXPECT_EQ(to_string(elf_soname_from_memory("").error()), "not an ELF file");
  EXPECT_EQ(soname_version("libcudnn.so.9"), "9");
  EXPECT_EQ(soname_version("libcudart.so.11.0"), "11.0");
}

}  // namespace
}  // namespace mlstack::cudalibs
