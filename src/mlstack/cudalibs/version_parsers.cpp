// SPDX-License-Identifier: MIT
#include "mlstack/cudalibs/version_parsers.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/elf/elf_file.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstring>
#include <map>

namespace mlstack::cudalibs {
namespace {

// `#define NAME VALUE` lines, leading blanks allowed (cusolver_common.h indents them).
std::map<std::string, std::string, std::less<>> parse_defines(std::string_view text) {
  std::map<std::string, std::string, std::less<>> out;
  // Only lines whose first non-blank character is `#` matter: jump from `#` to `#` instead
  // of splitting megabytes of CUDA headers into lines.
  std::size_t pos = 0;
  while ((pos = text.find('#', pos)) != std::string_view::npos) {
    const std::size_t line_start = text.find_last_of('\n', pos) + 1;  // npos + 1 == 0
    std::size_t line_end = text.find('\n', pos);
    if (line_end == std::string_view::npos) {
      line_end = text.size();
    }
    std::string_view line = text.substr(line_start, line_end - line_start);
    pos = line_end;
    line = text::trim(line);
    if (!line.starts_with('#')) {
      continue;
    }
    line = text::trim(line.substr(1));
    if (!line.starts_with("define") || line.size() < 7 || !text::is_ascii_space(line[6])) {
      continue;
    }
    line = text::trim(line.substr(6));
    std::size_t n = 0;
    while (n < line.size() && (text::is_ascii_alnum(line[n]) || line[n] == '_')) {
      ++n;
    }
    if (n == 0 || (n < line.size() && !text::is_ascii_space(line[n]))) {
      continue;  // function-like macro or junk
    }
    auto value = text::trim(line.substr(n));
    if (const auto c = value.find("//"); c != std::string_view::npos) {
      value = text::trim(value.substr(0, c));
    }
    if (const auto c = value.find("/*"); c != std::string_view::npos) {
      value = text::trim(value.substr(0, c));
    }
    out.emplace(std::string(line.substr(0, n)), std::string(value));
  }
  return out;
}

std::optional<std::int64_t> to_int(std::string_view s) {
  s = text::trim(s);
  while (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
    s = text::trim(s.substr(1, s.size() - 2));
  }
  if (!s.empty() && (s.back() == 'L' || s.back() == 'U' || s.back() == 'l' || s.back() == 'u')) {
    s.remove_suffix(1);
  }
  std::int64_t v = 0;
  const auto* end = s.data() + s.size();
  const auto r = std::from_chars(s.data(), end, v);
  if (s.empty() || r.ec != std::errc{} || r.ptr != end || v < 0) {
    return std::nullopt;
  }
  return v;
}

template <class Map>
std::optional<std::int64_t> macro_int(const Map& defines, const std::string& name) {
  const auto it = defines.find(name);
  return it == defines.end() ? std::nullopt : to_int(it->second);
}

std::uint32_t read_u32(std::string_view bytes, std::size_t at) {
  std::uint32_t v = 0;
  std::memcpy(&v, bytes.data() + at, sizeof v);
  return v;
}

}  // namespace

std::string cuda_version_from_int(std::int64_t value) {
  return std::to_string(value / 1000) + "." + std::to_string((value % 1000) / 10);
}

std::optional<std::string> header_version(const LibrarySpec* spec, std::string_view header_text) {
  const auto defines = parse_defines(header_text);
  if (spec == nullptr) {
    const auto v = macro_int(defines, "CUDA_VERSION");
    return v ? std::optional(cuda_version_from_int(*v)) : std::nullopt;
  }
  const std::string prefix(spec->macro_prefix);
  if (prefix.empty()) {
    return std::nullopt;
  }
  if (prefix == "CUDART") {
    const auto v = macro_int(defines, "CUDART_VERSION");
    return v ? std::optional(cuda_version_from_int(*v)) : std::nullopt;
  }
  std::vector<std::string> names;
  if (prefix == "CUDNN") {
    names = {"CUDNN_MAJOR", "CUDNN_MINOR", "CUDNN_PATCHLEVEL"};
  } else if (prefix == "NCCL") {
    names = {"NCCL_MAJOR", "NCCL_MINOR", "NCCL_PATCH"};
  } else {
    names = {prefix + "_VER_MAJOR", prefix + "_VER_MINOR", prefix + "_VER_PATCH",
             prefix + "_VER_BUILD"};
  }
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto v = macro_int(defines, names[i]);
    if (!v) {
      if (i >= 3 && !out.empty()) {
        break;  // `_VER_BUILD` is optional
      }
      return std::nullopt;
    }
    out += (out.empty() ? "" : ".") + std::to_string(*v);
  }
  return out;
}

