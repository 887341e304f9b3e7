// SPDX-License-Identifier: MIT
#include "mlstack/linkmap/target_config.hpp"

#include "mlstack/elf/elf_file.hpp"
#include "mlstack/loader/ld_so_help.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <span>

namespace mlstack::linkmap {
namespace {

template <class T>
bool read_value(const elf::ElfFile& file, std::uint64_t offset, T& out) {
  std::array<std::byte, sizeof(T)> bytes{};
  if (!file.read_at(offset, bytes)) {
    return false;
  }
  std::memcpy(&out, bytes.data(), sizeof(T));
  return true;
}

}  // namespace

Result<std::string> program_interpreter(const std::string& path, const io::FileSystem& fs) {
  auto file = elf::ElfFile::open(fs, path);
  if (!file) {
    return unexpected(file.error());
  }
  const auto bad = [&path](std::string_view what) {
    return unexpected(make_error(ErrorCode::invalid_data,
                                 fmt::format("cannot read the program interpreter of `{}`: {}",
                                             path, what)));
  };
  // ELF64 little-endian (x86-64, aarch64): e_phoff at 32, e_phentsize at 54, e_phnum at 56;
  // a program header: p_type at 0, p_offset at 8, p_filesz at 32.
  std::array<std::byte, 5> ident{};
  if (!file->read_at(0, ident) || static_cast<int>(ident[4]) != 2) {
    return bad("not a 64-bit ELF file");
  }
  std::uint64_t phoff = 0;
  std::uint16_t phentsize = 0;
  std::uint16_t phnum = 0;
  if (!read_value(*file, 32, phoff) || !read_value(*file, 54, phentsize) ||
      !read_value(*file, 56, phnum)) {
    return bad("truncated ELF header");
  }
  for (std::uint16_t i = 0; i < phnum; ++i) {
    const std::uint64_t at = phoff + std::uint64_t{i} * phentsize;
    std::uint32_t type = 0;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    if (!read_value(*file, at, type) || !read_value(*file, at + 8, offset) ||
        !read_value(*file, at + 32, size)) {
      return bad("truncated program headers");
    }
    if (type != 3) {  // PT_INTERP
      continue;
    }
    if (size == 0 || size > 4096) {
      return bad("PT_INTERP of an odd size");
    }
    std::string text(size, '\0');
    if (!file->read_at(offset, std::as_writable_bytes(std::span(text.data(), text.size())))) {
      return bad("truncated PT_INTERP");
    }
    text.resize(std::strlen(text.c_str()));
    return text;
  }
  return bad("no PT_INTERP (a static executable)");
}

TargetLoader target_loader(const io::FileSystem& fs, const TargetLoaderInput& input) {
  TargetLoader out;
  out.config.ld_library_path = input.ld_library_path;
  if (!fs.realpath(input.python, out.interpreter).ok()) {
    out.interpreter = input.python;
  }
  if (!input.ld_cache_path.empty() && fs.exists(input.ld_cache_path)) {
    auto cache = loader::read_ld_cache(fs, input.ld_cache_path);
    if (cache) {
      out.cache = std::make_unique<loader::LdCache>(std::move(*cache));
      out.config.cache = out.cache.get();
      out.cache_path = input.ld_cache_path;
    } else {
      out.problems.push_back(render(cache.error()));
    }
  }
  if (!input.ld_so_help.empty()) {
    loader::LdSoSearch search = loader::parse_ld_so_help(input.ld_so_help);
    if (!search.default_dirs.empty()) {
      out.config.default_dirs = std::move(search.default_dirs);
    }
    out.config.subdirs = std::move(search.subdirs);
  }
  if (auto interp = program_interpreter(out.interpreter, fs)) {
    const std::size_t slash = interp->rfind('/');
    out.config.preloaded.push_back({*interp, interp->substr(slash + 1)});
  } else {
    out.problems.push_back(render(interp.error()));
  }
  return out;
}

}  // namespace mlstack::linkmap
