// SPDX-License-Identifier: MIT
#include "mlstack/elf/jax_versions.hpp"

#include "mlstack/elf/elf_file.hpp"

#include <cstring>
#include <string_view>

namespace mlstack::elf {
namespace {

// A nanobind function of lambda `$_N` in the `_versions` module's init function
// (`nanobind_init__versions` up to jaxlib 0.7, `nanobind__versions_exec_impl` since).
bool is_lambda(std::string_view name, std::string_view index) {
  return (name.find("nanobind_init__versions") != std::string_view::npos ||
          name.find("nanobind__versions_exec") != std::string_view::npos) &&
         name.find(index) != std::string_view::npos;
}

Error unreadable(const std::string& path, std::string why) {
  return make_error(ErrorCode::unsupported,
                    "cannot read the build versions in `" + path + "`: " + std::move(why));
}

}  // namespace

std::optional<std::uint32_t> immediate_return(std::span<const std::byte> code) {
  // `mov $imm32, %edi` is BF imm32, `mov $imm32, %eax` B8 imm32 (no prefix); a function
  // prologue (push %rbp; mov %rsp,%rbp; endbr64) may come first.
  for (std::size_t i = 0; i + 5 <= code.size() && i < 24; ++i) {
    const auto op = static_cast<unsigned char>(code[i]);
    if (op == 0xBF || op == 0xB8) {
      std::uint32_t v = 0;
      std::memcpy(&v, code.data() + i + 1, sizeof v);
      return v;
    }
  }
  return std::nullopt;
}

std::string cuda_version_text(std::uint32_t v) {
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

std::string cudnn_version_text(std::uint32_t v) {
  if (v >= 90000) {
    return std::to_string(v / 10000) + "." + std::to_string((v % 10000) / 100) + "." +
           std::to_string(v % 100);
  }
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 100) + "." +
         std::to_string(v % 100);
}

Result<JaxBuildVersions> read_jax_build_versions(const std::string& path, const io::FileSystem& fs) {
  MLSTACK_TRY_ASSIGN(ElfFile file, ElfFile::open(fs, path));
  const auto symbols = file.symbols(
      [](std::string_view n) { return is_lambda(n, "$_0") || is_lambda(n, "$_1"); });
  std::optional<std::uint32_t> cudart;
  std::optional<std::uint32_t> cudnn;
  bool any = false;
  for (const Symbol& s : symbols) {
    if (!s.function) {
      continue;  // the lambdas' `descr` strings
    }
    any = true;
    const auto value = immediate_return(file.bytes_at(s.value, 32));
    (is_lambda(s.name, "$_0") ? cudart : cudnn) = value;
  }
  if (!any) {
    return unexpected(unreadable(path, "no `_versions` lambda symbols (a stripped .symtab?)"));
  }
  // CUDART_VERSION is major*1000 + minor*10; CUDNN_VERSION at least 8000.
  if (!cudart || *cudart < 10000 || *cudart > 99999 || *cudart % 10 != 0 || !cudnn ||
      *cudnn < 8000 || *cudnn > 999999) {
    return unexpected(unreadable(path, "the `$_0` / `$_1` lambdas do not return the constants "
                                       "jaxlib/cuda/versions.cc defines"));
  }
  JaxBuildVersions out;
  out.cuda = cuda_version_text(*cudart);
  out.cudnn = cudnn_version_text(*cudnn);
  out.evidence = "cuda_runtime_build_version() returns " + std::to_string(*cudart) +
                 ", cudnn_build_version() returns " + std::to_string(*cudnn);
  return out;
}

}  // namespace mlstack::elf