Result<std::optional<std::string>> version_json_entry(std::string_view json_text,
                                                      std::string_view key) {
  const auto doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return unexpected(make_error(ErrorCode::parse, "expected a JSON object"));
  }
  const auto it = doc.find(std::string(key));
  if (it == doc.end() || !it->is_object()) {
    return std::optional<std::string>{};
  }
  const auto v = it->find("version");
  if (v == it->end() || !v->is_string()) {
    return std::optional<std::string>{};
  }
  return std::optional(v->get<std::string>());
}

Result<std::vector<LdCacheEntry>> parse_ld_so_cache(std::string_view bytes) {
  constexpr std::string_view k_old_magic = "ld.so-1.7.0";
  constexpr std::string_view k_new_magic = "glibc-ld.so.cache1.1";
  constexpr std::size_t k_header = 48;
  constexpr std::size_t k_entry = 24;
  std::size_t base = 0;
  if (bytes.starts_with(k_old_magic)) {
    if (bytes.size() < 16) {
      return unexpected(make_error(ErrorCode::parse, "truncated old-format header"));
    }
    const std::size_t old_n = read_u32(bytes, 12);
    base = 16 + old_n * 12;
    base = (base + 7) & ~std::size_t{7};
  }
  if (bytes.size() < base + k_header || bytes.substr(base, k_new_magic.size()) != k_new_magic) {
    return unexpected(make_error(ErrorCode::parse,
                                 "expected the `glibc-ld.so.cache1.1` format, found other bytes"));
  }
  const auto cache = bytes.substr(base);
  const std::size_t n = read_u32(cache, 20);
  if (n > (cache.size() - k_header) / k_entry) {
    return unexpected(make_error(ErrorCode::parse, "entry count runs past the end of the file"));
  }
  const auto string_at = [&](std::uint32_t off) -> std::optional<std::string> {
    if (off >= cache.size()) {
      return std::nullopt;
    }
    const auto end = cache.find('\0', off);
    if (end == std::string_view::npos) {
      return std::nullopt;
    }
    return std::string(cache.substr(off, end - off));
  };
  std::vector<LdCacheEntry> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto at = k_header + i * k_entry;
    const auto flags = static_cast<std::int32_t>(read_u32(cache, at));
    auto key = string_at(read_u32(cache, at + 4));
    auto value = string_at(read_u32(cache, at + 8));
    if (!key || !value) {
      return unexpected(make_error(
          ErrorCode::parse, "entry " + std::to_string(i) + " points outside the string table"));
    }
    out.push_back({std::move(*key), std::move(*value), flags});
  }
  return out;
}

LdSoConf parse_ld_so_conf(std::string_view text) {
  LdSoConf out;
  for (auto line : text::split_lines(text)) {
    if (const auto hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = text::trim(line);
    if (line.empty()) {
      continue;
    }
    if (line.starts_with("include") && line.size() > 7 && text::is_ascii_space(line[7])) {
      for (auto part : text::split(text::trim(line.substr(7)), ' ')) {
        if (!text::trim(part).empty()) {
          out.includes.emplace_back(text::trim(part));
        }
      }
      continue;
    }
    if (line.starts_with("hwcap") && line.size() > 5 && text::is_ascii_space(line[5])) {
      continue;
    }
    // ldconfig splits folder lines on blanks, `:`, `,` and tabs.
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == ':' || line[i] == ',' || text::is_ascii_space(line[i])) {
        if (i > start) {
          out.dirs.emplace_back(line.substr(start, i - start));
        }
        start = i + 1;
      }
    }
  }
  return out;
}

bool glob_match(std::string_view pattern, std::string_view name) noexcept {
  std::size_t p = 0;
  std::size_t n = 0;
  std::size_t star = std::string_view::npos;
  std::size_t mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

Result<std::string> elf_soname_from_memory(std::string_view bytes) {
  auto file = elf::ElfFile::from_memory(bytes, "(memory)");
  if (!file) {
    return unexpected(make_error(ErrorCode::not_found, "not an ELF file"));
  }
  auto dynamic = file->dynamic();
  if (!dynamic || dynamic->soname.empty()) {
    return unexpected(make_error(ErrorCode::not_found, "no DT_SONAME in the dynamic section"));
  }
  return std::move(dynamic->soname);
}

std::string soname_version(std::string_view soname) {
  const auto so = soname.find(".so.");
  return so == std::string_view::npos ? std::string() : std::string(soname.substr(so + 4));
}

std::size_t version_parts(std::string_view version) noexcept {
  if (version.empty()) {
    return 0;
  }
  std::size_t n = 1;
  for (char c : version) {
    n += c == '.' ? 1 : 0;
  }
  return n;
}

std::string_view version_major(std::string_view version) noexcept {
  return version.substr(0, version.find('.'));
}

}  // namespace mlstack::cudalibs
