// SPDX-License-Identifier: MIT
// libFuzzer target: the CUDA library version sources read as text or bytes
// (cudalibs/version_parsers.hpp): each library's header `#define`s (cudnn_version.h,
// nccl.h, cuda_runtime_api.h, cublas_api.h, ...), a toolkit's version.json, /etc/ld.so.cache
// and /etc/ld.so.conf, and sonames. One input feeds them all.
#include "mlstack/cudalibs/library_table.hpp"
#include "mlstack/cudalibs/version_parsers.hpp"

#include "fuzz_check.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace cl = mlstack::cudalibs;
  const std::string_view text = mlstack::fuzz::as_text(data, size);
  (void)cl::header_version(nullptr, text);
  for (const cl::LibrarySpec& spec : cl::library_specs()) {
    if (const auto v = cl::header_version(&spec, text)) {
      (void)cl::version_parts(*v);
      (void)cl::version_major(*v);
    }
  }
  (void)cl::version_json_entry(text, "cuda");
  (void)cl::version_json_entry(text, "libcublas");
  if (const auto cache = cl::parse_ld_so_cache(text)) {
    for (const cl::LdCacheEntry& e : *cache) {
      (void)cl::soname_version(e.soname);
      (void)cl::parse_library_file_name(e.soname);
    }
  }
  const cl::LdSoConf conf = cl::parse_ld_so_conf(text);
  for (const std::string& pattern : conf.includes) {
    (void)cl::glob_match(pattern, "cuda-12-4.conf");
  }
  (void)cl::soname_version(text);
  (void)cl::parse_library_file_name(text);
  (void)cl::parse_wheel_dist_name(text);
  return 0;
}
