// SPDX-License-Identifier: MIT
#include "mlstack/elf/embedded_versions.hpp"

#include "mlstack/elf/elf_file.hpp"

#include <algorithm>
#include <string_view>

namespace mlstack::elf {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// `2.10.3` at the start of `s` (digits and dots, ending on a digit).
std::string dotted(std::string_view s, char separator) {
  std::size_t n = 0;
  while (n < s.size() && n < 32 && (is_digit(s[n]) || s[n] == separator)) {
    ++n;
  }
  while (n > 0 && s[n - 1] == separator) {
    --n;
  }
  std::string out(s.substr(0, n));
  std::replace(out.begin(), out.end(), separator, '.');
  return out;
}

std::size_t count_dots(std::string_view v) {
  return static_cast<std::size_t>(std::count(v.begin(), v.end(), '.'));
}

// The printable text around `at`, for the evidence line.
std::string_view string_at(std::string_view all, std::size_t at) {
  std::size_t end = at;
  while (end < all.size() && end - at < 80 && all[end] >= ' ' && all[end] <= '~') {
    ++end;
  }
  return all.substr(at, end - at);
}

}  // namespace

std::vector<EmbeddedVersion> find_embedded_versions(std::span<const std::byte> bytes) {
  const std::string_view all(reinterpret_cast<const char*>(bytes.data()),  // NOLINT
                             bytes.size());
  std::vector<EmbeddedVersion> out;
  constexpr std::string_view k_nccl = "NCCL version ";
  for (std::size_t at = all.find(k_nccl); at != std::string_view::npos;
       at = all.find(k_nccl, at + 1)) {
    const std::string_view rest = all.substr(at + k_nccl.size());
    const std::string version = dotted(rest, '.');
    if (count_dots(version) < 2) {
      continue;
    }
    // The banner is `NCCL version 2.10.3+cuda10.2` (TensorFlow's builds: `+cudaCUDA_MAJOR...`,
    // the CUDA left unknown); messages such as `NCCL version 2.27.0 or later` are not it.
    constexpr std::string_view k_cuda = "+cuda";
    if (!rest.substr(version.size()).starts_with(k_cuda)) {
      continue;
    }
    EmbeddedVersion v{"nccl", version, dotted(rest.substr(version.size() + k_cuda.size()), '.'),
                      "`" + std::string(string_at(all, at)) + "` in .rodata"};
    out.push_back(std::move(v));
    break;
  }
  constexpr std::string_view k_cudnn = "cudnn_version_";
  for (std::size_t at = all.find(k_cudnn); at != std::string_view::npos;
       at = all.find(k_cudnn, at + 1)) {
    const std::string version = dotted(all.substr(at + k_cudnn.size()), '_');
    if (count_dots(version) < 2) {
      continue;
    }
    // `cudnn_version_7_6_5_32_...`: major, minor, patch (then the build number).
    std::string mmp = version;
    if (count_dots(mmp) > 2) {
      std::size_t dots = 0;
      std::size_t cut = 0;
      while (cut < mmp.size() && dots < 3) {
        dots += mmp[cut] == '.' ? 1U : 0U;
        ++cut;
      }
      mmp.resize(cut - 1);
    }
    out.push_back({"cudnn", mmp, {}, "`" + std::string(string_at(all, at)) + "` in .rodata"});
    break;
  }
  return out;
}

std::vector<EmbeddedVersion> read_embedded_versions(const ElfFile& file) {
  const auto rodata = file.section(".rodata");
  if (!rodata) {
    return {};
  }
  file.will_scan(rodata->bytes);
  return find_embedded_versions(rodata->bytes);
}

}  // namespace mlstack::elf
